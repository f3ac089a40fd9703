"""Commands for the HTTP service: serve, and the API keys it checks."""

from __future__ import annotations

from typing import Any

import click

from api.commands.common import console
from api.settings import Settings
from graph.errors import SharekgError

#: What a request line (method, path and query) may add to the headers' limit before the server stops reading.
REQUEST_LINE_BYTES = 64 * 1024


def server_options(settings: Settings) -> dict[str, Any]:
    """The uvicorn options every server of the app uses (``sharekg serve``, tests on loopback, benchmarks).

    The HTTP parser is h11, named rather than left to uvicorn: with uvicorn[standard] installed uvicorn picks
    httptools, which buffers a request's head without limit (a 30 MB header was read whole and answered). h11 stops
    reading a head over ``h11_max_incomplete_event_size`` and answers 400, closing the connection; headers under
    that but over ``max_header_bytes`` get the app's 431 (``api.app.HeaderLimit``).

    Forwarded headers are not believed (``proxy_headers`` off): uvicorn trusts ``X-Forwarded-For`` from 127.0.0.1 by
    default, so a local client could give every request a new address and pass the demand log's per-client limits
    (found by ``benchmarks/load.py --misbehave``). Behind a reverse proxy, the proxy limits per client
    (docs/security.md)."""
    return {
        "http": "h11",
        "h11_max_incomplete_event_size": settings.max_header_bytes + REQUEST_LINE_BYTES,
        "proxy_headers": False,
    }


@click.command()
@click.option("--host", help="Address to listen on [env SHAREKG_HOST, default 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [env SHAREKG_PORT, default 8000].")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Serve the HTTP API, the SPARQL endpoint and the web page over the store (stop with Ctrl-C)."""
    import uvicorn

    from api.app import create_app

    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    if not settings.neo4j_uri and not settings.store_dir.exists():
        raise click.UsageError(f"no store at {settings.store_dir}; run `sharekg ingest --sample` (or your data) first")
    address = f"http://{settings.host}:{settings.port}"
    if settings.encoder_runtime != "torch" and not any(settings.models_dir.glob("*.onnx")):
        console.print(
            f"first start: exporting the embedding model for ONNX Runtime into {settings.models_dir} (once, about 10 s)"
        )
    console.print(f"sharekg serving {settings.store_dir}: web page {address}/ui/ · API docs {address}/docs")
    uvicorn.run(
        create_app(settings), host=settings.host, port=settings.port, log_level="info", **server_options(settings)
    )


@click.group()
def keys() -> None:
    """API keys for writing through the HTTP API (POST /ingest)."""


@keys.command("add")
@click.argument("name")
@click.option(
    "--role",
    type=click.Choice(["admin", "centre"]),
    required=True,
    help="admin: any source; centre: only its own organisation's records, into sources named after it.",
)
@click.option("--organization", help="The organisation a centre key acts for (its name as the catalogues give it).")
@click.pass_obj
def keys_add(settings: Settings, name: str, role: str, organization: str | None) -> None:
    """Create a key called NAME; the key is printed once and only its SHA-256 hash is stored."""
    from api.keys import add_key

    try:
        key = add_key(settings.api_keys_path, name, "admin" if role == "admin" else "centre", organization)
    except SharekgError as e:
        raise click.UsageError(str(e)) from e
    console.print(f"key {name!r} ({role}) added to {settings.api_keys_path}; it is shown only now:")
    click.echo(key)
