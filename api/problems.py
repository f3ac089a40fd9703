"""Every error the service returns is an RFC 9457 problem document (``application/problem+json``).

A problem says what went wrong in words a person can act on; a stack trace never leaves the server (it goes to
the log). Library errors map to statuses here, in one place.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import ConfigurationError, InputError, MatchError, RecordError, SharekgError, StoreError

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://w3id.org/sharekg/problems/"
log = logging.getLogger("sharekg.api")


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str, *, kind: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.kind = kind or title.lower().replace(" ", "-")
        self.extra = extra
        self.headers: dict[str, str] = {}


def problem_response(
    request: Request,
    status: int,
    title: str,
    detail: str,
    kind: str,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body = {
        "type": TYPE_BASE + kind,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


#: Library errors → (status, title). Order matters: the first class that matches wins.
LIBRARY_ERRORS: list[tuple[type[SharekgError], int, str]] = [
    (MatchError, 422, "Match request cannot be answered"),
    (RecordError, 422, "Invalid record"),
    (InputError, 422, "Invalid input"),
    (ConfigurationError, 400, "Invalid request"),
    (StoreError, 503, "Store unavailable"),
    (SharekgError, 400, "Request failed"),
]


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem document."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(request, exc.status, exc.title, exc.detail, exc.kind, exc.headers, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {
            404: "Not found",
            405: "Method not allowed",
            401: "Unauthorized",
            403: "Forbidden",
            413: "Request too large",
            406: "Not acceptable",
            415: "Unsupported media type",
        }
        title = titles.get(exc.status_code, "Request failed")
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint {request.url.path}; the API is listed at /docs"
        if exc.status_code == 405 and detail == "Method Not Allowed":
            detail = f"{request.method} is not allowed on {request.url.path}; the API is listed at /docs"
        return problem_response(
            request, exc.status_code, title, detail, title.lower().replace(" ", "-"), dict(exc.headers or {})
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body", "reason": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['reason']}" for e in errors[:5])
        return problem_response(request, 422, "Invalid request", detail, "invalid-request", errors=errors)

    @app.exception_handler(SharekgError)
    async def _library(request: Request, exc: SharekgError) -> JSONResponse:
        for cls, status, title in LIBRARY_ERRORS:
            if isinstance(exc, cls):
                extra: dict[str, Any] = {}
                if isinstance(exc, RecordError):
                    extra = {"record": exc.record_id, "field": exc.field, "line": exc.line, "source": exc.source}
                return problem_response(request, status, title, str(exc), title.lower().replace(" ", "-"), **extra)
        raise AssertionError("unreachable: SharekgError is the last entry")  # pragma: no cover

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            request,
            500,
            "Internal error",
            "the server failed to answer this request; it has been logged. Try again, and report it if it persists",
            "internal-error",
        )


__all__ = ["PROBLEM_JSON", "Problem", "install", "problem_response"]
