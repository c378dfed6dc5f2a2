"""The browser tier: headless Chromium (Debian's ``chromium``) driven by Playwright, on the e2e stack.

Playwright is pointed at /usr/bin/chromium (``executable_path``): nothing is downloaded at run
time. `make setup` installs the package when it is missing; without it the tier fails when
CI=true (it must run there) and is skipped, saying why, elsewhere. Each test gets a fresh browser
context (no storage shared between tests) and a ``shots`` recorder: a screenshot per step, kept in
memory and written to ``.state/browser-failures/<test>/`` only when the test fails (the folder is
named in the failure report; .state/ is git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.steps import REPO

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium")
# The flags that work on these machines: no sandbox as root, no network beyond the page's own.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
FAILURES = REPO / ".state" / "browser-failures"
HOW_TO_INSTALL = ("Debian's chromium is needed for the browser tier: `apt-get install chromium` (as root; "
                  "`make setup` does it when it can), then run the tier again.")


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    return found or next((p for p in CHROMIUM_PATHS if os.access(p, os.X_OK)), None)


def _unavailable(message: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message} {HOW_TO_INSTALL}", pytrace=False)
    pytest.skip(f"{message} {HOW_TO_INSTALL}")


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread while
# it is open, and the tests after this tier run their own loops (asyncio.run) in the same process.
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        _unavailable("No chromium on this machine.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # launch() gives the browser a fresh, temporary --user-data-dir of its own
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Shots:
    """Screenshots of each step of a test, written out only if it fails."""

    def __init__(self) -> None:
        self.page: Any = None
        self.taken: list[tuple[str, bytes]] = []

    def step(self, name: str) -> None:
        if self.page is not None and not self.page.is_closed():
            self.taken.append((name, self.page.screenshot(full_page=True)))

    def write(self, folder: Path) -> Path:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for number, (name, png) in enumerate(self.taken, start=1):
            slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
            (folder / f"{number:02d}-{slug}.png").write_bytes(png)
        return folder


@pytest.fixture
def shots() -> Shots:
    return Shots()


@pytest.fixture
def page(browser: Any, shots: Shots) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.problems = []   # console errors and uncaught exceptions: a test may assert there are none
    page.on("pageerror", lambda error: page.problems.append(f"uncaught: {error}"))
    shots.page = page
    try:
        yield page
    finally:
        context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    recorder = item.funcargs.get("shots") if hasattr(item, "funcargs") else None
    if report.when != "call" or not report.failed or not isinstance(recorder, Shots):
        return
    recorder.step("at the failure")
    folder = recorder.write(FAILURES / re.sub(r"[^A-Za-z0-9_.-]+", "_", item.name))
    report.sections.append(("browser screenshots", f"A screenshot of each step is in {folder}"))
