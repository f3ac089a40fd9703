"""What the commands share: the console, opening the configured store, and the search index."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import Progress, TaskID, TimeElapsedColumn

from api.services import load_embedder
from api.settings import Settings, open_configured_store
from graph.errors import StoreError
from graph.search import GlossarySource, IndexFolder, Matcher, SearchIndex
from graph.store import Store, open_store

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
    embedder = load_embedder(settings)
    with Progress(*Progress.get_default_columns(), TimeElapsedColumn(), console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(f"embedding {stage} ({settings.model})", total=total)
            bar.update(tasks[stage], completed=done)

        index, built = indexes(settings).refresh(store, embedder, progress=progress)
    what = "built" if built else "up to date"
    console.print(f"search index {what}: {len(index.docs):,} resources, {len(index.subjects):,} subjects")
    return index


def indexes(settings: Settings) -> IndexFolder:
    return IndexFolder(settings.data_dir, settings.embeddings_path, GlossarySource(settings.glossary_terms))


def current_index(settings: Settings, store: Store) -> SearchIndex:
    """The saved index, with a warning when the graph changed since it was built."""
    folder = indexes(settings)
    try:
        index = folder.load(settings.model)
    except StoreError as e:
        raise click.UsageError(str(e)) from e
    if not folder.is_current(index, store, settings.model):
        console.print(
            "[yellow]the graph (or the glossary terms) changed since the index was built; run `sharekg index` to "
            "refresh it[/]"
        )
    return index


def open_matcher(settings: Settings, store: Store) -> Matcher:
    """The matcher over the saved index, with the embedder the settings name."""
    return Matcher(
        current_index(settings, store), load_embedder(settings), glossary=GlossarySource(settings.glossary_terms)
    )
