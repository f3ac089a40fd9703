"""The FastAPI application, built by ``create_app``: the store, the embedder and the settings are passed in or opened
in the lifespan (never at import), and every route reaches them through ``api.deps``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request

from api import problems
from api.keys import KeyRing
from api.routes import analytics, centre, contest, health, ingest, match, resources, sparql
from api.services import Services, load_embedder
from api.settings import Settings, open_configured_store
from api.sparql import SparqlRunner
from graph.centre import DemandLog
from graph.search import Embedder
from graph.store import SparqlStore, Store

WEB = Path(__file__).parent / "web"
log = logging.getLogger("sharekg.api")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, whether or not the client declared the length."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(scope, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        response = problems.problem_response(
            Request(scope), 413, "Request too large",
            f"the request body is over the {self.limit:,}-byte limit (SHAREKG_MAX_BODY_BYTES); send a smaller file "
            "or split it", "request-too-large",
        )  # fmt: skip
        await response(scope, _no_receive, send)


class _TooLarge(Exception):
    pass


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}


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
    )
    problems.install(app)
    for module in (match, analytics, centre, contest, resources, sparql, ingest, health):
        app.include_router(module.router)
    app.mount("/ui", StaticFiles(directory=WEB, html=True), name="ui")

    @app.get("/", include_in_schema=False)
    def home() -> RedirectResponse:
        return RedirectResponse("/ui/")

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def open_services(settings: Settings, store: Store | None = None, embedder: Embedder | None = None) -> Services:
    """Open what the service needs: the store (read-write: uploads write to it), the model, the index, the logs."""
    if embedder is None:
        embedder = load_embedder(settings, serving=True)
    store = store if store is not None else open_configured_store(settings)
    demand = DemandLog(settings.demand_path, retention_days=settings.demand_retention_days)
    sparql = SparqlRunner(
        store if isinstance(store, SparqlStore) else None, settings.sparql_timeout_s, settings.sparql_max_rows,
        memory_mb=settings.sparql_memory_mb, service_allow=frozenset(settings.sparql_service_allow),
    )  # fmt: skip
    keys = KeyRing.load(settings.api_keys_path)
    services = Services(settings=settings, store=store, embedder=embedder, demand=demand, keys=keys, sparql=sparql)
    services.load_index()
    return services


__all__ = ["create_app", "open_services"]
