"""A table's bytes as text, in the encoding it declares or the one its bytes show, never as mojibake.

Chinese platforms export spreadsheets in GB18030 (or GBK, GB2312: both are subsets of it) as often as in UTF-8.
Without a declared encoding: a byte order mark says UTF-8 or UTF-16; else a file that decodes as UTF-8 is UTF-8;
else, when its *header* line is not UTF-8 either (the header is where a wrong guess would show), it is GB18030,
which must then decode the whole file. Anything else stays UTF-8 with its bad bytes kept as lone surrogates, so each
row holding one is rejected naming its line (``ingest.readers.base``), as for every reader.

A declared encoding that does not decode the file, or a detected GB18030 that does not, is an ``InputError`` naming
the line; a header that then matches none of the mapping's columns is reported by the reader with the encoding used.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from graph.errors import InputError

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


@dataclass(frozen=True, slots=True)
class Decoded:
    """The text, the codec that read it and how that codec was chosen (for messages)."""

    text: str
    encoding: str
    how: str  # "declared in …", "byte order mark", "detected"

    @property
    def described(self) -> str:
        """``GB18030 (detected)``: the encoding as a message names it."""
        return f"{_display(self.encoding)} ({self.how})"


def decode_table(data: bytes, source: str, declared: str | None = None, declared_in: str = "") -> Decoded:
    """Decode a CSV, TSV or JSON Lines file; ``declared`` (a codec name) wins over detection.

    >>> decode_table("仪器名称\\n".encode("gb18030"), "s").described
    'GB18030 (detected)'
    >>> decode_table("仪器名称\\n".encode("utf-8"), "s").text
    '仪器名称\\n'
    >>> decode_table(b"name\\nok\\n\\xff\\xfe\\n", "s", "utf-8", "--encoding")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph.errors.InputError: s: line 3 is not valid UTF-8 (declared in --encoding): byte 0xff at column 1; ...
    """
    if declared is not None:
        how = f"declared in {declared_in}" if declared_in else "declared"
        bom_utf8 = codecs.lookup(declared).name == "utf-8" and data.startswith(codecs.BOM_UTF8)
        codec = "utf-8-sig" if bom_utf8 else declared
        return Decoded(_strict(data, codec, source, how), declared, how)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(_strict(data, encoding, source, "byte order mark"), encoding, "byte order mark")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "detected")
    except UnicodeDecodeError:
        pass
    header = data.split(b"\n", 1)[0]
    if not header.isascii() and not _is_utf8(header):
        return Decoded(_strict(data, "gb18030", source, "detected"), "gb18030", "detected")
    return Decoded(data.decode("utf-8", errors="surrogateescape"), "utf-8", "detected")


def _strict(data: bytes, encoding: str, source: str, how: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        before = data[: e.start].decode(encoding, errors="replace")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        bad = " ".join(f"0x{b:02x}" for b in data[e.start : min(e.end, e.start + 4)])
        raise InputError(
            f"{source}: line {line} is not valid {_display(encoding)} ({how}): byte {bad} at column {column}; "
            "set the file's real encoding (e.g. gb18030) or re-save it as UTF-8"
        ) from None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _display(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "utf-16": "UTF-16", "gb18030": "GB18030", "gbk": "GBK"}.get(
        name, name
    )
