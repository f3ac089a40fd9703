"""What the running service holds: the store, the embedder, the search index and its matcher, the demand log and
the API keys. Built once in the app's lifespan; handlers reach it through ``api.deps``.

The matcher is swapped whole when the index is rebuilt (after an upload), so a request sees the old index or the
new one, never a mix. Writes (uploads) are serialised by one lock: the embedded store has one writer.
"""

from __future__ import annotations

import gc
import logging
import threading
from dataclasses import asdict, dataclass, field

from api.keys import KeyRing
from api.settings import Settings
from api.sparql import NO_SPARQL, SparqlRunner
from graph.analytics import graph_statistics, graph_version
from graph.centre import DemandIntake, DemandLog
from graph.errors import ConfigurationError
from graph.search import Embedder, GlossarySource, IndexFolder, Matcher, SentenceTransformerEmbedder
from graph.store import SparqlStore, Store

log = logging.getLogger("sharekg.api")


@dataclass
class IndexState:
    """The current matcher (None until an index exists) and what the background builder is doing."""

    matcher: Matcher | None = None
    building: bool = False
    error: str = ""
    current: bool = False


@dataclass
class Services:
    settings: Settings
    store: Store
    embedder: Embedder
    demand: DemandLog
    keys: KeyRing
    sparql: SparqlRunner
    index: IndexState = field(default_factory=IndexState)
    glossary: GlossarySource | None = None  # CC-CEDICT and the deployment's terms (default: the settings' file)
    cache: dict[str, object] = field(default_factory=dict)  # results that hold until the graph changes
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    _index_lock: threading.Lock = field(default_factory=threading.Lock)
    intake: DemandIntake = field(init=False)  # matching plus logging, within the settings' limits

    def __post_init__(self) -> None:
        self.intake = DemandIntake(self.demand, self.settings.demand_limits)
        self.glossary = self.glossary_source  # made now, so that a bad terms file stops the service at start

    @property
    def glossary_source(self) -> GlossarySource:
        """What Chinese is read with: the glossary given, else (made once, by ``__post_init__``) the settings' terms
        file over CC-CEDICT."""
        if self.glossary is None:
            self.glossary = GlossarySource(self.settings.glossary_terms)
        return self.glossary

    @property
    def sparql_store(self) -> SparqlStore:
        """The store as SPARQL reads it: the embedded store itself; a Neo4j store answers no SPARQL, which the
        ``ConfigurationError`` says (the search index reads a Neo4j graph through an in-memory copy instead)."""
        if isinstance(self.store, SparqlStore):
            return self.store
        raise ConfigurationError(NO_SPARQL)

    @property
    def indexes(self) -> IndexFolder:
        return IndexFolder(self.settings.data_dir, self.settings.embeddings_path, self.glossary)

    def load_index(self) -> None:
        """Use the saved index if there is one (even if the graph changed since: it is refreshed in the
        background, see ``refresh_index``)."""
        index = self.indexes.saved(self.embedder.name)  # an index of an older format is rebuilt, not loaded
        if index is not None:
            self.index.matcher = Matcher(index, self.embedder, glossary=self.glossary)
            self.index.current = self.indexes.is_current(index, self.store, self.embedder.name)
            settle_heap()

    def refresh_index(self) -> None:
        """Bring the index up to date with the graph (embedding only changed texts) and swap the matcher in."""
        with self._index_lock:
            self.index.building, self.index.error = True, ""
            try:
                index, built = self.indexes.refresh(self.store, self.embedder)
                if built or self.index.matcher is None:
                    self.index.matcher = Matcher(index, self.embedder, glossary=self.glossary)
                    settle_heap()
                self.index.current = True
                log.info("search index %s: %d resources", "rebuilt" if built else "up to date", len(index.docs))
            except Exception as e:  # the service keeps answering from the old index; /health shows the error
                log.exception("search index refresh failed")
                self.index.error = str(e)
            finally:
                self.index.building = False

    def refresh_index_in_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.refresh_index, name="sharekg-index", daemon=True)
        thread.start()
        return thread

    def graph_statistics(self, top: int = 10) -> dict[str, object]:
        """``graph.analytics.graph_statistics`` as JSON, cached until the graph changes (it takes seconds)."""
        key = f"graph-stats:{graph_version(self.store)}:{top}"
        cached = self.cache.get(key)
        if cached is None:
            cached = asdict(graph_statistics(self.sparql_store, top=top, top_communities=top))
            self.cache.clear()  # one graph version at a time
            self.cache[key] = cached
        return cached  # type: ignore[return-value]

    def warm_in_background(self) -> threading.Thread:
        """Compute the default graph statistics off the request path, so the explorer's first visit is quick."""

        def warm() -> None:
            try:
                self.graph_statistics()
            except Exception:  # the request path computes and reports it again
                log.exception("warming the graph statistics failed")

        thread = threading.Thread(target=warm, name="sharekg-warm", daemon=True)
        thread.start()
        return thread

    def close(self, *, store: bool = True) -> None:
        """Close what the services hold; ``store=False`` leaves the store open (its owner passed it in)."""
        self.sparql.close()
        self.demand.close()
        if store:
            self.store.close()


def load_embedder(settings: Settings, *, serving: bool = False) -> SentenceTransformerEmbedder:
    """The embedding model the settings name, on their device. ``serving``: as the service runs it, one torch thread a
    model call (concurrent requests use the cores; ``benchmarks/results/match.md``), needs encoded by the settings'
    runtime (ONNX Runtime by default) and batched across concurrent requests."""
    if not serving:
        return SentenceTransformerEmbedder.load(settings.model, settings.device)
    embedder = SentenceTransformerEmbedder.load(
        settings.model, settings.device, threads=1, runtime=settings.encoder_runtime, onnx_folder=settings.models_dir
    )
    embedder.enable_batching()
    return embedder


def settle_heap() -> None:
    """Take what is alive now (the index, the model, the app) out of the cyclic garbage collector's walks: its full
    collections walked all of it, a pause that showed in /match's tail under load (``benchmarks/results/load.md``,
    ``gc.freeze``). Called when an index is swapped in, after
    letting the previous one be collected."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


__all__ = ["IndexState", "Services", "load_embedder", "settle_heap"]
