"""The FastAPI application, built by ``create_app``: the store, the embedder and the settings are passed in or opened
in the lifespan (never at import), and every route reaches them through ``api.deps``.

Around the routes sit three small ASGI guards (docs/security.md): ``HeaderLimit`` (431 for a request whose headers
are over ``SHAREKG_MAX_HEADER_BYTES``), ``BodyLimit`` (413 for a body over ``SHAREKG_MAX_BODY_BYTES``, declared or
chunked; 408 for a body that stalls for ``SHAREKG_BODY_TIMEOUT_S``) and ``SecurityHeaders`` (a
Content-Security-Policy of this origin only and the other security headers on every response). The API docs
(``/docs``) load Swagger UI from files the ``fastapi-offline`` package ships, never from a CDN."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager, suppress
from importlib.metadata import version
from pathlib import Path
from typing import Any

import fastapi_offline
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

from api import problems
from api.keys import KeyRing
from api.routes import analytics, centre, contest, health, ingest, match, resources, sparql
from api.services import Services, load_embedder
from api.settings import Settings, open_configured_store
from api.sparql import SparqlRunner
from graph.centre import DemandLog
from graph.search import Embedder, GlossarySource
from graph.store import SparqlStore, Store

WEB = Path(__file__).parent / "web"
DOCS_ASSETS = Path(fastapi_offline.__file__).parent / "static"  # Swagger UI 5 and a favicon (and ReDoc, unused)
DOCS_ASSETS_PATH = "/docs-assets"
log = logging.getLogger("sharekg.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """Bounds a request body in size and in time: 413 for a body over ``limit`` bytes, whether or not the client
    declared the length, and 408 (Request Timeout, connection closed) for a body whose next part does not arrive
    within ``read_timeout_s`` of the last (a client that stalls half-way would otherwise hold its connection, and
    the request's place in the service, for as long as it likes).

    A chunked body is counted as it is read; once it is over the limit (or stalls), reading stops and whatever the
    app would answer (FastAPI turns an error raised while it reads a JSON or form body into 400) is replaced by the
    413 (or the 408), so a body too large is 413 however it was sent. Once the body is complete, the app's later
    waits on ``receive`` (for a disconnect) are not timed."""

    def __init__(self, app: ASGIApp, limit: int, read_timeout_s: float | None = None) -> None:
        self.app = app
        self.limit = limit
        self.read_timeout_s = read_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send, _TooLarge())
            return
        seen = 0
        refused: _BodyRefused | None = None
        complete = False
        started = False

        async def counted() -> Message:
            nonlocal seen, refused, complete
            if refused is not None:
                raise refused
            if complete or self.read_timeout_s is None:
                message = await receive()
            else:
                try:
                    message = await asyncio.wait_for(receive(), self.read_timeout_s)
                except TimeoutError:
                    refused = _Stalled()
                    raise refused from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                complete = not message.get("more_body", False)
                if seen > self.limit:
                    refused = _TooLarge()
                    raise refused
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if refused is not None and not started:
                return  # the app's answer to a body cut short: the refusal goes instead
            started = True
            await send(message)

        with suppress(_BodyRefused):
            await self.app(scope, counted, guarded)
        if refused is not None and not started:
            await self._refuse(scope, send, refused)

    async def _refuse(self, scope: Scope, send: Send, refused: _BodyRefused) -> None:
        if isinstance(refused, _TooLarge):
            status, title, kind, headers = 413, "Request too large", "request-too-large", None
            detail = (
                f"the request body is over the {self.limit:,}-byte limit (SHAREKG_MAX_BODY_BYTES); send a smaller "
                "file or split it"
            )
        else:
            status, title, kind, headers = 408, "Request body stalled", "request-timeout", {"Connection": "close"}
            detail = (
                f"no part of the request body arrived for {self.read_timeout_s:g} s (SHAREKG_BODY_TIMEOUT_S); the "
                "connection is closed: send the request again"
            )
        response = problems.problem_response(Request(scope), status, title, detail, kind, headers=headers)
        await response(scope, _no_receive, send)


class _BodyRefused(Exception):
    pass


class _Stalled(_BodyRefused):
    pass


class _TooLarge(_BodyRefused):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


def header_bytes(headers: list[tuple[bytes, bytes]]) -> int:
    """Bytes the headers take on the wire in HTTP/1.1 (``name: value`` and CRLF each).

    >>> header_bytes([(b"host", b"127.0.0.1"), (b"accept", b"*/*")])
    30
    """
    return sum(len(name) + len(value) + 4 for name, value in headers)


class HeaderLimit:
    """Refuses a request whose headers together are over ``limit`` bytes with 431 (Request Header Fields Too Large).

    The server bounds what it buffers before the app sees anything (``sharekg serve`` runs uvicorn's h11 parser with
    ``h11_max_incomplete_event_size``, see ``api.commands.service``); this check holds for the app under any server."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and header_bytes(scope.get("headers") or []) > self.limit:
            response = problems.problem_response(
                Request(scope),
                431,
                "Request Header Fields Too Large",
                f"the request's headers are over the {self.limit:,}-byte limit (SHAREKG_MAX_HEADER_BYTES); send "
                "fewer or shorter headers (large cookies for this host are a common cause)",
                "headers-too-large",
            )
            await response(scope, _no_receive, send)
            return
        await self.app(scope, receive, send)


#: The policy of every page and answer: scripts, styles, images and connections from this origin only, no inline
#: script, no plugins, never framed. ``style-src-attr 'unsafe-inline'`` lets the pages colour their legend swatches
#: with a ``style`` attribute (a custom property); a style attribute cannot run script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response; a response that sets its own Content-Security-Policy (the
    API docs, whose page needs an inline script and inline styles) keeps it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CONTENT_SECURITY_POLICY.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _inline_script_hashes(html: str) -> str:
    """CSP sources for the inline scripts of ``html``: ``'sha256-…'`` of each.

    >>> print(_inline_script_hashes('<script src="a.js"></script><script>go()</script>'))
    'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='
    """
    bodies = re.findall(r"<script>(.*?)</script>", html, flags=re.DOTALL)
    digests = (base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() for body in bodies)
    return " ".join(f"'sha256-{d}'" for d in digests)


def _docs_pages(app: FastAPI) -> None:
    """``/docs``: Swagger UI over the files ``fastapi-offline`` ships, with the policy its page needs: its one inline
    script by its hash, inline styles and ``data:`` images (its icons). There is no ``/redoc``: ReDoc's bundle loads
    its logo from the vendor's CDN, which a page of this origin only must not do."""
    app.mount(DOCS_ASSETS_PATH, StaticFiles(directory=DOCS_ASSETS), name="docs-assets")
    assert app.openapi_url is not None
    favicon = f"{DOCS_ASSETS_PATH}/favicon.png"
    swagger = get_swagger_ui_html(
        openapi_url=app.openapi_url,
        title=f"{app.title} - Swagger UI",
        swagger_favicon_url=favicon,
        swagger_js_url=f"{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{DOCS_ASSETS_PATH}/swagger-ui.css",
    )
    swagger_policy = (
        f"default-src 'self'; script-src 'self' {_inline_script_hashes(bytes(swagger.body).decode())}; "
        "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )

    @app.get("/docs", include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return HTMLResponse(swagger.body, headers={"Content-Security-Policy": swagger_policy})


def create_app(settings: Settings, *, store: Store | None = None, embedder: Embedder | None = None) -> FastAPI:
    """The service over ``settings``; a given store or embedder is used as is (and not closed by the app)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = open_services(settings, store, embedder)
        app.state.services = services
        if not services.index.current:
            services.refresh_index_in_background()
        if store is None:  # serving for real (tests pass their own store and skip the extra work)
            services.warm_in_background()
        try:
            yield
        finally:
            services.close(store=store is None)

    app = FastAPI(
        title="sharekg",
        version=version("sharekg"),
        summary="Shared research resources (instruments, facilities, datasets, experts) matched to student projects.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    problems.install(app)
    _docs_pages(app)
    for module in (match, analytics, centre, contest, resources, sparql, ingest, health):
        app.include_router(module.router)
    app.mount("/ui", StaticFiles(directory=WEB, html=True), name="ui")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, read_timeout_s=settings.body_timeout_s)
    app.add_middleware(HeaderLimit, limit=settings.max_header_bytes)
    app.add_middleware(SecurityHeaders)  # the last added is the outermost: its headers go on the 431 and 413 too
    return app


def open_services(settings: Settings, store: Store | None = None, embedder: Embedder | None = None) -> Services:
    """Open what the service needs: the store (read-write: uploads write to it), the model, the index, the logs."""
    glossary = GlossarySource(settings.glossary_terms)  # a bad terms file stops the start, before anything opens
    if embedder is None:
        embedder = load_embedder(settings, serving=True)
    store = store if store is not None else open_configured_store(settings)
    demand = DemandLog(settings.demand_path, retention_days=settings.demand_retention_days)
    sparql = SparqlRunner(
        store if isinstance(store, SparqlStore) else None,
        settings.sparql_timeout_s,
        settings.sparql_max_rows,
        memory_mb=settings.sparql_memory_mb,
        service_allow=frozenset(settings.sparql_service_allow),
    )
    keys = KeyRing.load(settings.api_keys_path)
    services = Services(
        settings=settings, store=store, embedder=embedder, demand=demand, keys=keys, sparql=sparql, glossary=glossary
    )
    services.load_index()
    return services


__all__ = ["create_app", "open_services"]
