"""Matching: resource documents built from the graph, the embedding model and its runtimes, vector and
lexical indexes, fusion, explanations, and the matcher that answers a need."""

from graph.search.browse import BrowseItem, BrowsePage, FacetCount, browse
from graph.search.bundles import JOINED_BONUS, Bundle, BundleMember, bundles
from graph.search.crosslingual import Glossary, GlossarySource, UnknownWord, has_cjk, unknown_words
from graph.search.documents import RESOURCE_TYPES, ResourceDoc
from graph.search.embedding_cache import EmbeddingCache
from graph.search.embeddings import DEFAULT_MODEL, RUNTIMES, SentenceTransformerEmbedder, default_model_path
from graph.search.encoding import Embedder, NeedEncoder, need_encoder
from graph.search.explain import PathStep
from graph.search.filters import Filters, TeamPlace
from graph.search.fit import NOTHING_FITS, fit_of_evidence
from graph.search.index import (
    FORMAT_VERSION,
    INFERRED_SUBJECT_MIN,
    INFERRED_SUBJECTS,
    IndexFolder,
    SearchIndex,
    format_version,
    index_folder,
    open_index,
)
from graph.search.lexical import LexicalIndex
from graph.search.matcher import (
    MAX_K,
    MAX_NEED_CHARS,
    MAX_UNKNOWN_WORDS,
    Matcher,
    MatchResponse,
    MatchResult,
    NeedMatch,
    Weights,
)

__all__ = [
    "DEFAULT_MODEL",
    "FORMAT_VERSION",
    "INFERRED_SUBJECTS",
    "INFERRED_SUBJECT_MIN",
    "JOINED_BONUS",
    "MAX_K",
    "MAX_NEED_CHARS",
    "MAX_UNKNOWN_WORDS",
    "NOTHING_FITS",
    "RESOURCE_TYPES",
    "RUNTIMES",
    "BrowseItem",
    "BrowsePage",
    "Bundle",
    "BundleMember",
    "Embedder",
    "EmbeddingCache",
    "FacetCount",
    "Filters",
    "Glossary",
    "GlossarySource",
    "IndexFolder",
    "LexicalIndex",
    "MatchResponse",
    "MatchResult",
    "Matcher",
    "NeedEncoder",
    "NeedMatch",
    "PathStep",
    "ResourceDoc",
    "SearchIndex",
    "SentenceTransformerEmbedder",
    "TeamPlace",
    "UnknownWord",
    "Weights",
    "browse",
    "bundles",
    "default_model_path",
    "fit_of_evidence",
    "format_version",
    "has_cjk",
    "index_folder",
    "need_encoder",
    "open_index",
    "unknown_words",
]
