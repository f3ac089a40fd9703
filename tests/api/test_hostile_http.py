"""Hostile HTTP on a real server (issue 14, items 11 and 12): the app served by uvicorn with the options of
`sharekg serve` on a free loopback port, over the small real graph of the API tests.

Each reproducer is bounded: one oversized header (2 MiB, where the probe sent 30 MB: the server stops reading at
about 96 KiB either way), a handful of bodies a little over the limit, and after each refusal a plain request that
shows the server still serves.
"""

from __future__ import annotations

import json
import select
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import CONTENT_SECURITY_POLICY, create_app
from api.commands.service import REQUEST_LINE_BYTES, server_options
from api.keys import add_key
from api.settings import Settings
from graph.search import Embedder
from graph.store import open_store

BODY_LIMIT = 200_000
HEADER_LIMIT = 16 * 1024
BODY_TIMEOUT_S = 1.0
START_WAIT_S = 60.0
PROBLEM = "application/problem+json"


@dataclass
class Server:
    url: str
    admin_key: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, template: Path, embedder: Embedder) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("hostile")
    shutil.copytree(template, data_dir, dirs_exist_ok=True)
    store = open_store(data_dir / "store")
    settings = Settings(
        data_dir=data_dir,
        model=embedder.name,
        max_body_bytes=BODY_LIMIT,
        max_header_bytes=HEADER_LIMIT,
        body_timeout_s=BODY_TIMEOUT_S,
        demand_log_burst=3,
    )
    admin = add_key(settings.api_keys_path, "ops", "admin", None)
    app = create_app(settings, store=store, embedder=embedder)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # a free port, held from now on
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_level="warning", ws="none", lifespan="on", access_log=False, **server_options(settings)
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_WAIT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the sharekg app did not start; see the log above")
        time.sleep(0.05)
    yield Server(f"http://127.0.0.1:{port}", admin)
    server.should_exit = True
    thread.join(timeout=30)
    sock.close()
    store.close()


def still_serving(server: Server) -> None:
    response = httpx.get(f"{server.url}/health", timeout=30)
    assert response.status_code == 200, response.text


def raw_request(server: Server, head: bytes, chunk: bytes, repeat: int) -> tuple[bytes, int]:
    """Sends ``head`` then up to ``repeat`` times ``chunk`` on one connection, stopping as soon as the server
    answers, and reads the answer until the server closes the connection (or 30 s pass). Returns the answer and
    how many bytes were sent."""
    host, port = server.url.removeprefix("http://").split(":")
    answer, sent = b"", 0
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        try:
            conn.sendall(head)
            sent += len(head)
            for _ in range(repeat):
                if select.select([conn], [], [], 0.01)[0]:
                    break  # the server answered: it read no further
                conn.sendall(chunk)
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused mid-request: what it answered is read below
        try:
            while data := conn.recv(65536):
                answer += data
        except ConnectionResetError:
            pass
    return answer, sent


# Item 11: request headers


def test_a_huge_header_is_refused_without_being_read_and_the_server_keeps_serving(server: Server) -> None:
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: "
    chunk = b"a" * 65536
    answer, sent = raw_request(server, head, chunk, repeat=32)  # up to 2 MiB of one header, never finished
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert sent < 1024 * 1024  # answered (and closed) after about 80 KiB, not after reading it all
    still_serving(server)


def test_headers_over_the_apps_limit_get_431_as_a_problem_document(server: Server) -> None:
    headers = {f"x-filler-{i}": "b" * 1000 for i in range(20)}  # 20 KB: over 16 KiB, under what the server buffers
    response = httpx.get(f"{server.url}/health", headers=headers, timeout=30)
    assert response.status_code == 431
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("/headers-too-large") and "SHAREKG_MAX_HEADER_BYTES" in problem["detail"]
    assert response.headers["x-content-type-options"] == "nosniff"
    still_serving(server)


def test_headers_under_the_limit_and_a_long_query_string_are_served(server: Server) -> None:
    headers = {f"x-filler-{i}": "c" * 1000 for i in range(10)}  # 10 KB
    response = httpx.get(f"{server.url}/health", headers=headers, timeout=30)
    assert response.status_code == 200
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1 # " + "d" * (REQUEST_LINE_BYTES // 2)
    response = httpx.get(f"{server.url}/sparql", params={"query": query}, timeout=60)
    assert response.status_code == 200, response.text


# The misbehaving load client: a body stalled half-way


def test_a_body_stalled_half_way_is_408_and_its_connection_closed(server: Server) -> None:
    body = json.dumps({"text": "x-ray diffraction of perovskite thin films", "k": 3}).encode()
    head = (
        f"POST /match HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    started = time.monotonic()
    answer, _ = raw_request(server, head + body[: len(body) // 2], b"", repeat=0)  # then nothing: reads until closed
    waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    assert b"connection: close" in answer.lower() and b"SHAREKG_BODY_TIMEOUT_S" in answer
    assert BODY_TIMEOUT_S <= waited < BODY_TIMEOUT_S + 10  # closed by the server, not by the client's 30 s
    still_serving(server)


def test_a_slow_body_with_short_pauses_is_served(server: Server) -> None:
    body = json.dumps({"text": "x-ray diffraction of perovskite thin films", "k": 3}).encode()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 16):
            time.sleep(BODY_TIMEOUT_S / 4)  # well inside the limit each time, longer than it in all
            yield body[start : start + 16]

    response = httpx.post(
        f"{server.url}/match", content=chunks(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 200, response.text[:300]


# Item 12: bodies over the limit, chunked or declared


def too_large_match() -> bytes:
    return json.dumps({"text": "x-ray diffraction of thin films " * (BODY_LIMIT // 20)}).encode()


def assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text[:300]
    assert response.headers["content-type"] == PROBLEM
    assert "SHAREKG_MAX_BODY_BYTES" in response.json()["detail"]


def test_an_oversized_json_body_is_413_when_declared(server: Server) -> None:
    body = too_large_match()
    assert len(body) > BODY_LIMIT
    response = httpx.post(f"{server.url}/match", content=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert "chunked" not in response.request.headers.get("transfer-encoding", "")
    assert_413(response)
    still_serving(server)


def test_an_oversized_json_body_is_413_when_chunked(server: Server) -> None:
    body = too_large_match()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 16384):
            yield body[start : start + 16384]

    response = httpx.post(
        f"{server.url}/match", content=chunks(), headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_413(response)
    still_serving(server)


def test_an_oversized_chunked_upload_is_413_and_nothing_is_written(server: Server) -> None:
    boundary = "sharekgboundary"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    rows = b"ID,Name\r\n" + b"".join(f"r{i},instrument {i}\r\n".encode() for i in range(20_000))
    body = part + rows + f"\r\n--{boundary}--\r\n".encode()
    assert len(body) > BODY_LIMIT
    before = httpx.get(f"{server.url}/health", timeout=30).json()

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 16384):
            yield body[start : start + 16384]

    response = httpx.post(
        f"{server.url}/ingest",
        content=chunks(),
        timeout=30,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "X-API-Key": server.admin_key},
    )
    assert_413(response)
    assert httpx.get(f"{server.url}/health", timeout=30).json() == before


def test_a_chunked_body_under_the_limit_is_answered(server: Server) -> None:
    body = json.dumps({"text": "x-ray magnetic circular dichroism of thin films"}).encode()
    response = httpx.post(
        f"{server.url}/match",
        content=iter([body[:10], body[10:]]),
        headers={"Content-Type": "application/json"},
        timeout=60,
    )
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 200, response.text[:300]


def test_a_malformed_json_body_under_the_limit_is_still_422(server: Server) -> None:
    response = httpx.post(
        f"{server.url}/match", content=b'{"text": ', headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 422


# Item 12: security headers on every response, the API docs without a CDN


@pytest.mark.parametrize(
    "path", ["/ui/", "/ui/centre.html", "/ui/common.js", "/health", "/resources/nowhere/x", "/openapi.json", "/docs"]
)
def test_every_response_carries_the_security_headers(server: Server, path: str) -> None:
    response = httpx.get(f"{server.url}{path}", timeout=30)
    assert response.status_code in (200, 404)
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "http:" not in policy and "https:" not in policy
    if path.startswith("/ui/") or path == "/health":
        assert policy == CONTENT_SECURITY_POLICY
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0]


def test_the_pages_use_no_inline_script() -> None:
    web = Path(__file__).parents[2] / "api" / "web"
    for page in web.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and " on" + "click=" not in html, page.name
        assert all('src="' in tag for tag in html.split("<script")[1:]), page.name


def test_the_api_docs_load_nothing_from_another_origin(server: Server) -> None:
    swagger = httpx.get(f"{server.url}/docs", timeout=30)
    assert "http://" not in swagger.text and "https://" not in swagger.text
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css", "/docs-assets/favicon.png"):
        assert asset in swagger.text
        assert httpx.get(f"{server.url}{asset}", timeout=30).status_code == 200, asset
    assert "'sha256-" in swagger.headers["content-security-policy"]
    assert httpx.get(f"{server.url}/redoc", timeout=30).status_code == 404  # ReDoc's bundle loads a CDN logo


def test_a_forged_forwarded_for_address_does_not_pass_the_per_client_limit(server: Server) -> None:
    """uvicorn believes X-Forwarded-For from loopback unless told not to: a client giving each request a new address
    would be a new client each time (found by benchmarks/load.py --misbehave)."""
    verdicts = []
    for n in range(6):
        response = httpx.post(
            f"{server.url}/match",
            json={"text": f"electron microscopy of sample {n}", "k": 1},
            timeout=60,
            headers={"X-Forwarded-For": f"203.0.113.{n + 1}"},
        )
        assert response.status_code == 200, response.text
        verdicts.append(response.headers["X-Demand-Log"])
    assert "rate-limited" in verdicts[3:], verdicts
