"""The deck's keyboard and the presenter's browser: one Streamlit custom component (v2).

Streamlit's ``st.button(shortcut=...)`` loses a key to whatever has focus: with a slider
or radio focused, → moves the widget, PageDown scrolls, Space does nothing. This
component (inline JavaScript, no iframe) installs ONE ``keydown`` listener on the
document in the capture phase, which runs before any widget sees the key, stops the key
there and moves the deck by a trigger value back to Python (while the deck is on show:
on another page of the app the keys are the page's again):

* → / Space / PageDown next, ← / PageUp back, Home / End first / last: whatever has
  focus, except a text box being typed in, which keeps ←/→/Space/Home/End (PageUp /
  PageDown, which a text box has no use for, still move the deck);
* a number then Enter (or G) goes to that slide; O or Esc shows every slide's title in a
  grid, a click goes there (Esc closes it);
* keys pressed inside a same-origin iframe (a version-1 component) are caught there
  too; the digits canvas is a version-2 component, in the page itself.

It also scrolls the page to the top whenever the slide changes (the presenter's and
every follower's), and keeps the presenter's room secret in the browser's localStorage:
``keep`` stores it, ``drop`` forgets it, and ``ask`` sends it back once per page load, so
that a reload, a second tab or the speaker view proves itself the presenter
(``dlcore.rooms.RoomStore.check``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from ui import served

STORAGE_KEY = "dlgs-presenter"

_JS = r"""
const STORE = "__STORE__";
function deck() { return window.__dlgsDeck; }
function typing(t) {
  if (!t || !t.tagName) return false;
  if (t.isContentEditable) return true;
  if (t.tagName === "TEXTAREA") return true;
  if (t.tagName !== "INPUT") return false;
  if (t.getAttribute("role") === "combobox")  // a selectbox: its keys only while open
    return t.getAttribute("aria-expanded") === "true";
  return !["range", "radio", "checkbox", "button", "submit", "reset", "color", "file"]
    .includes((t.type || "text").toLowerCase());
}
function scrollTop() {
  window.scrollTo(0, 0);
  for (const el of document.querySelectorAll(
      '[data-testid="stMain"], [data-testid="stAppViewContainer"], section.main, .main'))
    el.scrollTop = 0;
}
function badge(text) {
  let b = document.getElementById("dlgs-goto");
  if (!text) { if (b) b.remove(); return; }
  if (!b) {
    b = document.createElement("div");
    b.id = "dlgs-goto";
    b.setAttribute("role", "status");
    b.style.cssText = "position:fixed;right:1.5rem;bottom:1.5rem;z-index:2147483000;" +
      "background:#262730;color:#fff;font:600 1.6rem sans-serif;padding:.4rem .9rem;" +
      "border-radius:.5rem;opacity:.92";
    document.body.appendChild(b);
  }
  b.textContent = text;
}
function overview(show) {
  const D = deck();
  let o = document.getElementById("dlgs-overview");
  if (!show) { if (o) o.remove(); D.overview = false; return; }
  D.overview = true;
  if (o) o.remove();
  o = document.createElement("div");
  o.id = "dlgs-overview";
  o.setAttribute("role", "dialog");
  o.setAttribute("aria-label", "All slides");
  o.style.cssText = "position:fixed;inset:0;z-index:2147483000;overflow:auto;padding:1.5rem;" +
    "background:rgba(250,250,252,.98);display:grid;gap:.6rem;" +
    "grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));align-content:start";
  D.data.titles.forEach((title, i) => {
    const b = document.createElement("button");
    b.className = "dlgs-overview-slide";
    b.textContent = (i + 1) + ". " + title;  // text, never markup
    const here = i + 1 === D.data.slide;
    b.style.cssText = "text-align:left;font:1rem sans-serif;padding:.7rem;min-height:4.2rem;" +
      "border-radius:.5rem;cursor:pointer;border:" + (here ? "3px solid #ff4b4b" : "1px solid #ccc") +
      ";background:" + (here ? "#fff0f0" : "#fff");
    b.addEventListener("click", (e) => { e.preventDefault(); overview(false); go(i + 1); });
    o.appendChild(b);
  });
  document.body.appendChild(o);
}
function go(to) {
  const D = deck();
  const n = D.data.n;
  to = Math.max(1, Math.min(n, to | 0));
  const now = D.pending || D.data.slide;
  if (to === now) return;
  D.pending = to;
  D.seq = (D.seq || 0) + 1;
  D.trigger("key", { to: to, seq: D.seq });
}
function onKey(e) {
  const D = deck();
  if (!D || !D.data || !D.active || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  const t = e.composedPath ? e.composedPath()[0] : e.target;
  const k = e.key;
  const stop = () => { e.preventDefault(); e.stopPropagation(); e.stopImmediatePropagation(); };
  if (D.overview) {
    if (k === "Escape" || k === "o" || k === "O") { stop(); overview(false); }
    return;
  }
  const now = D.pending || D.data.slide;
  let to = null;
  if (k === "PageDown") to = now + 1;
  else if (k === "PageUp") to = now - 1;
  else if (typing(t)) return;
  else if (k === "ArrowRight" || k === " " || k === "Spacebar") to = now + 1;
  else if (k === "ArrowLeft") to = now - 1;
  else if (k === "Home") to = 1;
  else if (k === "End") to = D.data.n;
  else if (/^[0-9]$/.test(k)) {
    stop(); D.buf = ((D.buf || "") + k).slice(-3); badge("Go to slide " + D.buf + " ⏎"); return;
  } else if ((k === "Enter" || k === "g" || k === "G") && D.buf) {
    to = parseInt(D.buf, 10); D.buf = ""; badge("");
  } else if (k === "Escape" && D.buf) { stop(); D.buf = ""; badge(""); return; }
  else if (k === "o" || k === "O" || k === "Escape") { stop(); overview(true); return; }
  if (to === null) return;
  stop();
  go(to);
}
function watchFrames() {
  for (const f of document.querySelectorAll("iframe")) {
    try {
      const d = f.contentDocument;
      if (d && !d.__dlgsKeys) { d.__dlgsKeys = true; d.addEventListener("keydown", onKey, true); }
    } catch (err) { /* another origin: its keys stay its own */ }
  }
}
export default function (component) {
  const { data, setTriggerValue } = component;
  const D = window.__dlgsDeck || (window.__dlgsDeck = {});
  const moved = D.data && D.data.slide !== data.slide;
  D.data = data;
  D.trigger = setTriggerValue;
  D.pending = null;
  const mount = (D.mounts = (D.mounts || 0) + 1);
  D.active = mount;
  if (!D.installed) {
    D.installed = true;
    document.addEventListener("keydown", onKey, true);
    window.addEventListener("blur", () => setTimeout(watchFrames, 0));
  }
  watchFrames();
  if (moved) { overview(false); scrollTop(); requestAnimationFrame(scrollTop); }
  try {
    if (data.keep) localStorage.setItem(STORE, JSON.stringify(data.keep));
    if (data.drop) localStorage.removeItem(STORE);
    if (data.ask && !D.asked) {
      D.asked = true;
      const kept = localStorage.getItem(STORE);
      if (kept) setTriggerValue("secret", kept);
    }
  } catch (err) { /* no storage (a private window): a reload then loses the room */ }
  // Another page of the app (a link, Back) unmounts the deck: its keys go back to the
  // page (the listener stays, asleep, for the deck's return).
  return () => {
    if (D.active !== mount) return;
    D.active = 0;
    requestAnimationFrame(() => {  // unless the deck was mounted again at once
      if (D.active) return;
      D.buf = "";
      badge("");
      overview(false);
    });
  };
}
""".replace("__STORE__", STORAGE_KEY)

# the script is a static file the browser fetches once (ui/served.py): a follower's rerun
# at each slide change sends a loader of three lines instead of its 7 kB (issue 24)
_component = st.components.v2.component("dlgs_deck_keys", js=served.component_js(_JS),
                                        isolate_styles=False)

KEY = "talk-deck-keys"


def keys(slide: int, titles: list[str], *, on_key: Callable[[], None],
         on_secret: Callable[[], None], keep: dict | None = None, drop: bool = False,
         ask: bool = False) -> Any:
    """Mount the deck's keyboard (invisible). ``on_key`` runs when a key moves the deck
    (:func:`pressed` gives the slide), ``on_secret`` when the browser sends back a kept
    presenter secret (:func:`secret`)."""
    data = {"slide": slide, "n": len(titles), "titles": titles}
    if keep:
        data["keep"] = keep
    if drop:
        data["drop"] = True
    if ask:
        data["ask"] = True
    with st.container(key="talk-keys-host", height=1, border=False):
        return _component(key=KEY, data=data, on_key_change=on_key,
                          on_secret_change=on_secret, height=1)


def _event(name: str) -> Any:
    try:
        return st.session_state[KEY].get(name)
    except (KeyError, AttributeError):
        return None


def pressed() -> int | None:
    """The slide a key asked for, in ``on_key``; None for anything malformed."""
    got = _event("key")
    try:
        return int(got["to"])
    except (TypeError, KeyError, ValueError):
        return None


def secret() -> str | None:
    """The presenter secret the browser sent, in ``on_secret`` (text, at most 200 chars)."""
    got = _event("secret")
    return got[:200] if isinstance(got, str) else None
