"""The JSON file beside each saved index (vector or lexical) that names its format and version: written by ``save``,
checked by ``load`` before anything else is read, so an index written by another version is refused, not misread."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def write_meta(path: Path, fmt: str, version: int, fields: dict[str, Any]) -> None:
    """Write ``fields`` to ``path`` as JSON, after ``format`` and ``version``."""
    meta = {"format": fmt, "version": version, **fields}
    path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def read_meta(path: Path, fmt: str, version: int) -> dict[str, Any]:
    """The fields of the meta file at ``path``; ``ValueError`` when it is not JSON of format ``fmt`` version
    ``version`` (``OSError`` when it cannot be read): the caller says how to rebuild the index."""
    meta = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(meta, dict):
        raise ValueError(f"{path.name} holds {type(meta).__name__}, not an object")
    if meta.get("format") != fmt or meta.get("version") != version:
        raise ValueError(f"format {meta.get('format')!r} version {meta.get('version')!r}")
    return meta


__all__ = ["read_meta", "write_meta"]
