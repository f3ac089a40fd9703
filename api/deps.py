"""Dependencies handlers declare: the services, the matcher, and the caller of a write."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from api.keys import Caller
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
            503, "Search index not ready",
            "the search index is being built (embedding every resource takes a few minutes the first time); "
            "try again shortly" if services.index.building else
            "there is no search index yet; run `sharekg index` or ingest data",
            kind="index-not-ready",
        )  # fmt: skip
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

__all__ = ["CallerDep", "MatcherDep", "ServicesDep", "get_caller", "get_matcher", "get_services"]
