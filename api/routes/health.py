"""``GET /health``: is the service able to answer, and on what."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter

from api.deps import ServicesDep
from api.schemas import HealthOut

router = APIRouter(tags=["service"])


@router.get("/health", summary="Whether the store and the search index are ready")
def health(services: ServicesDep) -> HealthOut:
    matcher = services.index.matcher
    ok = matcher is not None and not services.index.error
    return HealthOut(
        status="ok" if ok else "degraded",
        store=type(services.store).__name__,
        sources=len(services.store.sources()),
        resources=len(matcher.index.docs) if matcher else 0,
        model=services.embedder.name,
        encoder=getattr(services.embedder, "runtime", type(services.embedder).__name__),
        index_current=services.index.current and not services.index.building,
        version=version("sharekg"),
    )
