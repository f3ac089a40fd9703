"""Dependencies handlers declare: the services, the matcher, the caller of a write, and the reader of the reports
that hold students' needs (``ReaderDep``: a key whose role may read them, see ``api.keys.READ_ROLES``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from api.keys import READ_ROLES, Caller
from api.problems import Problem
from api.services import Services
from graph.search import Matcher

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="A key made with `sharekg keys add`.")


async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def get_matcher(services: ServicesDep) -> Matcher:
    matcher = services.index.matcher
    if matcher is None:
        problem = Problem(
            503,
            "Search index not ready",
            "the search index is being built (embedding every resource takes a few minutes the first time); "
            "try again shortly"
            if services.index.building
            else "there is no search index yet; run `sharekg index` or ingest data",
            kind="index-not-ready",
        )
        problem.headers["Retry-After"] = "30"
        raise problem
    return matcher


MatcherDep = Annotated[Matcher, Depends(get_matcher)]


def get_caller(services: ServicesDep, key: Annotated[str | None, Depends(api_key_header)]) -> Caller:
    if not key:
        problem = Problem(401, "Unauthorized", "this needs an API key in the X-API-Key header (`sharekg keys add`)")
        problem.headers["WWW-Authenticate"] = "APIKey"
        raise problem
    caller = services.keys.caller(key)
    if caller is None:
        raise Problem(401, "Unauthorized", "the API key is not valid; ask the administrator for a new one")
    return caller


CallerDep = Annotated[Caller, Depends(get_caller)]


async def get_client(request: Request) -> str:
    """The address the request came from, which the demand log's per-client limits count by (it is never stored).
    Behind a reverse proxy it is the proxy's: the proxy then limits per client (docs/security.md)."""
    return request.client.host if request.client else ""


ClientDep = Annotated[str, Depends(get_client)]


def get_reader(caller: CallerDep) -> Caller:
    """The caller of a report built on the demand log (students' unpublished ideas): anonymous calls get 401 (from
    ``get_caller``), a key of another role 403."""
    if caller.role not in READ_ROLES:
        raise Problem(
            403,
            "Forbidden",
            f"a {caller.role} key may not read the demand reports; use a key of role {' or '.join(READ_ROLES)}",
            kind="forbidden-role",
        )
    return caller


ReaderDep = Annotated[Caller, Depends(get_reader)]

__all__ = [
    "CallerDep",
    "ClientDep",
    "MatcherDep",
    "ReaderDep",
    "ServicesDep",
    "get_caller",
    "get_client",
    "get_matcher",
    "get_reader",
    "get_services",
]
