"""References between the records of one kind: how many of a type's resources name another in their own text.

A dataset's description often names the datasets it was built from or is compared with ("images taken from
COCO", "a subset of ImageNet"); the standard ones are named by many. How many of a type's other records name a
resource is its in-degree in the catalogue's graph of references, a centrality read from the records alone (no
query, no usage), which the matcher counts beside its centrality among its nearest
(``graph.search.fit.mention_evidence``).

A name counts when it is a proper name, not a common noun: at least ``MIN_NAME_CHARS`` characters with a capital
letter or a digit in it ("MNIST", "Flickr30k", "PASCAL VOC"; not "microscope" or "device", which definitions use
as words). It is found case-sensitively as a whole word: not inside a longer word, nor joined to one by a hyphen
("COCO" is not counted in "MS-COCO" or "COCOA"). And it must be used as a name: a name the catalogue's texts
write in lower case in as many records as in its own spelling is a word or a phrase that some record is called by,
not a name (in DataFinder's catalogue 38 names, among them "General", "Hate Speech", "Sketch", "Digits", "Places":
capitalised at the start of a sentence, not cited; also a few real names written in lower case elsewhere, "arXiv",
"WIDER"), the usual test of a proper noun, whose capitals do not depend on where it stands. A record naming a
resource several times counts once; a record never counts for itself, nor for another record that bears the same
name (two awards of one title, two researchers of one name, name each other only by bearing it). A name several
records share counts for each of them.

Only datasets are counted so (``REFERENCE_TYPES``), the kind whose records cite each other by proper names. On the
bundled sample the other kinds' mentions are something else: an expert is "named" by the co-investigators of one
award, whose shared abstract lists them ("colleagues Paul Smith, Daniel Andresen, ..."), or by a college named after
someone; an instrument's name is a description of what it is (an NSF award title, "Acquisition of a Scanning Electron
Microscope ..."), repeated by other awards for the same kind of instrument. The definition of a vocabulary's concept
that names another ("... with an X-ray source") says what it is made of, and concepts are linked by their
vocabulary's own hierarchy (``graph.search.evidence``); on the CHMO development set, counting mentions between
instrument types (six named, "X-ray source" by six definitions) lowered nDCG@10 from 0.790 to 0.778
(``benchmarks/results/eval.md``).

The search is an Aho-Corasick automaton over every name of the type (pyahocorasick: linear in the text scanned,
whatever the number of names), run twice over the catalogue's text: for the names as spelt, and in lower case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import ahocorasick
import numpy as np

#: The types whose records' references to each other count (see above).
REFERENCE_TYPES = frozenset({"Dataset"})
#: How many of the records naming a resource are kept for its explanation.
SHOWN = 3
#: The shortest name that counts: two-letter names ("QA", "VQ") are too often something else.
MIN_NAME_CHARS = 3


def is_proper_name(name: str) -> bool:
    """Whether ``name`` is one a record can be referred to by (see the module's docstring)."""
    return len(name) >= MIN_NAME_CHARS and any(c.isupper() or c.isdigit() for c in name)


def _joins_word(text: str, at: int) -> bool:
    return 0 <= at < len(text) and (text[at].isalnum() or text[at] in "_-")


@dataclass(frozen=True, slots=True)
class Mentions:
    """Per record: how many other records name it (int32), and the first ``SHOWN`` of them by position (int32, one
    row per record, -1 where it has fewer), for an explanation to name."""

    counts: np.ndarray
    shown: np.ndarray


def mentions(names: Sequence[Sequence[str]], texts: Sequence[str]) -> Mentions:
    """Per record ``i`` (``names[i]``: its names, ``texts[i]``: its text): the other records that name it.

    >>> found = mentions([["MNIST"], ["Fashion-MNIST"], ["SVHN"]],
    ...                  ["MNIST: digits.", "Like MNIST, but clothes; see also SVHN.", "Street View House Numbers."])
    >>> found.counts.tolist(), found.shown[0].tolist()
    ([1, 0, 1], [1, -1, -1])
    """
    if len(names) != len(texts):
        raise ValueError(f"{len(names)} lists of names for {len(texts)} texts")
    owners: dict[str, list[int]] = {}
    for i, own in enumerate(names):
        for name in dict.fromkeys(n.strip() for n in own):
            if is_proper_name(name):
                owners.setdefault(name, []).append(i)
    counts = np.zeros(len(texts), dtype=np.int32)
    shown = np.full((len(texts), SHOWN), -1, dtype=np.int32)
    if not owners:
        return Mentions(counts, shown)
    found = _records_using(list(owners), texts)
    lowered = _records_using([n.lower() for n in owners], texts)
    naming: dict[int, set[int]] = {}  # record -> the other records that name it
    for name, records in owners.items():
        # a record never names itself, nor another that bears a name it bears (two awards of one title)
        by = found[name] - set(records)
        if by and len(by) > len(lowered[name.lower()]):
            for i in records:
                naming.setdefault(i, set()).update(by)
    for i, by in naming.items():
        counts[i] = len(by)
        first = sorted(by)[:SHOWN]
        shown[i, : len(first)] = first
    return Mentions(counts, shown)


def _records_using(words: list[str], texts: Sequence[str]) -> dict[str, set[int]]:
    """Per word (matched case-sensitively, as a whole word): the texts it occurs in, by position."""
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    using: dict[str, set[int]] = {word: set() for word in words}
    for j, text in enumerate(texts):
        for end, word in automaton.iter(text):
            if not (_joins_word(text, end - len(word)) or _joins_word(text, end + 1)):
                using[word].add(j)
    return using


__all__ = ["MIN_NAME_CHARS", "REFERENCE_TYPES", "SHOWN", "Mentions", "is_proper_name", "mentions"]
