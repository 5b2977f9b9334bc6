"""The browser the tests drive: Chromium with the address-bar popup's web pages off
(``harness.NO_OMNIBOX_WEBUI``), and every feature Playwright itself turns off still off
(our ``--disable-features`` replaces Playwright's, so it repeats Playwright's list)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness import CHROMIUM, CHROMIUM_ARGS, NO_OMNIBOX_WEBUI, PLAYWRIGHT_DISABLED

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def chromium_command_lines() -> dict[int, list[str]]:
    """pid -> argv of each Chromium browser process running (not its helpers)."""
    found = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                argv = (d / "cmdline").read_bytes().decode(errors="replace").split("\0")
            except OSError:
                continue
            if argv and "chrom" in os.path.basename(argv[0]) and "--remote-debugging-pipe" in argv \
                    and not any(a.startswith("--type=") for a in argv):
                found[int(d.name)] = argv
    return found


def test_playwrights_own_disabled_features_are_still_disabled(browser):
    # a switch Chromium ignores marks this browser: another worker may launch its own now
    mark = f"--dlgs-probe={os.getpid()}-{id(browser)}"
    plain = browser.browser_type.launch(executable_path=CHROMIUM, args=["--headless", mark])
    try:
        # one command line (a process the browser forks shows its argv until it execs:
        # seen once in CI as two processes with the same argv)
        new = sorted({tuple(argv) for argv in chromium_command_lines().values() if mark in argv})
    finally:
        plain.close()
    assert len(new) == 1, f"{len(new)} Chromium browser command lines with {mark}"
    theirs = [a.split("=", 1)[1].split(",") for a in new[0] if a.startswith("--disable-features=")]
    assert theirs, "Playwright no longer passes --disable-features"
    assert set(theirs[0]) <= set(PLAYWRIGHT_DISABLED), set(theirs[0]) - set(PLAYWRIGHT_DISABLED)


def test_no_omnibox_popup_pages_are_loaded(browser):
    cdp = browser.new_browser_cdp_session()
    context = browser.new_context()
    try:
        context.new_page().goto("about:blank")
        urls = [t["url"] for t in cdp.send("Target.getTargets")["targetInfos"]]
        assert urls and not [u for u in urls if "omnibox" in u], urls
    finally:
        context.close()


def test_the_tests_args_turn_the_popup_off_and_keep_playwrights_list():
    flags = [a for a in CHROMIUM_ARGS if a.startswith("--disable-features=")]
    assert len(flags) == 1  # one list: a second would replace the first
    features = flags[0].split("=", 1)[1].split(",")
    assert set(NO_OMNIBOX_WEBUI) | set(PLAYWRIGHT_DISABLED) == set(features)
