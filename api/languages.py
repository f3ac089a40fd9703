"""The reader's languages: from ``Accept-Language`` or a ``lang`` parameter, and the label that fits them.

A request names the languages it reads, most wanted first (``lang=zh`` overrides the header); a text stored in
several languages is shown in the first of them it has, else as the source wrote it (its untagged text, else the
one the caller holds). Language tags compare as pyoxigraph stores them, in lower case; ``zh-CN`` is also served by
a text tagged ``zh`` and ``zh`` by one tagged ``zh-hans`` (same primary subtag).

>>> languages("zh-CN,zh;q=0.9,en;q=0.8")
('zh-cn', 'zh', 'en')
>>> pick({"": "NMR spectrometer", "zh": "核磁共振波谱仪"}, languages("zh-CN"), "NMR spectrometer")
'核磁共振波谱仪'
>>> pick({"": "NMR spectrometer", "zh": "核磁共振波谱仪"}, ("de",), "NMR spectrometer")
'NMR spectrometer'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated

from fastapi import Depends, Header, Query

#: At most this many languages are read from a header (a longer list is cut, not refused).
MAX_LANGUAGES = 8
_TAG = re.compile(r"^[a-z]{1,8}(-[a-z0-9]{1,8})*$")


def languages(accept_language: str | None, lang: str | None = None) -> tuple[str, ...]:
    """The languages a reader asked for, most wanted first: ``lang`` alone when given, else ``Accept-Language`` by
    its q-values (``*`` and ``q=0`` dropped; a part that is not a language tag is skipped, not refused)."""
    if lang and _TAG.match(lang.strip().lower()):
        return (lang.strip().lower(),)
    ranked: list[tuple[float, int, str]] = []
    for n, part in enumerate((accept_language or "").split(",")[: MAX_LANGUAGES * 2]):
        tag, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    quality = float(p[2:])
                except ValueError:
                    quality = 0.0
        if _TAG.match(tag.lower()) and quality > 0:
            ranked.append((-quality, n, tag.lower()))
    return tuple(dict.fromkeys(tag for _, _, tag in sorted(ranked)))[:MAX_LANGUAGES]


def pick(texts: Mapping[str, str], wanted: Sequence[str], original: str) -> str:
    """The text (of ``texts``: language tag -> text, ``""`` for untagged) in the first wanted language it has, else
    the untagged one, else ``original``."""
    for tag in wanted:
        found = texts.get(tag)
        if found:
            return found
        primary = tag.split("-", 1)[0]
        for key, text in texts.items():
            if text and key.split("-", 1)[0] == primary:
                return text
    return texts.get("") or original


def reader_languages(
    accept_language: Annotated[str | None, Header(description="Languages to show labels in.")] = None,
    lang: Annotated[
        str | None, Query(max_length=35, description="Language of labels (zh, en); overrides the header.")
    ] = None,
) -> tuple[str, ...]:
    return languages(accept_language, lang)


#: The reader's languages, for a handler: ``languages: ReaderLanguages``.
ReaderLanguages = Annotated[tuple[str, ...], Depends(reader_languages)]

__all__ = ["MAX_LANGUAGES", "ReaderLanguages", "languages", "pick", "reader_languages"]
