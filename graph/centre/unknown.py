"""The words the matcher could not read: Chinese words of the logged needs that the glossary (CC-CEDICT and the
deployment's own terms) lacks as wholes, so that it read them character by character (钙钛矿 as "calcium titanium
ore", 色谱 as "color look spectrum"), the most asked first.

A need read so is matched by a gloss that misses its subject; its team was told so on the page, and the centre sees
here which words to ask the operator to add to the terms file (``SHAREKG_GLOSSARY_TERMS``, with their English). The
words are those ``graph.search.unknown_words`` lists (a word read by dictionary words, a letter's name or a number
with its measure word is not); each need counts a word once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.centre.demand import DemandLog
from graph.search import Glossary, UnknownWord, has_cjk, unknown_words

#: Words a report lists unless asked for another number.
DEFAULT_TOP = 30


@dataclass(frozen=True, slots=True)
class UnknownWordsReport:
    considered: int  # needs in the window
    in_chinese: int  # of them, those holding Chinese
    unknown: int  # distinct words read character by character, all of them (``words`` holds the first ``top``)
    words: tuple[UnknownWord, ...]  # the most asked first, then by the word


def unknown_words_report(
    log: DemandLog,
    glossary: Glossary,
    since: datetime | None = None,
    until: datetime | None = None,
    top: int = DEFAULT_TOP,
) -> UnknownWordsReport:
    """The Chinese words of the needs logged in the window (``since`` up to ``until``) that ``glossary`` read
    character by character, the ``top`` most asked first."""
    texts = [need.text for need in log.needs(since, until)]
    words = unknown_words(texts, glossary)
    return UnknownWordsReport(len(texts), sum(1 for t in texts if has_cjk(t)), len(words), tuple(words[:top]))
