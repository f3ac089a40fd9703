"""Matching a team's need to the resources that fit it, explained.

For each resource type asked for: the type's own vector and BM25 indexes are searched (``TypeIndex``), so the
type filter costs nothing; the other filters make a mask over the type's documents *before* ranking. Candidates come
from dense search, BM25 and the graph's evidence (``graph.search.evidence``), and each is scored on every channel: its
evidence is the best of its own similarity and the graph's, with BM25 weighed by the need's length and how central
it is among its kind (its in-degree in the type's nearest-neighbour graph), turned into a calibrated fit
(``graph.search.fit``) by which results rank; graph-aware factors re-rank (same organisation or region as the team,
availability), experts sharing an award or organisation are capped, and results under the floor are not presented.
A need in Chinese is read by its English gloss (``graph.search.crosslingual``). Every result carries its
explanation, computed for the k results alone (their BM25 postings, their vectors).
"""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

import numpy as np

from graph.errors import MatchError
from graph.search.crosslingual import Glossary, has_cjk, shared_glossary
from graph.search.encoding import Embedder, NeedVectors, closest_sentence, need_encoder, need_similarity
from graph.search.evidence import Evidence, GraphEvidence
from graph.search.explain import Explanation, PathStep, Reason, sentences
from graph.search.filters import DocumentFacts, Filters, TeamPlace
from graph.search.fit import (
    CLOSEST_WHEN_NONE,
    FLOOR_EVIDENCE,
    GATE_DEPTH,
    LEXICAL,
    NOT_BY_CENTRALITY,
    NOTHING_FITS,
    band_of,
    centrality_evidence,
    evidence_of,
    fit_of_evidence,
    lexical_evidence,
    mention_evidence,
)
from graph.search.index import PASSAGE_TYPES, SearchIndex
from graph.search.lexical import whole_words
from graph.search.senses import SenseChooser
from graph.search.vector_index import top_k

MAX_NEED_CHARS = 10_000
MAX_READINGS = 20_000  # needs whose reading reverse matching keeps (``Matcher.standout``)
MAX_K = 100
MAX_UNKNOWN_WORDS = 20  # the need's words read character by character that an answer names (the first, in order)
UNAVAILABLE = {"inactive", "decommissioned", "closed"}  # statuses that lower a resource's rank (Weights.unavailable)
MIN_DEPTH = 100  # candidates each channel contributes, at least
#: Pseudo-relevance feedback for types the graph carries no evidence for: the need's vector moves towards the mean
#: of its nearest documents (Rocchio), by this weight and over this many documents.
FEEDBACK_WEIGHT = 0.5
FEEDBACK_DOCS = 5
#: A need read by its gloss: the terms of its nearest documents that BM25 also reads (post-translation feedback;
#: weighed against the need's own in graph.search.fit, LEXICAL_FEEDBACK_WEIGHT)
LEXICAL_FEEDBACK_TERMS = 10
#: A diverse list of experts: at most this many who share an award, or an organisation.
MAX_PER_AWARD = 2
MAX_PER_ORGANIZATION = 3
#: A ranking: positions in a type's indexes and their scores.
Ranked = tuple[np.ndarray, np.ndarray]
#: Threads that run BM25 while the model encodes the need (BM25 needs only the text). A small pool shared by
#: concurrent requests; BM25 (numpy) and the model call (torch) both release the GIL for most of their work.
LEXICAL_THREADS = 4
LEXICAL_POOL_FROM_ROWS = 50_000  # types this large run BM25 on the pool (1M resources: p95 11 ms); smaller, inline
#: The stages a match reports to ``Matcher(on_stage=...)``, in order: ``plan`` (check, filter masks, the model call
#: started, BM25 inline or started on the pool), ``encode`` (waiting for the need's vectors, and its subjects), then
#: per type ranked: ``dense`` (vector search), ``lexical`` (waiting for BM25's ranking), ``graph`` (the graph's
#: evidence), ``score`` (every candidate on every channel, the fit, re-ranking, the floor), ``explain`` (the results).
STAGES = ("plan", "encode", "dense", "lexical", "graph", "score", "explain")


@dataclass(frozen=True, slots=True)
class Weights:
    """Which channels count and how re-ranking factors weigh. With every channel on, a result's evidence is the best
    of its own similarity to the need and the graph's evidence (``graph.search.evidence``), with its BM25 evidence,
    and results rank by the fit the calibrated model gives them (``graph.search.fit``); a channel alone ranks by its
    own score (the evaluation's baselines). Re-ranking factors are set a priori; nothing is tuned per query.

    ``floor``: the evidence under which results are not presented as matches (``graph.search.fit.FLOOR_EVIDENCE``;
    0 keeps every result: evaluation ranks all). A type is presented only if one of its first ``GATE_DEPTH`` results
    reaches it by the need as written (``MatchResult.floor_evidence``), and then its first results that reach it by
    what the need says of them (their evidence without centrality).
    ``diverse``: experts sharing an award or an organisation are capped (``MAX_PER_AWARD``, ``MAX_PER_ORGANIZATION``).
    ``centrality``: how central a result is among its kind counts in its evidence (among its nearest, and for a
    dataset among the records that name it; ``graph.search.fit``); off for the evaluation's one-channel baselines.
    """

    dense: bool = True
    lexical: bool = True
    graph: bool = True
    same_organization: float = 1.10
    same_region: float = 1.05
    same_country: float = 1.02
    unavailable: float = 0.8
    floor: float = FLOOR_EVIDENCE
    diverse: bool = True
    centrality: bool = True

    def presents(self, evidence: np.ndarray | float) -> np.ndarray:
        """Whether this evidence (each of these) is at or above the floor."""
        return np.asarray(evidence) >= self.floor if self.floor > 0 else np.full(np.shape(evidence), True)

    def opens(self, floor_evidence: np.ndarray | Sequence[float]) -> bool:
        """Whether a type is presented, from its results' evidence of the need as written (``floor_evidence``) in
        their ranked order: one of the first ``GATE_DEPTH`` reaches the floor. No results: not presented."""
        first = np.asarray(floor_evidence, dtype=np.float64)[:GATE_DEPTH]
        return bool(len(first)) and bool(self.presents(first.max()))


@dataclass(slots=True)
class MatchResult:
    iri: str
    type: str
    label: str
    score: float  # what the list is ordered by: the fit times the re-ranking factors
    organization: str
    place: str
    access: str
    homepage: str
    explanation: Explanation = field(default_factory=Explanation)
    fit: float = 0.0  # the calibrated chance that the result fits (graph.search.fit)
    band: str = "weak"  # strong | good | weak
    #: The evidence of the need as written, without what feedback from its nearest documents adds: what the floor
    #: gates a type by (graph.search.fit), since feedback lifts the nearest documents whether or not anything fits.
    floor_evidence: float = 0.0


@dataclass(slots=True)
class MatchResponse:
    need: str
    results: dict[str, list[MatchResult]]
    need_subjects: list[dict[str, str]]
    notes: dict[str, str] = field(default_factory=dict)  # per type, when nothing in it fits the need well
    #: The need's Chinese words the glossary lacks and read character by character (钙钛矿 as "calcium titanium ore"),
    #: the first ``MAX_UNKNOWN_WORDS`` in the need's order: a team that writes the English term beside one is read
    #: better.
    unknown_words: list[str] = field(default_factory=list)
    #: The need's vector as matched (a need in Chinese: its gloss's), for the demand log; not part of the answer.
    vector: np.ndarray | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class NeedMatch:
    """A need (from the demand log: its id as text; stated by a contest entry: the entry's IRI; or a project) that a
    resource fits: its cosine with the resource, and how far the resource stands out for it among its kind
    (``Matcher.standout``), which the needs are ordered by."""

    need_id: str
    text: str
    similarity: float
    matched_terms: list[str]
    standout: float = 0.0


@dataclass(slots=True)
class Request:
    """A match request checked and planned: what ranking each type needs besides the need's vectors."""

    text: str
    k: int
    team: TeamPlace | None
    base: np.ndarray | None  # rows the filters allow (None: all)
    scopes: dict[str, tuple[np.ndarray | None, int]]  # per type: its allowed rows and the depth to rank
    lexical: dict[str, Future[Ranked]]  # per type: BM25's ranking
    parts: list[str]  # the need's sentences
    vectors: Future[NeedVectors]  # the need's and its sentences' vectors, being encoded
    reading: Reading  # what is searched for the need (its English gloss, for a need in Chinese)


@dataclass(frozen=True, slots=True)
class Reading:
    """How a need is read: the text the encoder embeds, the text BM25 searches, the sentences explanations show,
    and, for a need in Chinese, each word and the English it was glossed as (``graph.search.crosslingual``)."""

    encoded: str
    searched: str
    shown: list[str]
    glossary: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown: tuple[str, ...] = ()  # its Chinese words the glossary lacks, read character by character


@dataclass(slots=True)
class Need:
    text: str
    vector: np.ndarray
    sentences: list[str]
    sentence_vectors: np.ndarray
    subjects: dict[int, float]
    subject_sims: np.ndarray | None  # the need's similarity to every subject (None: the index has none)
    searched: str = ""  # what BM25 reads: the need, and its English gloss when it is in Chinese
    glossary: tuple[tuple[str, tuple[str, ...]], ...] = ()


class Matcher:
    """Answers match requests over one ``SearchIndex`` with one embedder."""

    def __init__(
        self,
        index: SearchIndex,
        embedder: Embedder,
        weights: Weights | None = None,
        glossary: Callable[[], Glossary] | None = shared_glossary,
        on_stage: Callable[[str, float], None] | None = None,
    ) -> None:
        """``glossary``: where a need in Chinese gets its English glosses (loaded on the first such need); None
        searches such needs as written. ``on_stage``: called with each stage's name (``STAGES``) and its seconds as
        a match runs, on the thread that ran it (benchmarks time stages with it); None times nothing."""
        self._on_stage = on_stage
        self.index = index
        self._glossary = glossary
        self._senses = SenseChooser([part.lexical for part in index.parts.values()])
        self.encoder = need_encoder(embedder)
        self.weights = weights or Weights()
        self.position = index.position
        self._unavailable = np.array([d.status.lower() in UNAVAILABLE for d in index.docs], dtype=bool)
        self._facts = DocumentFacts(index.docs, index.label_of)
        self._evidence = GraphEvidence(index)
        #: per type, what each document's centrality among its kind adds to its evidence (by local row): among its
        #: nearest, and among the records that name it (nothing for the types it does not rank, NOT_BY_CENTRALITY)
        self._centrality = {
            t: centrality_evidence(part.in_degree, part.nearest) + mention_evidence(part.mentioned_by)
            if t not in NOT_BY_CENTRALITY
            else np.zeros(len(part.rows))
            for t, part in index.parts.items()
        }
        self._subject_row = {s.iri: j for j, s in enumerate(index.subjects)}
        self._lexical_pool = ThreadPoolExecutor(LEXICAL_THREADS, thread_name_prefix="sharekg-bm25")
        self._means: dict[str, np.ndarray] = {}  # per type, the mean of its vectors (``standout``)
        #: how each need reverse matching has read was read (``standout``: a logged need is read at every reverse
        #: call, a Chinese one by its gloss), at most ``MAX_READINGS``
        self._readings: dict[str, Reading] = {}

    def variant(self, **weights: float | bool) -> Matcher:
        """This matcher with some of its ``Weights`` changed (``floor=0.0``: every result, however weak), sharing its
        index, encoder and everything built from them."""
        other = copy.copy(self)
        other.weights = replace(self.weights, **weights)  # type: ignore[arg-type]
        return other

    # ---- requests -----------------------------------------------------------------------------

    def match(
        self, text: object, filters: Filters | None = None, k: int = 10, team: TeamPlace | None = None
    ) -> MatchResponse:
        request = self.plan(text, filters or Filters(), k, team)
        started = time.perf_counter()
        need = self.need_of(request)
        self._stage("encode", started)
        return self._answer(request, need)

    async def match_async(
        self, text: object, filters: Filters | None = None, k: int = 10, team: TeamPlace | None = None
    ) -> MatchResponse:
        """``match`` for an async request handler: the need's encoding is awaited, not waited for, so the handler's
        Python (ranking, explanations) runs on the event loop and concurrent requests do not contend for the
        interpreter lock from many threads. The same request, the same answer."""
        request = self.plan(text, filters or Filters(), k, team)
        started = time.perf_counter()
        vectors = await asyncio.wrap_future(request.vectors)
        for pending in request.lexical.values():  # BM25 of large types, on the pool (small ones are done already)
            if not pending.done():
                await asyncio.wrap_future(pending)
        need = self._need_from(request, *vectors)
        self._stage("encode", started)
        return self._answer(request, need)

    def plan(self, text: object, filters: Filters, k: int, team: TeamPlace | None) -> Request:
        """A request checked, its filters applied, and BM25 started (it needs only the text: for large types it
        runs on the pool while the model encodes the need, the longest stage)."""
        started = time.perf_counter()
        checked = _check_text(text)
        types = self._check_types(filters.types)
        if not 1 <= k <= MAX_K:
            raise MatchError(f"k is {k}; ask for between 1 and {MAX_K} results per type")
        base = self._facts.mask(filters)
        scopes = {t: self._allowed(t, base, k) for t in types}
        reading = self.read(checked)
        parts = sentences(reading.encoded) if not reading.glossary else [reading.encoded]
        vectors = self.encoder.submit_need(reading.encoded, parts)  # the longest stage starts first
        lexical = {t: self._lexical_later(reading.searched, t, *scopes[t]) for t in types}
        self._stage("plan", started)
        return Request(checked, k, team, base, scopes, lexical, parts, vectors, reading)

    def read(self, text: str) -> Reading:
        """How the matcher reads a need: as written, or, with Chinese in it, by its English gloss (embedded, and
        searched by BM25 beside the Chinese as written). BM25's tokens are runs of word characters, so an unspaced
        Chinese clause is one token: it matches only a document that writes the same clause, and counts among the
        need's words for the length rule (``graph.search.fit.lexical_evidence``); a catalogue in Chinese would need
        segmented documents and queries, which the index does not build."""
        if self._glossary is None or not has_cjk(text):
            return Reading(text, text, sentences(text))
        gloss = self._glossary().gloss(text, self._senses.choose)
        if not gloss.text.strip() or not gloss.terms:
            return Reading(text, text, sentences(text))
        return Reading(gloss.text, f"{text}\n{gloss.text}", [text], gloss.terms, gloss.unknown)

    def encode_need(self, text: str) -> np.ndarray:
        """The need's vector as matching computes it (a Chinese need by its gloss), for callers that store it."""
        reading = self.read(text.strip())
        return self.encoder.submit_need(reading.encoded, [reading.encoded]).result()[0]

    def _answer(self, request: Request, need: Need) -> MatchResponse:
        ranked = {
            t: self._rank(need, t, request.base, request.k, request.team, scope, request.lexical[t])
            for t, scope in request.scopes.items()
        }
        return MatchResponse(
            need.text,
            {t: results for t, (results, _) in ranked.items()},
            [self._subject(i) for i in need.subjects],
            {t: note for t, (_, note) in ranked.items() if note},
            list(request.reading.unknown[:MAX_UNKNOWN_WORDS]),
            need.vector,
        )

    def _need(self, text: str) -> Need:
        """The need's vector and its sentences' (for explanations), waited for."""
        reading = self.read(text)
        parts = sentences(reading.encoded) if not reading.glossary else [reading.encoded]
        vectors = self.encoder.submit_need(reading.encoded, parts).result()
        return self._need_of(text, reading, *vectors)

    def _need_from(self, request: Request, vector: np.ndarray, sentence_vectors: np.ndarray) -> Need:
        return self._need_of(request.text, request.reading, vector, sentence_vectors)

    def _need_of(self, text: str, reading: Reading, vector: np.ndarray, sentence_vectors: np.ndarray) -> Need:
        """The need from its vectors and its subjects."""
        # einsum, not `@`: OpenBLAS' threaded matrix-vector product took 32 ms for 20,000 subjects on these 2 shared
        # cores, einsum 1.5 ms (as in VectorIndex)
        sims = np.einsum("ij,j->i", self.index.subject_vectors, vector) if len(self.index.subject_vectors) else None
        top = top_k(sims, 3).tolist() if sims is not None else []
        subjects = {i: float(sims[i]) for i in top if sims is not None and sims[i] >= 0.35}
        return Need(text, vector, reading.shown, sentence_vectors, subjects, sims, reading.searched, reading.glossary)

    def _check_types(self, types: Sequence[str]) -> list[str]:
        known = sorted(self.index.parts)
        unknown = [t for t in types if t not in known]
        if unknown:
            raise MatchError(f"unknown resource type(s) {unknown}; use any of {known}")
        return list(types) or known

    def rank_planned(self, request: Request, need: Need, type_name: str, k: int) -> tuple[list[MatchResult], str]:
        """One type's ``k`` best results for a planned request (as ``match`` ranks them; ``graph.search.bundles``
        ranks several types at several depths for one request), and the type's note when nothing fits well."""
        lexical = request.lexical.get(type_name)
        scope = self._allowed(type_name, request.base, k) if lexical is None else request.scopes[type_name]
        return self._rank(need, type_name, request.base, k, request.team, scope, lexical)

    def need_of(self, request: Request) -> Need:
        """The planned request's need, its encoding waited for."""
        return self._need_from(request, *request.vectors.result())

    def similarity(self, need: Need, iri: str) -> float:
        """The need's similarity to the resource ``iri`` by what it says itself, as ``match`` reads it (0 when it is
        not indexed): the best of its cosine with the need as written (its ``cosine`` signal: the feedback a type's
        ranking may add is not read here) and with the need's closest sentence; for an expert with
        works, their works' (``GraphEvidence.works_of``), as ``match`` ranks and shows experts. Bundles show and pick
        the members the graph joins (a contact person, a facility) by it."""
        i = self.position.get(iri)
        if i is None:
            return 0.0
        vector = np.asarray(self.index.vector(i), dtype=np.float32)[None, :]
        similarity = float(need_similarity(vector, need.vector, need.sentence_vectors)[0])
        type_name = self.index.docs[i].type
        by_works = self._works_similarity(need, type_name, np.array([i])) if self.weights.graph else None
        if by_works is not None and not np.isnan(by_works[0]):
            similarity = float(by_works[0])
        return round(similarity, 4)

    def reverse(self, iri: str, needs: Sequence[tuple[str, str]], k: int = 10) -> list[NeedMatch]:
        """The needs (id, text) this resource fits best, the ones it stands out for most first (``standout``)."""
        if iri not in self.position:
            raise MatchError(f"no resource {iri} in the index; check the IRI or run `sharekg index`")
        if not needs:
            return []
        return self.needs_ranked(iri, needs, self.encode_needs([text for _, text in needs]), k)

    def encode_needs(self, texts: Sequence[str]) -> np.ndarray:
        """The needs' vectors in one batch, each read as matching reads it (a Chinese need by its gloss)."""
        return self.encoder.encode([self._kept_reading(t).encoded for t in texts])

    def needs_ranked(
        self, iri: str, needs: Sequence[tuple[str, str]], vectors: np.ndarray, k: int = 10
    ) -> list[NeedMatch]:
        """The ``k`` of the needs (id, text; ``vectors`` one per need, as ``encode_need`` gives them) that the
        indexed resource ``iri`` stands out for most (``standout``), with the terms each shares with it."""
        similarity, standout = self.standout(iri, vectors, [text for _, text in needs])
        i = self.position[iri]
        lexical, local = self.index.part_of(i).lexical, int(self.index.local[i])
        text = self.index.docs[i].text
        searched = [self._kept_reading(need).searched for _, need in needs]  # what ``standout`` counted the terms of
        return [
            NeedMatch(
                needs[j][0],
                needs[j][1],
                round(float(similarity[j]), 4),
                whole_words(searched[j], lexical.matched_terms(searched[j], local), text),
                round(float(standout[j]), 4),
            )
            for j in np.argsort(-standout, kind="stable")[:k]
        ]

    def standout(self, iri: str, vectors: np.ndarray, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """For needs (``texts``, with their ``vectors`` as ``encode_need`` gives them) and the resource ``iri``: each
        need's cosine with the resource, and how far the resource stands out for the need among its kind, what
        reverse matching orders needs by:

            standout = cosine(need, resource) - mean cosine(need, each resource of its type) + LEXICAL * lexical

        (the mean cosine is the need's dot product with the mean of the type's vectors; ``lexical``: the BM25
        evidence of the terms the need shares with the resource, as ``/match`` weighs it,
        ``graph.search.fit.lexical_evidence``). A need that is as close to every resource of the kind (a general
        one, or one written in words every record uses) says less of this resource than one close to it alone: on
        the reviewer judgements (for one researcher, which papers they know best) ordering by the raw cosine gives a
        pairwise loss of 0.272, by this 0.204 (``benchmarks/results/eval.md``). Comparing one need's resources, the
        subtracted term is the same for all of them, so ``/match`` would rank them as it does; comparing needs for
        one resource it is not."""
        i = self.position[iri]
        doc, part, local = self.index.docs[i], self.index.part_of(i), int(self.index.local[i])
        similarity = np.asarray(vectors @ self.index.vector(i), dtype=np.float64)
        typical = np.asarray(vectors @ self._mean_vector(doc.type), dtype=np.float64)
        readings = [self._kept_reading(t).searched for t in texts]
        lexical = np.array(
            [
                lexical_evidence(part.lexical.scores_at(r, [local]), len(r.split()), doc.type)[0] if r.strip() else 0.0
                for r in readings
            ],
            dtype=np.float64,
        )
        return similarity, similarity - typical + LEXICAL * lexical

    def _kept_reading(self, text: str) -> Reading:
        """How the need ``text`` is read (``read``), kept for the next reverse call."""
        text = text.strip()
        reading = self._readings.get(text)
        if reading is None:
            reading = self.read(text)
            if len(self._readings) >= MAX_READINGS:
                self._readings.clear()
            self._readings[text] = reading
        return reading

    def _mean_vector(self, type_name: str) -> np.ndarray:
        """The mean of the type's vectors (computed on first use and kept)."""
        if type_name not in self._means:
            self._means[type_name] = self.index.parts[type_name].vector_index.vectors.mean(axis=0, dtype=np.float64)
        return self._means[type_name]

    def _stage(self, name: str, started: float) -> float:
        """Report stage ``name``, begun at ``started`` (``time.perf_counter``), to ``on_stage``; returns now."""
        now = time.perf_counter()
        if self._on_stage is not None:
            self._on_stage(name, now - started)
        return now

    # ---- ranking ------------------------------------------------------------------------------

    def _allowed(self, type_name: str, base: np.ndarray | None, k: int) -> tuple[np.ndarray | None, int]:
        """The type's rows ``base`` allows (None: all) and how deep each channel ranks them (0: none allowed)."""
        part = self.index.parts[type_name]
        allowed = None if base is None else base[part.rows]  # over the type's rows, before any ranking
        count = len(part.rows) if allowed is None else int(allowed.sum())
        return allowed, min(count, max(MIN_DEPTH, 5 * k))

    def _lexical_later(self, text: str, type_name: str, allowed: np.ndarray | None, depth: int) -> Future[Ranked]:
        """``_lexical`` as a future: on the pool for a large type, where it overlaps the model call, else done here.
        On the sample's four types BM25 takes 0.5 ms in all, less than handing it to a thread costs under load."""
        if len(self.index.parts[type_name].rows) >= LEXICAL_POOL_FROM_ROWS:
            return self._lexical_pool.submit(self._lexical, text, type_name, allowed, depth)
        done: Future[Ranked] = Future()
        done.set_result(self._lexical(text, type_name, allowed, depth))
        return done

    def _lexical(self, text: str, type_name: str, allowed: np.ndarray | None, depth: int) -> Ranked:
        """BM25's ranking of the type's ``allowed`` rows (positions in the type's indexes), ``depth`` deep."""
        if depth == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        return self.index.parts[type_name].lexical.search(text, depth, allowed)

    def _rank(
        self,
        need: Need,
        type_name: str,
        base: np.ndarray | None,
        k: int,
        team: TeamPlace | None,
        scope: tuple[np.ndarray | None, int] | None = None,
        lexical: Future[Ranked] | None = None,
    ) -> tuple[list[MatchResult], str]:
        """The ``k`` best documents of one type among those ``base`` allows (all when None), and a note when none of
        them fits well. ``scope`` (``_allowed``) and ``lexical`` (BM25's ranking) are passed when ``match`` already
        has them, else computed here.

        Candidates are what each channel finds (dense search, BM25, the graph's evidence); each is then scored on
        every channel, so a result's fit does not depend on which channel found it."""
        part = self.index.parts.get(type_name)
        if part is None:
            return [], ""
        allowed, depth = scope if scope is not None else self._allowed(type_name, base, k)
        if depth == 0:
            return [], ""
        w = self.weights
        started = time.perf_counter()
        dense_ids, dense_sims = part.vector_index.search(need.vector, depth, allowed)
        query = need.vector
        # No graph evidence for this type (datasets): its nearest documents are the expansion instead (pseudo-relevance
        # feedback, for the dense channel here and a glossed need's BM25 below; effects in benchmarks/results/eval.md)
        feeds_back = w.graph and w.dense and not self._evidence.carries(type_name)
        if feeds_back and len(dense_ids):
            expanded = need.vector + FEEDBACK_WEIGHT * part.vector_index.vectors[dense_ids[:FEEDBACK_DOCS]].mean(axis=0)
            query = (expanded / max(float(np.linalg.norm(expanded)), 1e-12)).astype(np.float32)
            dense_ids, dense_sims = part.vector_index.search(query, depth, allowed)
        started = self._stage("dense", started)
        lexical_ids, _ = (
            lexical.result() if lexical is not None else self._lexical(need.searched, type_name, allowed, depth)
        )
        started = self._stage("lexical", started)
        graph = self._graph_evidence(need, type_name, part.rows[dense_ids], dense_sims, base, depth) if w.graph else {}
        started = self._stage("graph", started)
        local = np.unique(np.concatenate([dense_ids, lexical_ids, self.index.local[list(graph)].astype(np.int64)]))
        rows = part.rows[local]
        vectors = part.vector_index.vectors[local]
        cosine = np.einsum("ij,j->i", vectors, query).astype(np.float64)
        sentence = closest_sentence(vectors, need.sentence_vectors)
        bm25 = part.lexical.scores_at(need.searched, local).astype(np.float64)
        feedback = np.zeros_like(bm25)
        if feeds_back and need.glossary and w.lexical:
            # A glossed need's words are a dictionary's, not the catalogue's; the terms of its nearest documents
            # bring the catalogue's own back (post-translation feedback, as the dense channel's above; eval.md)
            texts = [self.index.docs[int(r)].text for r in part.rows[dense_ids[:FEEDBACK_DOCS]]]
            terms = part.lexical.feedback(texts, part.lexical.keys(need.searched), LEXICAL_FEEDBACK_TERMS)
            feedback = part.lexical.weighted_scores_at(terms, local)
        # An expert with works is read by them (their smooth maximum, graph.search.evidence), not by the profile's mean
        by_works = self._works_similarity(need, type_name, rows) if w.graph else None
        from_graph = np.array([graph[r].similarity if r in graph else 0.0 for r in rows.tolist()], dtype=np.float64)
        words = len(need.searched.split())

        def evidence_from(own: np.ndarray, shared: np.ndarray, borrowed: np.ndarray | float = 0.0) -> np.ndarray:
            """Each candidate's evidence from its own cosine (or its best sentence's; an expert's, their works') and
            BM25 (the channels that are on; ``borrowed``: BM25 of the terms of the need's nearest documents) and the
            graph's."""
            if sentence is not None:
                own = np.maximum(own, sentence)
            if by_works is not None:
                own = np.where(np.isnan(by_works), own, by_works)
            similarity = np.maximum(own if w.dense else np.zeros_like(own), from_graph)
            if not w.lexical:
                return evidence_of(similarity, np.zeros_like(shared), words, type_name)
            return evidence_of(similarity, shared, words, type_name, borrowed)

        # What the need says of each candidate, and what they rank by: that and how central each is among its kind
        of_need = evidence_from(cosine, bm25, feedback)
        evidence = of_need + self._centrality[type_name][local] if w.centrality else of_need
        fits = fit_of_evidence(evidence)
        # What the floor gates the type by: the evidence of the need as written, without what feedback added (it
        # lifts the nearest documents whether or not anything fits the need; graph/search/fit.py)
        fed_back = query is not need.vector
        if not fed_back:
            own_cosine, floor_evidence = cosine, of_need
        else:
            own_cosine = np.einsum("ij,j->i", vectors, need.vector).astype(np.float64)
            floor_evidence = evidence_from(own_cosine, bm25)
        key = fits if (w.dense or w.graph) else bm25
        factors = self._factors(rows, team)
        scores = key * factors
        order = np.lexsort((rows, -scores))
        # The type is presented only if the catalogue holds something for the need as written (one of its first
        # GATE_DEPTH results at or above the floor); then its first k results at or above the floor by what the need
        # says of them (centrality ranks, it does not say that a resource fits)
        presented = order[w.presents(of_need[order])] if w.opens(floor_evidence[order]) else order[:0]
        diverse = w.diverse and type_name == "Expert"
        above, capped = self._diverse(rows, presented, k) if diverse else (presented[:k].tolist(), {})
        note = ""
        if not above and len(order):
            # Nothing fits: the closest few, weak, their fit read on the need as written, as the type was gated (the
            # feedback that lifts them is no evidence here), and chosen by that fit, the one they are shown with
            note = NOTHING_FITS
            fits = np.minimum(fits, fit_of_evidence(floor_evidence))
            scores = fits * factors
            order = np.lexsort((rows, -scores))
            closest = min(k, CLOSEST_WHEN_NONE)
            chosen, capped = self._diverse(rows, order, closest) if diverse else (order[:closest].tolist(), {})
        else:
            chosen = above
        started = self._stage("score", started)
        explained = part.lexical.explain(need.searched, local[chosen].tolist())  # the shown results' terms only
        if "-" in need.searched:  # a hyphenated word is shown whole where the result writes it so ("X-ray", not "ray")
            docs = self.index.docs
            explained = [
                (whole_words(need.searched, terms, docs[int(rows[j])].text), bm25)
                for j, (terms, bm25) in zip(chosen, explained, strict=True)
            ]
        results = [
            self._result(
                need,
                int(rows[j]),
                float(scores[j]),
                float(factors[j]),
                terms_and_bm25,
                float(own_cosine[j]),
                float(fits[j]),
                graph.get(int(rows[j])),
                float(by_works[j]) if by_works is not None and not np.isnan(by_works[j]) else None,
                capped.get(int(j), 0),
                float(feedback[j]),
                float(floor_evidence[j]),
                weak=bool(note),
                fed_back=float(cosine[j]) if fed_back else None,
            )
            for j, terms_and_bm25 in zip(chosen, explained, strict=True)
        ]
        self._stage("explain", started)
        return results, note

    def _graph_evidence(
        self,
        need: Need,
        type_name: str,
        dense_rows: np.ndarray,
        dense_sims: np.ndarray,
        base: np.ndarray | None,
        depth: int,
    ) -> dict[int, Evidence]:
        """The graph's evidence for documents of the type (document rows), among those ``base`` allows."""
        hits = {type_name: (dense_rows, dense_sims)}
        if type_name == "Facility" and "Instrument" in self.index.parts:
            allowed, instrument_depth = self._allowed("Instrument", base, depth)
            if instrument_depth:
                ids, sims = self.index.parts["Instrument"].vector_index.search(need.vector, instrument_depth, allowed)
                hits["Instrument"] = (self.index.parts["Instrument"].rows[ids], sims)
        found = self._evidence.for_rows(need.vector, type_name, hits, need.subject_sims)
        if base is not None:
            found = {r: e for r, e in found.items() if base[r]}
        return found

    def _works_similarity(self, need: Need, type_name: str, rows: np.ndarray) -> np.ndarray | None:
        """The candidate experts' similarity from their works (NaN for those without; None for a type whose
        documents keep no vector per work)."""
        if type_name not in PASSAGE_TYPES:
            return None
        return self._evidence.works_of(type_name, need.vector, rows, need.sentence_vectors)

    def _diverse(self, rows: np.ndarray, order: np.ndarray, k: int) -> tuple[list[int], dict[int, int]]:
        """The first ``k`` of ``order`` with at most ``MAX_PER_AWARD`` experts of one award and
        ``MAX_PER_ORGANIZATION`` of one organisation; per kept position, how many it stood for that were left out
        (each left-out expert is counted for the first kept one holding an award or organisation that left them out).
        """
        cap = {"award": MAX_PER_AWARD, "org": MAX_PER_ORGANIZATION}
        count: dict[tuple[str, str], int] = {}
        first: dict[tuple[str, str], int] = {}  # award or organisation -> the first kept expert holding it
        place: dict[int, int] = {}  # kept expert -> its place among the kept
        kept: list[int] = []
        left_out: dict[int, int] = {}
        for j in order.tolist():
            doc = self.index.docs[int(rows[j])]
            keys = [("award", a) for a in doc.related.get("grant", [])]
            if doc.organizations:
                keys.append(("org", doc.organizations[0]))
            full = [key for key in keys if count.get(key, 0) >= cap[key[0]]]
            if full:  # left out for the award or organisation at its cap: counted for its first kept holder
                holder = min((first[key] for key in full), key=place.__getitem__)
                left_out[holder] = left_out.get(holder, 0) + 1
                continue
            place[j] = len(kept)
            kept.append(j)
            for key in keys:
                count[key] = count.get(key, 0) + 1
                first.setdefault(key, j)
            if len(kept) == k:
                break
        return kept, left_out

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
        self,
        need: Need,
        i: int,
        score: float,
        factor: float,
        lexical: tuple[list[str], float],
        cosine: float,
        fit: float,
        evidence: Evidence | None,
        by_works: float | None,
        left_out: int,
        feedback: float = 0.0,
        floor_evidence: float = 0.0,
        weak: bool = False,
        fed_back: float | None = None,
    ) -> MatchResult:
        """Result ``i`` with its explanation; ``factor`` is the re-ranking factor already in ``score``; ``feedback``
        the BM25 of the terms a glossed need borrowed from its nearest documents (in its fit apart from ``bm25``,
        ``graph.search.fit.evidence_of``); ``weak``: shown as one of the closest where nothing fits, in the band
        ``weak`` whatever its fit; ``fed_back``: for a type ranked by the need moved towards its nearest documents
        (pseudo-relevance feedback), the cosine with that query, which its evidence reads (``cosine`` stays the
        need's own, as written)."""
        doc = self.index.docs[i]
        sentence_sims = need.sentence_vectors @ self.index.vector(i)
        best = np.argsort(-sentence_sims)[:2]
        tagged = sorted(j for s in doc.subjects if (j := self._subject_row.get(s)) is not None and j in need.subjects)
        shared = [s for s, _ in self.index.inferred[i] if s in need.subjects] + tagged
        matched_terms, bm25 = lexical
        signals = {"cosine": round(cosine, 4), "bm25": round(bm25, 3), "factor": factor, "fit": round(fit, 4)}
        read = cosine if fed_back is None else fed_back  # the cosine its evidence reads
        if fed_back is not None:
            signals["cosine_feedback"] = round(fed_back, 4)
        if by_works is not None:  # an expert's similarity is their works' (graph.search.evidence.works_of)
            signals["works"] = round(by_works, 4)
        elif len(sentence_sims) > 1 and float(sentence_sims[best[0]]) > read + 1e-6:
            signals["sentence"] = round(float(sentence_sims[best[0]]), 4)  # its similarity came from that sentence
        notes = []
        if evidence is not None and evidence.similarity > read + 1e-6:
            signals["graph"] = round(evidence.similarity, 4)
            notes.append(
                Reason(
                    "graph", f"{evidence.relation}: {evidence.label}", relation=evidence.relation, label=evidence.label
                )
            )
        if self.weights.centrality and doc.type not in NOT_BY_CENTRALITY:
            part, local = self.index.parts[doc.type], int(self.index.local[i])
            signals["centrality"] = round(float(self._centrality[doc.type][local]), 4)
            if centrality_evidence(part.in_degree[local : local + 1], part.nearest)[0] > 0:
                degree = int(part.in_degree[local])
                text = (
                    f"central among its kind: {degree} others have it among their {part.nearest} nearest "
                    f"({part.nearest} on average)"
                )
                notes.append(Reason("central", text, count=degree, nearest=part.nearest))
            if (named := int(part.mentioned_by[local])) > 0:
                by = [self.index.docs[int(part.rows[j])].label for j in part.named_in[local].tolist() if j >= 0]
                more = ", …" if named > len(by) else ""
                text = (
                    f"named in the text of {named} other {doc.type.lower()}(s) of the catalogue: {', '.join(by)}{more}"
                )
                notes.append(Reason("named", text, count=named, names=tuple(by)))
        if feedback > 0:
            signals["bm25_feedback"] = round(feedback, 3)
            text = "shares terms with the resources nearest the need (read for a need in another language)"
            notes.append(Reason("feedback", text))
        if left_out:
            text = f"{left_out} more expert(s) of the same award or organisation left out, for a varied list"
            notes.append(Reason("left_out", text, count=left_out))
        explanation = Explanation(
            matched_terms=matched_terms,
            matched_sentences=[(need.sentences[j], round(float(sentence_sims[j]), 3)) for j in best],
            shared_subjects=[self._subject(s) for s in dict.fromkeys(shared)],
            path=self._path(i, shared[0] if shared else None),
            signals=signals,
            reasons=notes,
            glossary=_glossed(need.glossary, matched_terms),
            works=(
                self._evidence.justifying_works(need.vector, i, sentence_vectors=need.sentence_vectors)
                if doc.type in PASSAGE_TYPES
                else []
            ),
        )
        place = ", ".join(p for p in (doc.city, doc.region, doc.country) if p)
        return MatchResult(
            doc.iri,
            doc.type,
            doc.label,
            round(score, 6),
            doc.organization_label,
            place,
            doc.access,
            doc.homepage,
            explanation,
            round(fit, 4),
            "weak" if weak else band_of(fit),
            round(floor_evidence, 4),
        )

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
    "MatchResponse",
    "MatchResult",
    "Matcher",
    "Need",
    "NeedMatch",
    "Request",
]


def _glossed(glossary: Sequence[tuple[str, tuple[str, ...]]], matched: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The Chinese words of the need whose English glosses share a word with the result's matched terms, each once
    however often the need writes it.

    >>> nmr = ("核磁共振", ("nuclear magnetic resonance",))
    >>> _glossed([nmr, ("土壤", ("soil",)), nmr], ["resonance"])
    [('核磁共振', ['nuclear magnetic resonance'])]
    """
    words = {m.lower() for m in matched}
    return [
        (source, list(terms))
        for source, terms in dict.fromkeys(glossary)
        if any(w in words for term in terms for w in term.lower().split())
    ]
