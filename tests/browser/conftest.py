"""The real app served by uvicorn on a free loopback port, over a small real graph, and headless Chromium driven by
Playwright: Debian's /usr/bin/chromium (never a browser Playwright downloads). Without it every test here skips."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api.app import create_app
from api.keys import add_key
from api.settings import Settings
from graph.search import Embedder
from graph.store import open_store
from tests.api.conftest import build_graph

CHROMIUM = Path("/usr/bin/chromium")
#: How long the server may take to start (the lifespan loads the index) before the fixture gives up.
START_WAIT_S = 120
#: Playwright's wait for a page to show what a test expects: a match on 2 busy cores can take seconds (the first
#: Chinese need loads the dictionary), for actions and for ``expect`` alike (whose own default is 5 s).
PAGE_TIMEOUT_MS = 60_000
expect.set_options(timeout=PAGE_TIMEOUT_MS)
#: Keys the running service accepts, made before it starts (it reads its key file once): role -> key.
KEYS: dict[str, str] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (apt-get install -y chromium; CI does)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[str]:
    """The address of the running service (``http://127.0.0.1:PORT``)."""
    data_dir = tmp_path_factory.mktemp("browser-data")
    build_graph(data_dir, embedder)
    store = open_store(data_dir / "store")
    # every test asks from the same address, and several ask the same need: the demand log's per-client limits
    # and its de-duplication would keep later needs (a team's) out of the log the centre tests read
    settings = Settings(data_dir=data_dir, model=embedder.name, demand_log_burst=10_000, demand_log_dedupe_hours=0)
    KEYS["admin"] = add_key(settings.api_keys_path, "browser-admin", "admin", None)
    app = create_app(settings, store=store, embedder=embedder)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held from now on: no race with other processes
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_WAIT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sharekg app did not start; see the log above")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()
    store.close()


@pytest.fixture(scope="session")
def admin_key(base_url: str) -> str:
    """An admin key of the running service (the centre page asks for one)."""
    return KEYS["admin"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        chromium.close()


@contextmanager
def open_page(browser: Browser, base_url: str, locale: str) -> Iterator[Page]:
    """A fresh page in its own context (no stored language choice) whose browser prefers ``locale``; relative URLs
    resolve against the service; page errors fail the test."""
    context = browser.new_context(base_url=base_url, locale=locale)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page in a browser whose language is English (the pages follow the browser's language)."""
    with open_page(browser, base_url, "en-GB") as page:
        yield page


@pytest.fixture
def zh_page(browser: Browser, base_url: str) -> Iterator[Page]:
    """A page in a browser whose language is Simplified Chinese (zh-CN)."""
    with open_page(browser, base_url, "zh-CN") as page:
        yield page
