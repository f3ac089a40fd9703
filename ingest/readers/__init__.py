"""One reader per source format, and detection of which one a file needs."""

from __future__ import annotations

from pathlib import Path

from graph.errors import InputError
from ingest.readers.base import Reader, ReadItem, head_text
from ingest.readers.beamlines import BeamlineReader, LightSourceReader
from ingest.readers.column_mapping import encoding_name
from ingest.readers.contest import ContestReader
from ingest.readers.datafinder import DataFinderReader
from ingest.readers.dcat import DcatReader
from ingest.readers.nsf_mri import NsfMriReader
from ingest.readers.nsf_pi import NsfInvestigatorReader
from ingest.readers.openalex import OpenAlexReader
from ingest.readers.skos import SkosReader
from ingest.readers.tabular import MappedReader
from ingest.readers.uniquip import UniquipReader
from ingest.readers.usage import CapacityReader, UsageReader

#: Files a reader reads beside its main input; a folder ingest does not treat them as inputs.
COMPANION_FILES = {"works.jsonl"}
#: Files a folder ingest skips: documentation and mapping files.
SKIPPED_SUFFIXES = {".md", ".txt", ".toml"}


def fixed_readers() -> dict[str, Reader]:
    """Readers that need nothing but the file (the mapped reader also needs its mapping)."""
    readers: list[Reader] = [
        UniquipReader(),
        NsfMriReader(),
        BeamlineReader(),
        LightSourceReader(),
        DataFinderReader(),
        DcatReader(),
        NsfInvestigatorReader(),
        OpenAlexReader(),
        SkosReader(),
        UsageReader(),
        CapacityReader(),
        ContestReader(),
    ]
    return {r.name: r for r in readers}


FORMAT_NAMES = [*sorted(fixed_readers()), "mapped"]


def mapping_beside(path: Path) -> Path | None:
    """``data.csv.mapping.toml`` / ``data.mapping.toml`` beside the file, or ``mapping.toml`` in its folder."""
    for candidate in (
        path.with_name(path.name + ".mapping.toml"),
        path.with_suffix(".mapping.toml"),
        path.parent / "mapping.toml",
    ):
        if candidate.is_file():
            return candidate
    return None


def reader_for(path: Path, fmt: str | None = None, mapping: Path | None = None, encoding: str | None = None) -> Reader:
    """The reader for ``path``: the one named by ``fmt``, else the mapping beside it, else the one that sniffs it.

    ``encoding`` (a codec name) is for the mapped reader, whose mapping may declare one too; other formats are UTF-8.
    """
    readers = fixed_readers()
    if fmt == "mapped" or (fmt is None and (mapping or mapping_beside(path))):
        found = mapping or mapping_beside(path)
        if found is None:
            raise InputError(f"{path}: format 'mapped' needs a mapping file; pass --mapping FILE")
        return MappedReader(found, encoding_name(encoding, lambda problem: InputError(f"--encoding: {problem}")))
    if encoding is not None:
        raise InputError(f"{path}: --encoding applies to format 'mapped' (with a mapping file); the others read UTF-8")
    if fmt is not None:
        if fmt not in readers:
            raise InputError(f"unknown format {fmt!r}; use one of {FORMAT_NAMES}")
        return readers[fmt]
    head = head_text(path)
    matches = [r for r in readers.values() if r.sniff(path, head)]
    if len(matches) != 1:
        which = "no format" if not matches else f"several formats ({', '.join(r.name for r in matches)})"
        raise InputError(f"{path}: {which} recognised this file; name one with --format ({', '.join(FORMAT_NAMES)})")
    return matches[0]


__all__ = ["COMPANION_FILES", "FORMAT_NAMES", "SKIPPED_SUFFIXES", "ReadItem", "Reader", "reader_for"]
