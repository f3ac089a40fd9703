"""Matching a team's need to the resources that fit it, explained.

For each resource type asked for: the type's own vector and BM25 indexes are searched (``TypeIndex``), so the
type filter costs nothing; the other filters make a mask over the type's documents *before* ranking; dense
(embedding) and lexical (BM25) search each rank the allowed documents; a graph channel ranks them by the
subjects they share with the need; reciprocal rank fusion joins the three; then graph-aware factors
re-rank (same organisation or region as the team, availability). Every result carries its explanation,
computed for the k results alone (their BM25 postings, their vectors).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from graph.errors import MatchError
from graph.search.documents import ResourceDoc
from graph.search.encoding import Embedder, NeedVectors, need_encoder
from graph.search.explain import Explanation, PathStep, sentences
from graph.search.filters import DocumentFacts, Filters, TeamPlace
from graph.search.fusion import fuse_arrays
from graph.search.index import SearchIndex
from graph.search.vector_index import top_k

MAX_NEED_CHARS = 10_000
MAX_K = 100
UNAVAILABLE = {"inactive", "decommissioned", "closed"}  # statuses that lower a resource's rank (Weights.unavailable)
MIN_DEPTH = 100  # candidates each channel contributes before fusion
#: Threads that run BM25 while the model encodes the need (BM25 needs only the text). A small pool shared by
#: concurrent requests; BM25 (numpy) and the model call (torch) both release the GIL for most of their work.
LEXICAL_THREADS = 4
LEXICAL_POOL_FROM_ROWS = 50_000  # types this large run BM25 on the pool (1M resources: p95 11 ms); smaller, inline


@dataclass(frozen=True, slots=True)
class Weights:
    """How channels and re-ranking factors count. The lexical weight was lowered from an a-priori 0.7 after a
    sweep on datafinder-dev (nDCG@10 with MiniLM: 0.7 → 0.181, 0.35 → 0.201, 0 → 0.201): BM25 is weak on
    free-text needs, but kept for names and exact terms (NMR, XAFS) that embeddings blur. Nothing is tuned per
    query; the other factors are set a priori."""

    dense: float = 1.0
    lexical: float = 0.3
    graph: float = 0.3
    same_organization: float = 1.10
    same_region: float = 1.05
    same_country: float = 1.02
    unavailable: float = 0.8


@dataclass(slots=True)
class MatchResult:
    iri: str
    type: str
    label: str
    score: float
    organization: str
    place: str
    access: str
    homepage: str
    explanation: Explanation = field(default_factory=Explanation)


@dataclass(slots=True)
class MatchResponse:
    need: str
    results: dict[str, list[MatchResult]]
    need_subjects: list[dict[str, str]]


@dataclass(slots=True)
class BundleMember:
    role: str  # instrument | facility | expert | dataset
    iri: str
    label: str
    similarity: float  # cosine with the need
    relation: str  # how it joins the bundle: "contact person", "at facility", "same organisation", "shared subject: …"


@dataclass(slots=True)
class Bundle:
    """An instrument with the facility it sits in, the expert who runs it or knows it, and a dataset that fits."""

    score: float
    members: list[BundleMember]
    path: list[PathStep]


@dataclass(slots=True)
class NeedMatch:
    """A need (from the demand log or a project) that a resource fits."""

    need_id: str
    text: str
    similarity: float
    matched_terms: list[str]


@dataclass(slots=True)
class _Request:
    """A match request checked and planned: what ranking each type needs besides the need's vectors."""

    text: str
    k: int
    team: TeamPlace | None
    base: np.ndarray | None  # rows the filters allow (None: all)
    scopes: dict[str, tuple[np.ndarray | None, int]]  # per type: its allowed rows and the depth to rank
    lexical: dict[str, Future[np.ndarray]]  # per type: BM25's ranking
    parts: list[str]  # the need's sentences
    vectors: Future[NeedVectors]  # the need's and its sentences' vectors, being encoded


@dataclass(slots=True)
class _Need:
    text: str
    vector: np.ndarray
    sentences: list[str]
    sentence_vectors: np.ndarray
    subjects: dict[int, float]


class Matcher:
    """Answers match requests over one ``SearchIndex`` with one embedder."""

    def __init__(self, index: SearchIndex, embedder: Embedder, weights: Weights | None = None) -> None:
        self.index = index
        self.encoder = need_encoder(embedder)
        self.weights = weights or Weights()
        self.position = index.position
        self._types = np.array([d.type for d in index.docs])
        self._unavailable = np.array([d.status.lower() in UNAVAILABLE for d in index.docs], dtype=bool)
        self._facts = DocumentFacts(index.docs, index.label_of)
        self._subject_rows = {t: _subject_postings(index.inferred, part.rows) for t, part in index.parts.items()}
        self._subject_row = {s.iri: j for j, s in enumerate(index.subjects)}
        self._lexical_pool = ThreadPoolExecutor(LEXICAL_THREADS, thread_name_prefix="sharekg-bm25")

    # ---- requests -----------------------------------------------------------------------------

    def match(
        self, text: object, filters: Filters | None = None, k: int = 10, team: TeamPlace | None = None
    ) -> MatchResponse:
        request = self._plan(text, filters or Filters(), k, team)
        return self._answer(request, self._need_from(request.text, request.parts, *request.vectors.result()))

    async def match_async(
        self, text: object, filters: Filters | None = None, k: int = 10, team: TeamPlace | None = None
    ) -> MatchResponse:
        """``match`` for an async request handler: the need's encoding is awaited, not waited for, so the handler's
        Python (ranking, explanations) runs on the event loop and concurrent requests do not contend for the
        interpreter lock from many threads. The same request, the same answer."""
        request = self._plan(text, filters or Filters(), k, team)
        vectors = await asyncio.wrap_future(request.vectors)
        for pending in request.lexical.values():  # BM25 of large types, on the pool (small ones are done already)
            if not pending.done():
                await asyncio.wrap_future(pending)
        return self._answer(request, self._need_from(request.text, request.parts, *vectors))

    def _plan(self, text: object, filters: Filters, k: int, team: TeamPlace | None) -> _Request:
        """A request checked, its filters applied, and BM25 started (it needs only the text: for large types it
        runs on the pool while the model encodes the need, the longest stage)."""
        checked = _check_text(text)
        types = self._check_types(filters.types)
        if not 1 <= k <= MAX_K:
            raise MatchError(f"k is {k}; ask for between 1 and {MAX_K} results per type")
        base = self._facts.mask(filters)
        scopes = {t: self._allowed(t, base, k) for t in types}
        parts = sentences(checked)
        vectors = self.encoder.submit_need(checked, parts)  # the longest stage starts first
        lexical = {t: self._lexical_later(checked, t, *scopes[t]) for t in types}
        return _Request(checked, k, team, base, scopes, lexical, parts, vectors)

    def _answer(self, request: _Request, need: _Need) -> MatchResponse:
        results = {
            t: self._rank(need, t, request.base, request.k, request.team, scope, request.lexical[t])
            for t, scope in request.scopes.items()
        }
        return MatchResponse(need.text, results, [self._subject(i) for i in need.subjects])

    def _need(self, text: str) -> _Need:
        """The need's vector and its sentences' (for explanations), waited for."""
        parts = sentences(text)
        return self._need_from(text, parts, *self.encoder.submit_need(text, parts).result())

    def _need_from(self, text: str, parts: list[str], vector: np.ndarray, sentence_vectors: np.ndarray) -> _Need:
        """The need from its vectors and its subjects."""
        # einsum, not `@`: OpenBLAS' threaded matrix-vector product took 32 ms for 20,000 subjects on these 2 shared
        # cores, einsum 1.5 ms (as in VectorIndex)
        sims = np.einsum("ij,j->i", self.index.subject_vectors, vector) if len(self.index.subject_vectors) else None
        top = top_k(sims, 3).tolist() if sims is not None else []
        subjects = {i: float(sims[i]) for i in top if sims is not None and sims[i] >= 0.35}
        return _Need(text, vector, parts, sentence_vectors, subjects)

    def _check_types(self, types: Sequence[str]) -> list[str]:
        known = sorted(self.index.parts)
        unknown = [t for t in types if t not in known]
        if unknown:
            raise MatchError(f"unknown resource type(s) {unknown}; use any of {known}")
        return list(types) or known

    def bundle(
        self, text: object, filters: Filters | None = None, k: int = 3, team: TeamPlace | None = None
    ) -> list[Bundle]:
        """The ``k`` best bundles: each top instrument with the members the graph connects to it, ranked jointly
        by the members' similarity to the need and by how many of them the graph connects."""
        filters = filters or Filters()
        need = self._need(_check_text(text))
        base = self._facts.mask(filters.without_types())
        instruments = self._rank(need, "Instrument", base, max(10, 3 * k), team)
        datasets = self._rank(need, "Dataset", base, 5, team)
        experts = self._rank(need, "Expert", base, 20, team)
        bundles = [self._bundle(need, r, datasets, experts) for r in instruments]
        bundles.sort(key=lambda b: -b.score)
        return bundles[:k]

    def _bundle(
        self, need: _Need, instrument: MatchResult, datasets: list[MatchResult], experts: list[MatchResult]
    ) -> Bundle:
        i = self.position[instrument.iri]
        doc = self.index.docs[i]
        members = [BundleMember("instrument", doc.iri, doc.label, self._similarity(need, i), "fits the need")]
        for facility in doc.related.get("facility", [])[:1]:
            similarity = self._similarity(need, self.position.get(facility))
            members.append(BundleMember("facility", facility, self.index.label_of(facility), similarity, "at facility"))
        expert = self._expert_for(need, doc, experts)
        if expert is not None:
            members.append(expert)
        if datasets:
            best = datasets[0]
            j = self.position[best.iri]
            shared = self._shared_subject(i, j)
            relation = f"shared subject: {shared}" if shared else "fits the need"
            members.append(BundleMember("dataset", best.iri, best.label, self._similarity(need, j), relation))
        connected = sum(m.relation not in {"fits the need"} for m in members[1:])
        score = float(np.mean([m.similarity for m in members])) + 0.05 * connected
        return Bundle(round(score, 4), members, self._path(i, None))

    def _expert_for(self, need: _Need, doc: ResourceDoc, experts: list[MatchResult]) -> BundleMember | None:
        contacts = [self.position[c] for c in doc.related.get("contact", []) if c in self.position]
        if contacts:
            best = max(contacts, key=lambda j: self._similarity(need, j))
            return BundleMember("expert", self.index.docs[best].iri, self.index.docs[best].label,
                                self._similarity(need, best), "contact person")  # fmt: skip
        for r in experts:
            j = self.position[r.iri]
            if set(self.index.docs[j].organizations) & set(doc.organizations):
                return BundleMember("expert", r.iri, r.label, self._similarity(need, j), "same organisation")
        if experts:
            j = self.position[experts[0].iri]
            return BundleMember("expert", experts[0].iri, experts[0].label, self._similarity(need, j), "fits the need")
        return None

    def _similarity(self, need: _Need, i: int | None) -> float:
        return round(float(self.index.vector(i) @ need.vector), 4) if i is not None else 0.0

    def _shared_subject(self, a: int, b: int) -> str:
        subjects_a = {s for s, _ in self.index.inferred[a]} | set(self.index.docs[a].subjects)
        for s, _ in self.index.inferred[b]:
            if s in subjects_a:
                return self.index.subjects[s].label
        return ""

    def reverse(self, iri: str, needs: Sequence[tuple[str, str]], k: int = 10) -> list[NeedMatch]:
        """The needs (id, text) this resource fits best, most similar first."""
        if iri not in self.position:
            raise MatchError(f"no resource {iri} in the index; check the IRI or run `sharekg index`")
        if not needs:
            return []
        i = self.position[iri]
        vectors = self.encoder.encode([text for _, text in needs])
        sims = vectors @ self.index.vector(i)
        order = np.argsort(-sims)[:k]
        lexical, local = self.index.part_of(i).lexical, int(self.index.local[i])
        return [
            NeedMatch(needs[j][0], needs[j][1], round(float(sims[j]), 4), lexical.matched_terms(needs[j][1], local))
            for j in order
        ]

    # ---- ranking ------------------------------------------------------------------------------

    def _allowed(self, type_name: str, base: np.ndarray | None, k: int) -> tuple[np.ndarray | None, int]:
        """The type's rows ``base`` allows (None: all) and how deep each channel ranks them (0: none allowed)."""
        part = self.index.parts[type_name]
        allowed = None if base is None else base[part.rows]  # over the type's rows, before any ranking
        count = len(part.rows) if allowed is None else int(allowed.sum())
        return allowed, min(count, max(MIN_DEPTH, 5 * k))

    def _lexical_later(
        self, text: str, type_name: str, allowed: np.ndarray | None, depth: int
    ) -> Future[np.ndarray]:  # fmt: skip
        """``_lexical`` as a future: on the pool for a large type, where it overlaps the model call, else done here.
        On the sample's four types BM25 takes 0.5 ms in all, less than handing it to a thread costs under load."""
        if len(self.index.parts[type_name].rows) >= LEXICAL_POOL_FROM_ROWS:
            return self._lexical_pool.submit(self._lexical, text, type_name, allowed, depth)
        done: Future[np.ndarray] = Future()
        done.set_result(self._lexical(text, type_name, allowed, depth))
        return done

    def _lexical(self, text: str, type_name: str, allowed: np.ndarray | None, depth: int) -> np.ndarray:
        """BM25's ranking of the type's ``allowed`` rows (positions in the type's indexes), ``depth`` deep."""
        if depth == 0:
            return np.zeros(0, dtype=np.int64)
        ids, _ = self.index.parts[type_name].lexical.search(text, depth, allowed)
        return ids

    def _rank(
        self, need: _Need, type_name: str, base: np.ndarray | None, k: int, team: TeamPlace | None,
        scope: tuple[np.ndarray | None, int] | None = None, lexical: Future[np.ndarray] | None = None,
    ) -> list[MatchResult]:  # fmt: skip
        """The ``k`` best documents of one type among those ``base`` allows (all when None). ``scope`` (``_allowed``)
        and ``lexical`` (BM25's ranking) are passed when ``match`` already has them, else computed here."""
        part = self.index.parts.get(type_name)
        if part is None:
            return []
        allowed, depth = scope if scope is not None else self._allowed(type_name, base, k)
        if depth == 0:
            return []
        dense_ids, _ = part.vector_index.search(need.vector, depth, allowed)
        lexical_ids = lexical.result() if lexical is not None else self._lexical(need.text, type_name, allowed, depth)
        graph_ids = self._graph_ranking(need, type_name, base, depth)
        w = self.weights
        items, scores = fuse_arrays(
            [(part.rows[dense_ids], w.dense), (part.rows[lexical_ids], w.lexical), (graph_ids, w.graph)]
        )
        factors = self._factors(items, team)
        scores *= factors
        order = np.lexsort((items, -scores))[:k]  # ties by row
        top = [(int(items[j]), float(scores[j]), float(factors[j])) for j in order]
        terms = part.lexical.explain(need.text, [int(self.index.local[i]) for i, _, _ in top])
        return [self._result(need, i, s, f, matched) for (i, s, f), matched in zip(top, terms, strict=True)]

    def _graph_ranking(self, need: _Need, type_name: str, allowed: np.ndarray | None, depth: int) -> np.ndarray:
        """Documents of the type tagged with the need's subjects, by summed similarity (ties by row)."""
        postings = [self._subject_rows[type_name].get(s) for s in need.subjects]
        found = [(p, need.subjects[s]) for p, s in zip(postings, need.subjects, strict=True) if p is not None]
        if not found:
            return np.zeros(0, dtype=np.int64)
        candidates = np.unique(np.concatenate([rows for (rows, _), _ in found]))
        overlap = np.zeros(len(candidates), dtype=np.float32)
        for (rows, sims), weight in found:  # in the need's subject order, in float32
            overlap[np.searchsorted(candidates, rows)] += weight * sims
        keep = overlap > 0
        if allowed is not None:
            keep &= allowed[candidates]
        candidates, overlap = candidates[keep], overlap[keep]
        order = np.lexsort((candidates, -overlap))[:depth]
        return np.asarray(candidates[order], dtype=np.int64)

    def _factors(self, rows: np.ndarray, team: TeamPlace | None) -> np.ndarray:
        """Re-ranking factors of documents ``rows``: availability, then closeness to the team."""
        factors = np.where(self._unavailable[rows], self.weights.unavailable, 1.0)
        if team is not None:
            factors *= np.array([self._team_factor(int(i), team) for i in rows], dtype=np.float64)
        return factors

    def _team_factor(self, i: int, team: TeamPlace) -> float:
        doc, w = self.index.docs[i], self.weights
        if team.organization and self._facts.in_organization(i, team.organization):
            return w.same_organization
        if team.region and doc.region.lower() == team.region.lower():
            return w.same_region
        if team.country and doc.country.lower() == team.country.lower():
            return w.same_country
        return 1.0

    # ---- explanations -------------------------------------------------------------------------

    def _result(
        self, need: _Need, i: int, score: float, factor: float, lexical: tuple[list[str], float]
    ) -> MatchResult:
        """Result ``i`` with its explanation; ``factor`` is the re-ranking factor already in ``score``."""
        doc = self.index.docs[i]
        vector = self.index.vector(i)
        cosine = float(vector @ need.vector)
        sentence_sims = need.sentence_vectors @ vector
        best = np.argsort(-sentence_sims)[:2]
        tagged = sorted(j for s in doc.subjects if (j := self._subject_row.get(s)) is not None and j in need.subjects)
        shared = [s for s, _ in self.index.inferred[i] if s in need.subjects] + tagged
        matched_terms, bm25 = lexical
        explanation = Explanation(
            matched_terms=matched_terms,
            matched_sentences=[(need.sentences[j], round(float(sentence_sims[j]), 3)) for j in best],
            shared_subjects=[self._subject(s) for s in dict.fromkeys(shared)],
            path=self._path(i, shared[0] if shared else None),
            signals={"cosine": round(cosine, 4), "bm25": round(bm25, 3), "factor": factor},
        )
        place = ", ".join(p for p in (doc.city, doc.region, doc.country) if p)
        return MatchResult(
            doc.iri, doc.type, doc.label, round(score, 6), doc.organization_label, place, doc.access,
            doc.homepage, explanation,
        )  # fmt: skip

    def _subject(self, row: int) -> dict[str, str]:
        s = self.index.subjects[row]
        return {"iri": s.iri, "label": s.label, "scheme": s.scheme_label or s.scheme}

    def _path(self, i: int, subject: int | None) -> list[PathStep]:
        doc = self.index.docs[i]
        path = [PathStep("", None, "your need", "Need")]
        if subject is not None:
            s = self.index.subjects[subject]
            path.append(PathStep("about", s.iri, s.label, "Subject"))
        path.append(PathStep("subject of" if subject is not None else "matches", doc.iri, doc.label, doc.type))
        for relation, label in (("facility", "at facility"), ("contact", "contact person")):
            for iri in doc.related.get(relation, [])[:1]:
                path.append(PathStep(label, iri, self.index.label_of(iri), self._type_of(iri)))
        if doc.organizations:
            org = doc.organizations[0]
            path.append(PathStep("hosted by", org, self.index.label_of(org), "Organization"))
        return path

    def _type_of(self, iri: str) -> str:
        position = self.position.get(iri)
        return self.index.docs[position].type if position is not None else ""


def _subject_postings(
    inferred: list[list[tuple[int, float]]], documents: np.ndarray
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Subject row -> (rows among ``documents`` tagged with it, ascending; similarities), for the graph channel."""
    rows: dict[int, list[tuple[int, float]]] = {}
    for i in documents.tolist():
        for subject, sim in inferred[i]:
            rows.setdefault(subject, []).append((i, sim))
    return {
        s: (np.array([i for i, _ in pairs], dtype=np.int64), np.array([sim for _, sim in pairs], dtype=np.float32))
        for s, pairs in rows.items()
    }


def _check_text(text: object) -> str:
    if not isinstance(text, str):
        raise MatchError(f"a need is text; got {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise MatchError("the need is empty; describe your idea in a sentence or more")
    if len(stripped) > MAX_NEED_CHARS:
        raise MatchError(
            f"the need is {len(stripped):,} characters; the limit is {MAX_NEED_CHARS:,}. Send the abstract or a summary"
        )
    if not any(ch.isalnum() for ch in stripped):
        raise MatchError("the need has no letters or digits; describe your idea in words")
    return stripped


__all__ = [
    "MAX_K",
    "MAX_NEED_CHARS",
    "Bundle",
    "BundleMember",
    "MatchResponse",
    "MatchResult",
    "Matcher",
    "NeedMatch",
]
