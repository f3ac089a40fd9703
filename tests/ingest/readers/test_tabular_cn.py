"""The mapped reader on a Chinese platform's export: Chinese headers, GB18030 or UTF-8, text tagged @zh, CSTR kept.

The data is a hand-written test file (tests/fixtures/mapped/cn-platform/SOURCE.md) read with the shipped mapping
mappings/cn-instrument-platform.toml.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import InputError
from graph.store import open_store
from ingest.mapping import map_record
from ingest.pipeline import ingest_source, input_checksum, plan
from ingest.readers import reader_for
from ingest.readers.base import ReadItem
from ingest.readers.column_mapping import load_column_mapping
from ingest.readers.tabular import MappedReader
from ingest.records import Contact, Instrument, OrgRef, Origin, Place
from ingest.report import Reject
from ontology.terms import DCT, RDFS_, SKG
from tests.conftest import FIXTURES, REPO

CN = FIXTURES / "mapped" / "cn-platform"
GB18030 = CN / "instruments-gb18030.csv"
UTF8 = CN / "instruments-utf8.csv"
MAPPING = REPO / "mappings" / "cn-instrument-platform.toml"
SOURCE = "cn-instrument-platform"
REGENERATE = os.environ.get("SHAREKG_REGENERATE_GOLDEN") == "1"


def read(path: Path, encoding: str | None = None, mapping: Path = MAPPING) -> list[ReadItem]:
    return list(MappedReader(mapping, encoding).read(path, SOURCE))


def instruments(items: list[ReadItem]) -> list[Instrument]:
    return [i for i in items if isinstance(i, Instrument)]


FIRST = Instrument(
    origin=Origin(SOURCE, 2, "TEST-0001"),
    local_id="TEST-0001",
    name="核磁共振波谱仪",
    description="主要技术指标: 磁场强度 14.1 T；1H 灵敏度 ≥ 900:1\n"  # noqa: RUF001 (Chinese punctuation, as written)
    "主要功能: 液体样品一维、二维谱测定，用于有机分子结构鉴定",  # noqa: RUF001
    organization=OrgRef("示例大学化学学院"),
    place=Place(country="China", address="示例市示例路1号化学楼101室"),
    contact=Contact(email="nmr@example.edu.cn", phone="010-00000001"),
    access="共享模式: 对外开放共享；收费标准: 校内 200 元/小时，校外 400 元/小时；联系人: 王老师",  # noqa: RUF001
    specs=(("规格型号", "AVANCE NEO 600"), ("生产厂商", "测试厂商甲")),
    cstr="CSTR:00000.11.TEST0001",
    language="zh",
)


def test_the_two_files_hold_the_same_text_in_two_encodings() -> None:
    assert GB18030.read_bytes().decode("gb18030") == UTF8.read_bytes().decode("utf-8")
    with pytest.raises(UnicodeDecodeError):
        GB18030.read_bytes().decode("utf-8")


@pytest.mark.parametrize("path", [GB18030, UTF8], ids=["gb18030", "utf-8"])
def test_loads_with_the_encoding_detected(path: Path) -> None:
    items = read(path)
    assert instruments(items)[0] == FIRST
    assert [(i.origin.line, i.local_id, i.cstr) for i in instruments(items)] == [
        (2, "TEST-0001", "CSTR:00000.11.TEST0001"),
        (3, "TEST-0002", "CSTR:00000.11.TEST0002"),  # written without the prefix in the file
        (4, "TEST-0003", None),
    ]
    assert [(p.line, p.record_id, p.field) for p in items if isinstance(p, Reject)] == [(5, "TEST-0004", "联系邮箱")]


@pytest.mark.parametrize(("path", "encoding"), [(GB18030, "gb18030"), (GB18030, "GBK"), (UTF8, "utf-8")])
def test_loads_with_the_encoding_given(path: Path, encoding: str) -> None:
    assert instruments(read(path, encoding))[0] == FIRST
    reader = reader_for(path, "mapped", MAPPING, encoding)
    assert instruments(list(reader.read(path, SOURCE)))[0] == FIRST


def test_the_mapping_file_can_declare_the_encoding(tmp_path: Path) -> None:
    mapping = tmp_path / "cn.toml"
    mapping.write_text(MAPPING.read_text(encoding="utf-8").replace("[input]\n", '[input]\nencoding = "gb18030"\n', 1))
    assert load_column_mapping(mapping).encoding == "gb18030"
    assert instruments(read(GB18030, mapping=mapping))[0] == FIRST
    with pytest.raises(InputError, match=r"line 1 is not valid GB18030 \(declared in cn\.toml\)"):
        read(UTF8, mapping=mapping)  # UTF-8 read as GB18030: its first bytes are not GB18030


def test_a_wrong_declared_encoding_fails_with_the_line(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        read(GB18030, "utf-8")
    assert str(raised.value).startswith(f"{SOURCE}: line 1 is not valid UTF-8 (declared in --encoding): byte 0x")
    assert "gb18030" in str(raised.value)
    # valid UTF-8 headers, then a GB18030 row: the error names that row's line
    mixed = tmp_path / "mixed.csv"
    lines = UTF8.read_bytes().split(b"\n")
    mixed.write_bytes(b"\n".join([*lines[:3], lines[3].decode("utf-8").encode("gb18030"), *lines[4:]]))
    with pytest.raises(InputError, match=r"line 4 is not valid UTF-8 \(declared in --encoding\)"):
        read(mixed, "utf-8")


def test_a_wrong_guess_is_reported_as_headers_that_do_not_match(tmp_path: Path) -> None:
    # Big5 (traditional Chinese) bytes are not UTF-8 and happen to decode as GB18030: mojibake headers, refused whole
    big5 = tmp_path / "big5.csv"
    big5.write_bytes("儀器編號,儀器名稱\nTEST-1,核磁共振\n".encode("big5"))
    assert big5.read_bytes().decode("gb18030").startswith("祸竟絪腹")
    with pytest.raises(InputError) as raised:
        read(big5)
    message = str(raised.value)
    assert "the header matches none of the columns of cn-instrument-platform.toml when read as GB18030 (detected)" in (
        message
    )
    assert "set input.encoding in the mapping or pass --encoding" in message
    with pytest.raises(InputError, match=r"as big5 \(declared in --encoding\).* header \['儀器編號', '儀器名稱'\]"):
        read(big5, "big5")  # named rightly, the header reads as written (traditional, so still not this mapping's)


def test_an_unknown_encoding_is_refused() -> None:
    with pytest.raises(InputError, match=r"--encoding: unknown encoding 'gb-18030'"):
        reader_for(GB18030, "mapped", MAPPING, "gb-18030")
    with pytest.raises(InputError, match=r"--encoding applies to format 'mapped'"):
        reader_for(REPO / "sample" / "uniquip-st-andrews" / "equipment.csv", None, None, "gb18030")


def test_text_is_written_in_the_records_language_and_the_cstr_kept() -> None:
    mapped = map_record(FIRST)
    objects = {(p.value, o) for s, p, o in mapped.triples if s == mapped.focus}
    assert (RDFS_.label.value, ox.Literal("核磁共振波谱仪", language="zh")) in objects
    assert (DCT.description.value, ox.Literal(FIRST.description or "", language="zh")) in objects
    assert (SKG.accessTerms.value, ox.Literal(FIRST.access or "", language="zh")) in objects
    assert (SKG.specification.value, ox.Literal("规格型号: AVANCE NEO 600", language="zh")) in objects
    assert (SKG.cstr.value, ox.Literal("CSTR:00000.11.TEST0001")) in objects  # an identifier: no language
    assert (SKG.localId.value, ox.Literal("TEST-0001")) in objects
    assert (SKG.contactEmail.value, ox.Literal("nmr@example.edu.cn")) in objects
    # a record without a language keeps plain literals, as before
    plain = map_record(Instrument(origin=FIRST.origin, local_id="x", name="NMR"))
    assert (plain.focus, RDFS_.label, ox.Literal("NMR")) in plain.triples


def test_golden_triples_and_rejects() -> None:
    """Read and mapped (checked and stored: the test after this one): the exact triples and rejects of the GB18030
    file."""
    triples: set[str] = set()
    rejects = []
    for item in read(GB18030):
        if isinstance(item, Reject):
            rejects.append(json.dumps(item.as_dict(), ensure_ascii=False))
        else:
            triples.update(f"{s} {p} {o} ." for s, p, o in map_record(item).all_triples())
    got = {"expected.nt": sorted(triples), "expected_rejects.jsonl": rejects}
    for name, lines in got.items():
        if REGENERATE:
            (CN / name).write_bytes("".join(line + "\n" for line in lines).encode("utf-8"))
        assert lines == (CN / name).read_bytes().decode("utf-8").split("\n")[:-1], name


def test_a_chinese_catalogue_loads_into_the_store(tmp_path: Path) -> None:
    store = open_store(tmp_path / "store")
    (plan_,) = plan([GB18030], SOURCE, "mapped", MAPPING)
    report = ingest_source(store, plan_, tmp_path / "runs")
    assert (report.status, report.loaded, report.rejected) == ("loaded", 3, 1)


def test_plan_passes_the_encoding_to_the_mapped_reader() -> None:
    (plan_,) = plan([GB18030], SOURCE, "mapped", MAPPING, "GBK")
    ((path, reader),) = plan_.files
    assert isinstance(reader, MappedReader) and reader.encoding == "gbk"
    assert instruments(list(reader.read(path, SOURCE)))[0] == FIRST
    with pytest.raises(InputError, match=r"line 1 is not valid UTF-8 \(declared in --encoding\)"):
        list(plan([GB18030], SOURCE, "mapped", MAPPING, "utf-8")[0].files[0][1].read(GB18030, SOURCE))
    with pytest.raises(InputError, match=r"--encoding applies to format 'mapped'"):
        plan([REPO / "sample" / "uniquip-st-andrews" / "equipment.csv"], encoding="gb18030")


def test_a_changed_mapping_or_encoding_reloads_the_source(tmp_path: Path) -> None:
    """The checksum covers the mapping file and the encoding given, not only the data: changing either reloads."""
    store = open_store(tmp_path / "store")
    mapping = tmp_path / "cn.toml"
    mapping.write_bytes(MAPPING.read_bytes())

    def ingest(encoding: str | None = None) -> str:
        (plan_,) = plan([GB18030], SOURCE, "mapped", mapping, encoding)
        return ingest_source(store, plan_, tmp_path / "runs").status

    assert [ingest(), ingest()] == ["loaded", "unchanged"]
    assert [ingest("gb18030"), ingest("gb18030"), ingest()] == ["loaded", "unchanged", "loaded"]
    text = MAPPING.read_text(encoding="utf-8")
    assert ', "联系人" = "联系人"' in text
    mapping.write_text(text.replace(', "联系人" = "联系人"', "", 1), encoding="utf-8")  # access without the contact
    assert [ingest(), ingest()] == ["loaded", "unchanged"]
    rows = store.query(f"SELECT ?a WHERE {{ ?i <{SKG.accessTerms.value}> ?a }}")
    assert isinstance(rows, ox.QuerySolutions)
    access = [row["a"].value for row in rows]
    assert len(access) == 3 and not any("联系人" in a for a in access)  # the new mapping's records, not the old ones
    # the same file and mapping under another name give the same checksum: bytes count, not where they lie
    copy = tmp_path / "copy.toml"
    copy.write_bytes(mapping.read_bytes())
    checksums = {input_checksum(plan([GB18030], SOURCE, "mapped", m)[0].files)[0] for m in (mapping, copy)}
    assert len(checksums) == 1
