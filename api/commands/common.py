"""What the commands share: the console, opening the configured store, and the search index."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import Progress, TaskID, TimeElapsedColumn

from api.settings import Settings, open_configured_store
from graph.search import FORMAT_VERSION, SearchIndex, format_version, index_folder, open_index
from graph.store import Store, open_store, sparql_view

#: Models load from local folders only, quietly.
OFFLINE_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false"}

console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)


def open_for(settings: Settings, read_only: bool = False, *, embedded: bool = False) -> Store:
    """The configured store: Neo4j when SHAREKG_NEO4J_URI is set (unless ``embedded``), else the on-disk store."""
    if settings.neo4j_uri and not embedded:
        return open_configured_store(settings)
    if read_only and not settings.store_dir.exists():
        raise click.UsageError(f"no store at {settings.store_dir}; run `sharekg ingest` first")
    return open_store(settings.store_dir, read_only=read_only)


def update_index(settings: Settings, store: Store) -> SearchIndex:
    """Open the search index, building it (embedding only what changed) when the graph has changed."""
    from graph.search import EmbeddingCache, SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder.load(settings.model, settings.device)
    cache = EmbeddingCache(settings.embeddings_path)
    with Progress(*Progress.get_default_columns(), TimeElapsedColumn(), console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"embedding {stage} ({settings.model})", total=total)
            bar.update(tasks[stage], completed=done)

        try:
            folder = index_folder(settings.data_dir, settings.model)
            index, built = open_index(sparql_view(store), embedder, cache, folder, progress=progress)
        finally:
            cache.close()
    what = "built" if built else "up to date"
    console.print(f"search index {what}: {len(index.docs):,} resources, {len(index.subjects):,} subjects")
    return index


def current_index(settings: Settings, store: Store) -> SearchIndex:
    folder = index_folder(settings.data_dir, settings.model)
    version = format_version(folder)  # None: no index saved there
    if version is None:
        raise click.UsageError("no search index yet; run `sharekg index` (or `sharekg ingest` without --no-index)")
    if version != FORMAT_VERSION:
        raise click.UsageError("the search index was built by an older sharekg; run `sharekg index` to rebuild it")
    index = SearchIndex.load(folder)
    if not index.is_current(store, settings.model):
        console.print("[yellow]the graph changed since the index was built; run `sharekg index` to refresh it[/]")
    return index
