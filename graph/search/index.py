"""The search index over resource documents: vectors, BM25 and inferred subjects, built from the store.

Built after every ingest that changed the graph (and only then: the index records the checksums of the
sources it was built from) and kept on disk beside the store. Vectors come through the embedding cache,
so rebuilding re-encodes only texts that changed. An expert's vector is the mean of their passages' vectors
(their most recent grants and works), the others have one passage.

Each resource type has its own vector index and its own BM25 index (a ``TypeIndex``), because a match asks for one
type at a time: searching one type is then an unfiltered search of that type's index. With one index over all
types, a type filter left HNSW to walk among other types' rows, or fell back to exact search (487 ms p95 at
1,000,000 rows, ``benchmarks/results/match.md``). BM25 statistics (idf, mean length) are therefore per type.
Other filters (organisation, place, access) remain masks over a type's rows, applied before ranking.

Each type also keeps its documents' in-degrees in the catalogue's nearest-neighbour graph (how many of the type's
documents have each among their nearest), computed once per build: how central a resource is among its kind, which
the matcher counts as evidence (``graph.search.fit.centrality_evidence``), and how many of them name each in their
text (``graph.search.mentions``): its in-degree in the catalogue's references (``graph.search.fit.mention_evidence``).

On disk (``FORMAT_VERSION`` 5): ``manifest.json`` and one folder per type under ``types/`` holding ``rows.npy``,
``in_degree.npy``, ``mentioned_by.npy``, ``named_in.npy``, ``vector_index/`` and ``lexical/`` (and an expert type's
passage vectors). A folder in another format is not loaded (``StoreError``); ``open_index`` rebuilds it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from graph.errors import StoreError
from graph.search.crosslingual import Glossary, GlossarySource, has_cjk, shared_glossary
from graph.search.documents import RESOURCE_TYPES, ResourceDoc, build_documents
from graph.search.embedding_cache import EmbeddingCache
from graph.search.encoding import Embedder
from graph.search.fit import CENTRALITY_NEIGHBOURS
from graph.search.lexical import LexicalIndex
from graph.search.mentions import REFERENCE_TYPES, SHOWN, Mentions, mentions
from graph.search.vector_index import VectorIndex
from graph.store import SparqlStore, Store, sparql_view
from graph.store import sparql_queries as q

#: Subjects inferred per resource, and the least cosine similarity that counts.
INFERRED_SUBJECTS = 3
INFERRED_SUBJECT_MIN = 0.35
#: 1: one vector index and one BM25 index over all types; 2: no passage vectors, no works; 3: no in-degrees;
#: 4: no mentions
FORMAT_VERSION = 5
#: Types whose passages are each evidence of their own (an expert's works), kept per passage.
PASSAGE_TYPES = frozenset({"Expert"})

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    iri: str
    label: str
    scheme: str
    scheme_label: str


@dataclass
class TypeIndex:
    """The documents of one type: their rows in ``SearchIndex.docs`` and their own vector and BM25 indexes, whose
    row ``j`` is document ``rows[j]``."""

    rows: np.ndarray  # int64, ascending
    vector_index: VectorIndex
    lexical: LexicalIndex
    #: Per document: how many of the type's documents have it among their ``CENTRALITY_NEIGHBOURS`` nearest (int32;
    #: ``in_degrees``), how central it is among its kind (``graph.search.fit.centrality_evidence``).
    in_degree: np.ndarray
    #: Per document: how many of the type's other documents name it in their text (int32;
    #: ``graph.search.mentions.mentions``), its standing in the catalogue's references between its records (0
    #: for the types whose records name each other for other reasons: ``REFERENCE_TYPES``).
    mentioned_by: np.ndarray
    #: Per document: the first ``graph.search.mentions.SHOWN`` of those documents (local rows, -1 past the count).
    named_in: np.ndarray
    #: For types whose documents hold several passages (an expert's works): every passage's vector (float16, in
    #: document order) and where each document's passages start (``len(rows) + 1`` offsets); None for the others.
    passage_vectors: np.ndarray | None = None
    passage_start: np.ndarray | None = None

    @classmethod
    def build(
        cls,
        rows: np.ndarray,
        vectors: np.ndarray,
        docs: Sequence[ResourceDoc],
        passages: list[np.ndarray] | None = None,
    ) -> TypeIndex:
        """Index the documents ``rows`` (``docs``, in that order, all of one type) with their ``vectors`` (one per
        row); ``passages``, one array of passage vectors per row, are kept for per-passage evidence."""
        vector_index = VectorIndex.build(vectors)
        named = mentions_among(docs)
        part = cls(
            np.asarray(rows, dtype=np.int64),
            vector_index,
            LexicalIndex.build([d.text for d in docs]),
            in_degrees(vector_index),
            named.counts,
            named.shown,
        )
        if passages is not None:
            part.passage_start = np.concatenate([[0], np.cumsum([len(p) for p in passages])]).astype(np.int64)
            part.passage_vectors = (
                np.vstack(passages).astype(np.float16) if passages else np.zeros((0, vectors.shape[1]), np.float16)
            )
        return part

    @property
    def nearest(self) -> int:
        """The neighbours each document has in the graph ``in_degree`` counts in, and so the mean in-degree:
        ``CENTRALITY_NEIGHBOURS``, fewer in a type of that many documents or fewer."""
        return max(0, min(CENTRALITY_NEIGHBOURS, len(self.rows) - 1))

    def passages_of(self, local: int) -> np.ndarray | None:
        """The passage vectors of the type's document ``local`` (float16), or None when the type keeps none."""
        if self.passage_vectors is None or self.passage_start is None:
            return None
        return self.passage_vectors[self.passage_start[local] : self.passage_start[local + 1]]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "rows.npy", self.rows, allow_pickle=False)
        self.vector_index.save(folder / "vector_index")
        self.lexical.save(folder / "lexical")
        np.save(folder / "in_degree.npy", self.in_degree, allow_pickle=False)
        np.save(folder / "mentioned_by.npy", self.mentioned_by, allow_pickle=False)
        np.save(folder / "named_in.npy", self.named_in, allow_pickle=False)
        if self.passage_vectors is not None and self.passage_start is not None:
            np.save(folder / "passage_vectors.npy", self.passage_vectors, allow_pickle=False)
            np.save(folder / "passage_start.npy", self.passage_start, allow_pickle=False)

    @classmethod
    def load(cls, folder: Path) -> TypeIndex:
        rows = np.load(folder / "rows.npy", allow_pickle=False)
        degrees = np.load(folder / "in_degree.npy", allow_pickle=False)
        named = np.load(folder / "mentioned_by.npy", allow_pickle=False)
        named_in = np.load(folder / "named_in.npy", allow_pickle=False)
        part = cls(
            rows,
            VectorIndex.load(folder / "vector_index"),
            LexicalIndex.load(folder / "lexical"),
            degrees,
            named,
            named_in,
        )
        if (folder / "passage_vectors.npy").is_file():
            part.passage_vectors = np.load(folder / "passage_vectors.npy", mmap_mode="r", allow_pickle=False)
            part.passage_start = np.load(folder / "passage_start.npy", allow_pickle=False)
        return part


@dataclass
class SearchIndex:
    model: str
    docs: list[ResourceDoc]
    parts: dict[str, TypeIndex]  # by type, in the order of ``docs``: each document is in its type's part
    subjects: list[SubjectEntry]
    subject_vectors: np.ndarray
    inferred: list[list[tuple[int, float]]]  # per document: (subject row, similarity)
    sources: dict[str, str]  # source -> checksum the index was built from
    labels: dict[str, str]  # labels of organisations and related resources
    terms: str = ""  # the digest of the deployment's glossary terms its Chinese text was glossed with ("": none)
    local: np.ndarray = field(init=False, repr=False)  # per document: its row in its type's indexes
    position: dict[str, int] = field(init=False, repr=False)  # IRI (each member of a linked person) -> document row
    _all_vectors: np.ndarray | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        self.position = {m: i for i, d in enumerate(self.docs) for m in d.members}
        self.local = np.full(len(self.docs), -1, dtype=np.int64)
        for name, part in self.parts.items():
            self.local[part.rows] = np.arange(len(part.rows))
            wrong = [int(i) for i in part.rows[:1000] if self.docs[i].type != name]
            if wrong:
                raise ValueError(f"document {wrong[0]} is a {self.docs[wrong[0]].type}, not a {name}")
        if (self.local < 0).any():
            raise ValueError(f"document {int(np.flatnonzero(self.local < 0)[0])} is in no type's index")

    def doc(self, iri: str) -> ResourceDoc | None:
        """The document that stands for ``iri`` (a person linked across sources is one document), or None."""
        row = self.position.get(iri)
        return None if row is None else self.docs[row]

    def lexical_scores(self, query: str) -> np.ndarray:
        """BM25 of every document for ``query``, row ``i`` for ``docs[i]`` (each type's index scores its own rows)."""
        scores = np.zeros(len(self.docs), dtype=np.float32)
        for part in self.parts.values():
            scores[part.rows] = part.lexical.scores(query)
        return scores

    def part_of(self, row: int) -> TypeIndex:
        """The indexes of document ``row``'s type."""
        return self.parts[self.docs[row].type]

    def vector(self, row: int) -> np.ndarray:
        """The vector of document ``row`` (a read-only view)."""
        vector: np.ndarray = self.part_of(row).vector_index.vectors[self.local[row]]
        return vector

    @property
    def vectors(self) -> np.ndarray:
        """Every document's vector, row ``i`` for ``docs[i]`` (read-only): assembled from the types' indexes on
        first use and kept, a second copy of the vectors (1.5 GB at 1,000,000 rows); ``vector(i)`` reads one."""
        if self._all_vectors is None:
            dim = next(iter(self.parts.values())).vector_index.dim if self.parts else 0
            out = np.zeros((len(self.docs), dim), dtype=np.float32)
            for part in self.parts.values():
                out[part.rows] = part.vector_index.vectors
            out.flags.writeable = False
            self._all_vectors = out
        return self._all_vectors

    def label_of(self, iri: str) -> str:
        return self.labels.get(iri, iri.rsplit("/", 1)[-1])

    @classmethod
    def build(
        cls,
        store: SparqlStore,
        embedder: Embedder,
        cache: EmbeddingCache,
        *,
        types: Sequence[str] = RESOURCE_TYPES,
        progress: Progress | None = None,
        glossary: Callable[[], Glossary] | None = shared_glossary,
    ) -> SearchIndex:
        """Documents of ``types`` from the store, embedded (through the cache) and indexed per type. ``glossary``:
        where text in Chinese gets its English gloss (loaded only if some text is in Chinese); None keeps it as is.
        A ``GlossarySource`` with a deployment's terms is recorded by its digest (``is_current``)."""
        docs, labels = build_documents(store, types)
        if glossary is not None:
            for d in docs:
                _gloss_passages(d, glossary)
        passages = [p for d in docs for p in d.passages]
        passage_vectors = cache.embed(embedder, passages, progress=_stage(progress, "resources"))
        vectors = _mean_rows(passage_vectors, [len(d.passages) for d in docs], embedder.dim)
        subjects = _subjects(store)
        subject_vectors = cache.embed(embedder, [s.label for s in subjects], progress=_stage(progress, "subjects"))
        return cls(
            model=embedder.name,
            docs=docs,
            parts=build_parts(docs, vectors, passage_vectors),
            subjects=subjects,
            subject_vectors=subject_vectors,
            inferred=_infer_subjects(vectors, subject_vectors),
            sources={name: entry.checksum for name, entry in store.sources().items()},
            labels=labels,
            terms=glossary.digest() if isinstance(glossary, GlossarySource) else "",
        )

    def is_current(self, store: Store, model: str, terms: str = "") -> bool:
        """Whether the index was built from the store's current sources, with ``model`` and with the glossary terms
        of digest ``terms`` (``GlossarySource.digest``; "" for none)."""
        return (
            model == self.model
            and terms == self.terms
            and self.sources == {n: e.checksum for n, e in store.sources().items()}
        )

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for stale in ("vector_index", "lexical", "types"):  # format 1 kept one index of each kind here
            if (folder / stale).is_dir():
                shutil.rmtree(folder / stale)
        np.save(folder / "subject_vectors.npy", self.subject_vectors)
        for i, part in enumerate(self.parts.values()):
            part.save(folder / "types" / str(i))
        manifest = {
            "version": FORMAT_VERSION,
            "model": self.model,
            "sources": self.sources,
            "types": list(self.parts),
            "docs": [asdict(d) for d in self.docs],
            "subjects": [asdict(s) for s in self.subjects],
            "inferred": self.inferred,
            "labels": self.labels,
            "terms": self.terms,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        """Read an index written by ``save``; ``StoreError`` when it is of another format version."""
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("version") != FORMAT_VERSION:
            raise StoreError(
                f"the search index in {folder} is format {manifest.get('version', 1)}, this sharekg reads "
                f"{FORMAT_VERSION}; rebuild it with `sharekg index`"
            )
        return cls(
            model=manifest["model"],
            docs=[ResourceDoc(**d) for d in manifest["docs"]],
            parts={t: TypeIndex.load(folder / "types" / str(i)) for i, t in enumerate(manifest["types"])},
            subjects=[SubjectEntry(**s) for s in manifest["subjects"]],
            subject_vectors=np.load(folder / "subject_vectors.npy"),
            inferred=[[(int(i), float(s)) for i, s in row] for row in manifest["inferred"]],
            sources=manifest["sources"],
            labels=manifest["labels"],
            terms=manifest.get("terms", ""),  # an index saved before deployments had terms glossed with none
        )


def build_parts(
    docs: Sequence[ResourceDoc], vectors: np.ndarray, passage_vectors: np.ndarray | None = None
) -> dict[str, TypeIndex]:
    """One ``TypeIndex`` per type among ``docs`` (``vectors``: one per document), in the order types first occur.
    ``passage_vectors`` (every document's passages, in order) are kept per passage for the types in
    ``PASSAGE_TYPES``."""
    types = np.array([d.type for d in docs])
    starts = np.concatenate([[0], np.cumsum([len(d.passages) for d in docs])]).astype(np.int64)
    parts = {}
    for name in dict.fromkeys(types.tolist()):
        rows = np.flatnonzero(types == name)
        passages = None
        if passage_vectors is not None and name in PASSAGE_TYPES:
            passages = [passage_vectors[starts[i] : starts[i + 1]] for i in rows.tolist()]
        parts[name] = TypeIndex.build(rows, vectors[rows], [docs[i] for i in rows.tolist()], passages)
    return parts


def in_degrees(vector_index: VectorIndex, k: int = CENTRALITY_NEIGHBOURS) -> np.ndarray:
    """Per row of ``vector_index``: how many other rows have it among their ``k`` nearest (int32). Their mean is
    ``min(k, rows - 1)``; a resource many others lie nearest to is a central one of its kind."""
    near = vector_index.neighbours(k)
    return np.bincount(near.ravel(), minlength=len(vector_index)).astype(np.int32)


def mentions_among(docs: Sequence[ResourceDoc]) -> Mentions:
    """Per document of ``docs`` (all of one type): the others that name it in their passages, by its label and other
    names; none for a type whose documents do not cite each other (``REFERENCE_TYPES``)."""
    if not docs or docs[0].type not in REFERENCE_TYPES:
        return Mentions(np.zeros(len(docs), dtype=np.int32), np.full((len(docs), SHOWN), -1, dtype=np.int32))
    return mentions([[d.label, *d.names] for d in docs], ["\n".join(d.passages) for d in docs])


def format_version(folder: Path) -> int | None:
    """The format version of the index saved in ``folder`` (1 for one without a version), or None for none."""
    path = folder / "manifest.json"
    if not path.is_file():
        return None
    with path.open(encoding="utf-8") as f:
        head = re.match(r'\{"version": (\d+),', f.read(64))  # written first, so the whole file is not parsed
    return int(head.group(1)) if head else 1


def index_folder(data_dir: Path, model: str) -> Path:
    """Where the index of ``model`` lives under the data folder."""
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in model.strip("/").replace("/", "__"))
    return data_dir / "index" / safe


def open_index(
    store: SparqlStore,
    embedder: Embedder,
    cache: EmbeddingCache,
    folder: Path,
    *,
    progress: Progress | None = None,
    glossary: GlossarySource | None = None,
) -> tuple[SearchIndex, bool]:
    """The saved index when it was built from the store's current sources with this model (and ``glossary``'s
    terms), else a new one (built, saved, returned with ``True``)."""
    glossary = glossary or GlossarySource()
    if format_version(folder) == FORMAT_VERSION:
        index = SearchIndex.load(folder)
        if index.is_current(store, embedder.name, glossary.digest()):
            return index, False
    index = SearchIndex.build(store, embedder, cache, progress=progress, glossary=glossary)
    index.save(folder)
    return index, True


class IndexFolder:
    """Where a data folder keeps its search indexes (one per model, under ``index/``) and the embedding cache, and
    the two things done with them: load the saved index, or bring it up to date with the store."""

    def __init__(self, data_dir: Path, embeddings_path: Path, glossary: GlossarySource | None = None) -> None:
        self.data_dir = data_dir
        self.embeddings_path = embeddings_path
        self.glossary = glossary or GlossarySource()  # what its indexes gloss Chinese text with, and matchers too

    def is_current(self, index: SearchIndex, store: Store, model: str) -> bool:
        """Whether ``index`` is current for the store, ``model`` and this folder's glossary terms."""
        return index.is_current(store, model, self.glossary.digest())

    def path(self, model: str) -> Path:
        return index_folder(self.data_dir, model)

    def load(self, model: str) -> SearchIndex:
        """The saved index of ``model`` (it may be older than the graph: ``is_current`` tells); ``StoreError`` saying
        what to run when there is none or it is of another format."""
        version = format_version(self.path(model))  # None: no index saved there
        if version is None:
            raise StoreError("no search index yet; run `sharekg index` (or `sharekg ingest` without --no-index)")
        if version != FORMAT_VERSION:
            raise StoreError("the search index was built by another sharekg; run `sharekg index` to rebuild it")
        return SearchIndex.load(self.path(model))

    def saved(self, model: str) -> SearchIndex | None:
        """The saved index of ``model`` when there is one of this format, else None (it is rebuilt, not read)."""
        return SearchIndex.load(self.path(model)) if format_version(self.path(model)) == FORMAT_VERSION else None

    def refresh(
        self, store: Store, embedder: Embedder, *, progress: Progress | None = None
    ) -> tuple[SearchIndex, bool]:
        """``open_index`` for this folder: the saved index when current, else one built (embedding only what the cache
        lacks) and saved, with ``True``. A store that answers no SPARQL is read through an in-memory copy."""
        cache = EmbeddingCache(self.embeddings_path)
        try:
            folder = self.path(embedder.name)
            return open_index(sparql_view(store), embedder, cache, folder, progress=progress, glossary=self.glossary)
        finally:
            cache.close()


def _gloss_passages(doc: ResourceDoc, glossary: Callable[[], Glossary]) -> None:
    """A passage in Chinese gains its English gloss (the model reads English; BM25 then matches both), and so does a
    label in Chinese, for lexical search."""
    if any(has_cjk(p) for p in doc.passages):
        doc.passages = [f"{p}\n{glossary().gloss(p).text}" if has_cjk(p) else p for p in doc.passages]
    chinese = [label for label in {doc.label, *doc.labels.values()} if has_cjk(label)]
    doc.names = list(
        dict.fromkeys(
            [
                *doc.names,
                *(label for label in doc.labels.values() if label != doc.label),
                *(glossary().gloss(label).text for label in chinese),
            ]
        )
    )


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    return lambda done, total: progress(stage, done, total)


def _mean_rows(passage_vectors: np.ndarray, counts: list[int], dim: int) -> np.ndarray:
    """Normalised mean of each document's consecutive passage vectors."""
    out = np.zeros((len(counts), dim), dtype=np.float32)
    start = 0
    for i, n in enumerate(counts):
        out[i] = passage_vectors[start : start + n].mean(axis=0)
        start += n
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    normalised: np.ndarray = out / np.maximum(norms, 1e-12)
    return normalised


def _subjects(store: SparqlStore) -> list[SubjectEntry]:
    rows = store.query(q.SUBJECTS_QUERY)
    assert isinstance(rows, ox.QuerySolutions)
    seen: dict[str, SubjectEntry] = {}
    for r in rows:
        iri = r["s"].value
        scheme_label = r["schemeLabel"].value if r["schemeLabel"] is not None else ""
        seen.setdefault(iri, SubjectEntry(iri, r["label"].value, r["scheme"].value, scheme_label))
    return sorted(seen.values(), key=lambda s: s.iri)


def _infer_subjects(vectors: np.ndarray, subject_vectors: np.ndarray) -> list[list[tuple[int, float]]]:
    """The few subjects closest to each document, above a floor of similarity."""
    if len(subject_vectors) == 0 or len(vectors) == 0:
        return [[] for _ in range(len(vectors))]
    result = []
    for start in range(0, len(vectors), 4096):
        sims = vectors[start : start + 4096] @ subject_vectors.T
        top = np.argsort(-sims, axis=1)[:, :INFERRED_SUBJECTS]
        for row, cols in zip(sims, top, strict=True):
            result.append([(int(c), round(float(row[c]), 4)) for c in cols if row[c] >= INFERRED_SUBJECT_MIN])
    return result


__all__ = [
    "FORMAT_VERSION",
    "IndexFolder",
    "SearchIndex",
    "SubjectEntry",
    "TypeIndex",
    "build_parts",
    "in_degrees",
    "index_folder",
    "mentions_among",
    "open_index",
]
