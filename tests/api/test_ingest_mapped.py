"""A mapped file over HTTP and the command line: POST /ingest with a column mapping (and an encoding), --encoding.

The data is the hand-written GB18030 test file of a Chinese platform's export (tests/fixtures/mapped/cn-platform/)
with the shipped mapping mappings/cn-instrument-platform.toml.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from api.routes import ingest
from tests.api.conftest import Service
from tests.api.test_cli import invoke
from tests.api.test_service import assert_problem
from tests.conftest import FIXTURES, REPO

GB18030 = FIXTURES / "mapped" / "cn-platform" / "instruments-gb18030.csv"
MAPPING = REPO / "mappings" / "cn-instrument-platform.toml"
SOURCE = "cn-platform"


def _upload(service: Service, data: bytes, mapping: bytes | None = None, **form: str) -> object:
    files = {"file": ("instruments.csv", data)}
    if mapping is not None:
        files["mapping"] = ("cn-instrument-platform.toml", mapping)
    return service.client.post("/ingest", files=files, data=form, headers={"X-API-Key": service.admin_key})


def _zh_labels(service: Service) -> set[str]:
    rows = service.store.query(  # type: ignore[attr-defined]
        "PREFIX skg: <https://w3id.org/sharekg/ns#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
        "SELECT ?label WHERE { ?i a skg:Instrument ; rdfs:label ?label FILTER(lang(?label) = 'zh') }"
    )
    assert isinstance(rows, ox.QuerySolutions)
    return {row["label"].value for row in rows}


def test_a_chinese_export_loads_with_its_mapping(writable_service: Service) -> None:
    r = _upload(writable_service, GB18030.read_bytes(), MAPPING.read_bytes(), source=SOURCE)
    body = r.json()  # type: ignore[attr-defined]
    assert r.status_code == 200, body  # type: ignore[attr-defined]
    assert (body["status"], body["loaded"], body["rejected"]) == ("loaded", 3, 1)
    assert [(p["line"], p["record_id"], p["field"]) for p in body["problems"]] == [(5, "TEST-0004", "联系邮箱")]
    assert "核磁共振波谱仪" in _zh_labels(writable_service)
    # the same file and mapping again: unchanged; told an encoding it was not told before: another input, reloaded
    again = _upload(writable_service, GB18030.read_bytes(), MAPPING.read_bytes(), source=SOURCE, format="mapped")
    assert again.json()["status"] == "unchanged"  # type: ignore[attr-defined]
    told = _upload(writable_service, GB18030.read_bytes(), MAPPING.read_bytes(), source=SOURCE, encoding="GBK")
    assert told.json()["status"] == "loaded"  # type: ignore[attr-defined]


def test_a_wrong_declared_encoding_is_a_422_naming_the_line(writable_service: Service) -> None:
    before = writable_service.store.sources()
    r = _upload(writable_service, GB18030.read_bytes(), MAPPING.read_bytes(), source=SOURCE, encoding="utf-8")
    problem = assert_problem(
        r, 422, f"{SOURCE}: line 1 is not valid UTF-8", "declared in the `encoding` field", "gb18030"
    )
    assert "--encoding" not in str(problem["detail"])
    assert_problem(
        _upload(writable_service, GB18030.read_bytes(), MAPPING.read_bytes(), encoding="gb-18030"),
        422,
        "encoding: unknown encoding 'gb-18030'",
    )
    assert writable_service.store.sources() == before


def test_a_mapped_upload_needs_a_valid_mapping(writable_service: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    data = GB18030.read_bytes()
    assert_problem(_upload(writable_service, data, format="mapped"), 422, "send the mapping file", "`mapping`")
    assert_problem(_upload(writable_service, data, encoding="gb18030"), 422, "`encoding` applies to a mapped upload")
    assert_problem(
        _upload(writable_service, data, MAPPING.read_bytes(), format="uniquip"), 422, "read only with format 'mapped'"
    )
    bad = MAPPING.read_text(encoding="utf-8").replace('record = "Instrument"', 'record = "Equipment"').encode()
    problem = assert_problem(
        _upload(writable_service, data, bad),
        422,
        "cn-instrument-platform.toml: input.record: 'Equipment' is not allowed",
    )
    assert "sharekg-upload" not in str(problem["detail"])  # the file by its name, not the server's folder
    assert_problem(_upload(writable_service, data, b"[input\n"), 422, "cn-instrument-platform.toml: not valid TOML")
    columns = MAPPING.read_text(encoding="utf-8").replace('name = "仪器名称"', 'name = "名称"').encode()
    problem = assert_problem(_upload(writable_service, data, columns), 422, "columns ['名称'] named in")
    assert "sharekg-upload" not in str(problem["detail"])
    monkeypatch.setattr(ingest, "MAPPING_MAX_BYTES", 8 * 1024)  # a cap below the test service's body limit
    assert_problem(
        _upload(writable_service, data, MAPPING.read_bytes() + b"#" * 8 * 1024), 413, "the mapping is larger than 8 KiB"
    )


def test_the_ingest_command_takes_an_encoding(tmp_path: Path) -> None:
    args = ("ingest", "--no-index", "--source", SOURCE, "--mapping", str(MAPPING), str(GB18030))
    code, out = invoke(tmp_path / "var", *args, "--encoding", "utf-8")
    assert code == 1 and "line 1 is not valid UTF-8 (declared in --encoding)" in out, out
    code, out = invoke(tmp_path / "var", *args, "--encoding", "gb18030")
    assert code == 0 and "loaded" in out, out
    code, out = invoke(tmp_path / "var", *args, "--encoding", "gb18030")
    assert code == 0 and "unchanged" in out, out
    code, out = invoke(tmp_path / "var", *args)  # detected now: another checksum, loaded again
    assert code == 0 and "loaded" in out, out
