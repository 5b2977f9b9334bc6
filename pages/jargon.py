"""Learn the jargon: the talk's words and the app's, one plain sentence each, and a link to
the view of this app that shows it. Every term is a link target: ``jargon?term=dropout``.

The table is ``ui/glossary.py``; the links come from each page's state table.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from ui import glossary, kit
from ui.states.jargon import JargonState


@functools.cache
def entry_html(term_id: str) -> str:
    """A term's sentence with its links, the same on every run: made once per server (the
    links of every term were a third of the page's rerun, issue 15)."""
    term = glossary.BY_ID[term_id]
    target = glossary.href(term)
    see = (f'<a href="{target}" target="_self">See it: {glossary.page_title(term.page)} →</a>'
           if target is not None else
           f"<i>Its page, {glossary.page_title(term.page)}, is not installed here.</i>")
    own = kit.link_to("jargon", term=term.id)
    return (f'<span id="{term.id}"></span>**{term.name}**: {term.sentence}<br>'
            f'{see} · <a href="{own}" target="_self">link to this term</a>')


def entry(term: glossary.Term, focus: bool = False) -> None:
    """One term: its sentence, the view that shows it and its own link.

    The text is the glossary's own (never the search box's), so it may be HTML: the links
    open in the same tab, as every link of the app does."""
    with st.container(border=True):
        st.markdown(entry_html(term.id), unsafe_allow_html=True)
        if focus:
            st.caption("The term this link points to.")


def _draw(seed_key: str, term_key: str) -> None:
    seed = int(np.random.default_rng().integers(1, 2**31 - 1))
    st.session_state[seed_key] = seed
    st.session_state[term_key] = glossary.random_term(seed)


# --------------------------------------------------------------------------- the page
def view(state: JargonState) -> None:
    """The page's live view at ``state``: the search, the jump to a term and the terms.
    Everything below the page title; the deck (pages/talk.py) calls it on a live slide."""
    search_col, jump_col = st.columns(2)
    kit.text(JargonState, "q", "Search the terms", search_col, placeholder="e.g. dropout")
    kit.select(JargonState, "term", "Jump to a term", jump_col,
               format_func=lambda i: glossary.BY_ID[i].name if i else "(none)")
    jump_col.button("🎲 A random term", on_click=_draw, key=kit.key(JargonState, "_draw"),
                    args=(kit.key(JargonState, "seed"), kit.key(JargonState, "term")))
    if state.term:
        entry(glossary.BY_ID[state.term], focus=True)
    found = glossary.search(state.q)
    if not found:
        st.info(f"No term matches “{kit.plain(state.q)}”. Try a shorter word, or clear the "
                "search.")
    columns = st.columns(1 if kit.presenter() else 2)
    for i, term in enumerate(t for t in found if t.id != state.term):
        with columns[i % len(columns)]:
            entry(term)


def slide(state: JargonState) -> None:
    """The slide form: the search box and a random term beside the chosen term in large
    type, and every matching term as a link to the view that shows it."""
    search_col, answer_col = st.columns([1, 2.4], gap="medium")
    kit.text(JargonState, "q", "Search the terms", search_col, placeholder="e.g. dropout")
    search_col.button("🎲 A random term", on_click=_draw, key=kit.key(JargonState, "_draw"),
                      args=(kit.key(JargonState, "seed"), kit.key(JargonState, "term")))
    found = glossary.search(state.q)
    term = glossary.BY_ID[state.term] if state.term else (found[0] if found else None)
    if term is None:
        answer_col.info(f"No term matches “{kit.plain(state.q)}”.")
        return
    with kit.slide_part("answer", answer_col):
        st.markdown(entry_html(term.id), unsafe_allow_html=True)  # the glossary's own text
    names = [f'<a href="{glossary.href(t)}" target="_self">{t.name}</a>'
             if glossary.href(t) else t.name for t in found if t.id != term.id]
    with kit.slide_part("picture"):
        st.markdown(" · ".join(names), unsafe_allow_html=True)  # the glossary's own names


def main() -> None:
    """The page: its title and the view at the link's state."""
    kit.page_title(
        "The jargon", "Learn the jargon",
        "Loss, epoch, splits, learning rate, accuracy, dropout, early stopping, layers, "
        "convolution, RNN, LSTM, MLP, fully connected...: each word in one plain sentence, "
        "next to the page of this app that shows it.",
    )
    view(kit.load_state(JargonState))
