"""The search index over resource documents: vectors, BM25 and inferred subjects, built from the store.

Built after every ingest that changed the graph (and only then: the index records the checksums of the
sources it was built from) and kept on disk beside the store. Vectors come through the embedding cache,
so rebuilding re-encodes only texts that changed. An expert's vector is the mean of their passages' vectors
(their most recent grants and works), the others have one passage.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pyoxigraph as ox

from graph.documents import RESOURCE_TYPES, ResourceDoc, build_documents
from graph.embeddings import Embedder, EmbeddingCache
from graph.lexical import LexicalIndex
from graph.store import Store
from graph.vector_index import VectorIndex

SUBJECTS_QUERY = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?s ?label ?scheme ?schemeLabel WHERE {
  ?s a <https://w3id.org/sharekg/ns#Subject> ; skos:prefLabel ?label ; skos:inScheme ?scheme .
  OPTIONAL { ?scheme <http://www.w3.org/2000/01/rdf-schema#label> ?schemeLabel }
}"""
#: Subjects inferred per resource, and the least cosine similarity that counts.
INFERRED_SUBJECTS = 3
INFERRED_SUBJECT_MIN = 0.35

Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True, slots=True)
class SubjectEntry:
    iri: str
    label: str
    scheme: str
    scheme_label: str


@dataclass
class SearchIndex:
    model: str
    docs: list[ResourceDoc]
    vector_index: VectorIndex  # holds the documents' normalised vectors, one row each
    lexical: LexicalIndex
    subjects: list[SubjectEntry]
    subject_vectors: np.ndarray
    inferred: list[list[tuple[int, float]]]  # per document: (subject row, similarity)
    sources: dict[str, str]  # source -> checksum the index was built from
    labels: dict[str, str]  # labels of organisations and related resources

    @property
    def vectors(self) -> np.ndarray:
        return self.vector_index.vectors

    def label_of(self, iri: str) -> str:
        return self.labels.get(iri, iri.rsplit("/", 1)[-1])

    @classmethod
    def build(
        cls, store: Store, embedder: Embedder, cache: EmbeddingCache, *, types: Sequence[str] = RESOURCE_TYPES,
        progress: Progress | None = None,
    ) -> SearchIndex:  # fmt: skip
        docs, labels = build_documents(store, types)
        passages = [p for d in docs for p in d.passages]
        passage_vectors = cache.embed(embedder, passages, progress=_stage(progress, "resources"))
        vectors = _mean_rows(passage_vectors, [len(d.passages) for d in docs], embedder.dim)
        subjects = _subjects(store)
        subject_vectors = cache.embed(
            embedder, [s.label for s in subjects], progress=_stage(progress, "subjects")
        )  # fmt: skip
        return cls(
            model=embedder.name, docs=docs, vector_index=VectorIndex.build(vectors),
            lexical=LexicalIndex.build([d.text for d in docs]), subjects=subjects,
            subject_vectors=subject_vectors, inferred=_infer_subjects(vectors, subject_vectors),
            sources={name: entry.checksum for name, entry in store.sources().items()}, labels=labels,
        )  # fmt: skip

    def is_current(self, store: Store, model: str) -> bool:
        return model == self.model and self.sources == {n: e.checksum for n, e in store.sources().items()}

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "subject_vectors.npy", self.subject_vectors)
        self.vector_index.save(folder / "vector_index")
        self.lexical.save(folder / "lexical")
        manifest = {
            "model": self.model, "sources": self.sources, "docs": [asdict(d) for d in self.docs],
            "subjects": [asdict(s) for s in self.subjects], "inferred": self.inferred, "labels": self.labels,
        }  # fmt: skip
        (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return cls(
            model=manifest["model"], docs=[ResourceDoc(**d) for d in manifest["docs"]],
            vector_index=VectorIndex.load(folder / "vector_index"),
            lexical=LexicalIndex.load(folder / "lexical"), subjects=[SubjectEntry(**s) for s in manifest["subjects"]],
            subject_vectors=np.load(folder / "subject_vectors.npy"),
            inferred=[[(int(i), float(s)) for i, s in row] for row in manifest["inferred"]],
            sources=manifest["sources"], labels=manifest["labels"],
        )  # fmt: skip


def index_folder(data_dir: Path, model: str) -> Path:
    """Where the index of ``model`` lives under the data folder."""
    safe = "".join(ch if ch.isalnum() or ch in "-._" else "_" for ch in model.strip("/").replace("/", "__"))
    return data_dir / "index" / safe


def open_index(
    store: Store, embedder: Embedder, cache: EmbeddingCache, folder: Path, *, progress: Progress | None = None
) -> tuple[SearchIndex, bool]:
    """The saved index when it was built from the store's current sources with this model, else a new one
    (built, saved, returned with ``True``)."""
    if (folder / "manifest.json").is_file():
        index = SearchIndex.load(folder)
        if index.is_current(store, embedder.name):
            return index, False
    index = SearchIndex.build(store, embedder, cache, progress=progress)
    index.save(folder)
    return index, True


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


def _subjects(store: Store) -> list[SubjectEntry]:
    rows = store.query(SUBJECTS_QUERY)
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


__all__ = ["SearchIndex", "SubjectEntry", "index_folder", "open_index"]
