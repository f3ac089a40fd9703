"""The ``sharekg`` command line: each command calls one library function and prints its result."""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from dataclasses import asdict
from functools import partial
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.settings import Settings, open_configured_store
from graph.demand import DemandLog, top_results
from graph.documents import RESOURCE_TYPES
from graph.errors import SharekgError
from graph.matcher import MAX_K, Filters, Matcher, MatchResponse
from graph.migrate import sparql_view
from graph.search_index import SearchIndex, index_folder, open_index
from graph.store import EXPORT_FORMATS, Store, open_store
from ingest.linking import distinct_entities, relink
from ingest.pipeline import SourcePlan, ingest_source, new_run_id, plan
from ingest.readers import FORMAT_NAMES
from ingest.report import RunReport
from ontology.terms import SKG_NS

#: Models load from local folders only, quietly.
OFFLINE_ENVIRONMENT = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_VERBOSITY": "error", "TOKENIZERS_PARALLELISM": "false"}

console = Console(stderr=True, width=None if sys.stderr.isatty() else 120)

#: Types ``stats`` leaves out: bookkeeping of ingest runs, not resources.
BOOKKEEPING_TYPES = {"IngestRun", "InputFile", "Source", "SubjectScheme"}


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Store and reports folder [env SHAREKG_DATA_DIR].")
@click.pass_context
def main(ctx: click.Context, data_dir: Path | None) -> None:
    """sharekg: shared research resources as a knowledge graph."""
    for name, value in OFFLINE_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = settings


def _open(settings: Settings, read_only: bool = False, *, embedded: bool = False) -> Store:
    """The configured store: Neo4j when SHAREKG_NEO4J_URI is set (unless ``embedded``), else the on-disk store."""
    if settings.neo4j_uri and not embedded:
        return open_configured_store(settings)
    if read_only and not settings.store_dir.exists():
        raise click.UsageError(f"no store at {settings.store_dir}; run `sharekg ingest` first")
    return open_store(settings.store_dir, read_only=read_only)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--source", help="Source name for all PATHS together (default: one source per path, named after it).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="Input format (default: detected per file).")
@click.option("--mapping", type=click.Path(exists=True, path_type=Path), help="Column mapping file (format 'mapped').")
@click.option("--sample", is_flag=True, help="Ingest the bundled sample: each folder of the sample is one source.")
@click.option("--strict", is_flag=True, help="Any rejected record or warning fails the run; nothing is written.")
@click.option("--no-index", is_flag=True, help="Skip updating the search index (embeddings, BM25) after ingesting.")
@click.pass_obj
def ingest(
    settings: Settings, paths: tuple[Path, ...], source: str | None, fmt: str | None,
    mapping: Path | None, sample: bool, strict: bool, no_index: bool,
) -> None:  # fmt: skip
    """Read PATHS (files or folders), validate them and publish each source's graph atomically."""
    if sample:
        paths = (*paths, *sorted(p for p in settings.sample_dir.iterdir() if p.is_dir()))
    if not paths:
        raise click.UsageError("name files or folders to ingest, or pass --sample")
    try:
        plans = plan(paths, source, fmt, mapping)
        store = _open(settings)
        try:
            reports = _run(store, plans, settings.reports_dir, strict)
            if not no_index:
                _update_index(settings, store)
        finally:
            store.close()
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    _print_reports(reports)
    if any(r.status in {"failed", "rejected-strict"} or (strict and r.rejected) for r in reports):
        sys.exit(1)


def _run(store: Store, plans: list[SourcePlan], reports_dir: Path, strict: bool) -> list[RunReport]:
    reports = []
    removed = store.collect_garbage()
    if removed:
        console.print(f"removed {removed} graph(s) left by replaced sources or interrupted runs")
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        for p in plans:
            task = bar.add_task(f"{p.source}: reading", total=None)
            reports.append(
                ingest_source(
                    store, p, reports_dir, strict=strict,
                    progress=partial(_show_progress, bar, task),
                )
            )  # fmt: skip
            bar.update(task, description=f"{p.source}: {reports[-1].status}", completed=1, total=1)
        link_task = bar.add_task("linking people and organisations across sources", total=None)
        reports.append(relink(store, new_run_id()))
        bar.update(link_task, completed=1, total=1)
    store.collect_garbage()
    return reports


def _show_progress(bar: Progress, task: TaskID, source: str, records: int) -> None:
    bar.update(task, description=f"{source}: {records:,} records")


def _print_reports(reports: list[RunReport]) -> None:
    table = Table(title="ingest summary")
    for column in ("source", "status", "read", "loaded", "rejected", "warnings", "triples", "seconds"):
        table.add_column(column, justify="left" if column in {"source", "status"} else "right")
    for r in reports:
        table.add_row(
            r.source, r.status, f"{r.read:,}", f"{r.loaded:,}", f"{r.rejected:,}", f"{r.warnings:,}",
            f"{r.triples:,}", f"{r.seconds.get('total', 0):.1f}",
        )  # fmt: skip
    console.print(table)
    for r in reports:
        if r.links is not None:
            rules = ", ".join(f"{n} by {rule}" for rule, n in sorted(r.links.by_rule.items())) or "none"
            console.print(
                f"linked people across sources: {rules}; "
                f"organisations named by two or more sources: {r.links.organizations_shared}"
            )
        if r.rejects_file:
            console.print(f"[yellow]{r.source}[/]: problems listed in {r.rejects_file}")
        if r.message and r.status != "unchanged":
            console.print(f"[red]{r.source}[/]: {r.message}")


def _update_index(settings: Settings, store: Store) -> SearchIndex:
    """Open the search index, building it (embedding only what changed) when the graph has changed."""
    from graph.embeddings import EmbeddingCache, SentenceTransformerEmbedder

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


@main.command("index")
@click.pass_obj
def index_command(settings: Settings) -> None:
    """Build or refresh the search index (embeddings, BM25, subjects) of the current graph."""
    store = _open(settings)
    try:
        _update_index(settings, store)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


@main.command()
@click.argument("text")
@click.option("--type", "types", multiple=True, type=click.Choice(RESOURCE_TYPES), help="Resource type(s) to return.")
@click.option("--k", default=5, show_default=True, help=f"Results per type (1 to {MAX_K}).")
@click.option("--organization", help="Only resources of this organisation (name or IRI), or of units under it.")
@click.option("--country", help="Only resources in this country.")
@click.option("--region", help="Only resources in this region or state.")
@click.option("--city", help="Only resources in this city.")
@click.option("--access", help="Words that must appear in the access terms (e.g. 'proposal').")
@click.option("--json", "as_json", is_flag=True, help="Print the full response as JSON.")
@click.pass_obj
def match(
    settings: Settings, text: str, types: tuple[str, ...], k: int, organization: str | None, country: str | None,
    region: str | None, city: str | None, access: str | None, as_json: bool,
) -> None:  # fmt: skip
    """Resources that fit a need described in TEXT, per type, each with why it matched."""
    store = _open(settings, read_only=True)
    try:
        index = _current_index(settings, store)
        from graph.embeddings import SentenceTransformerEmbedder

        matcher = Matcher(index, SentenceTransformerEmbedder.load(settings.model, settings.device))
        filters = Filters(types, organization, country, region, city, access)
        response = matcher.match(text, filters, k)
        log = DemandLog(settings.demand_path, retention_days=settings.demand_retention_days)
        log.record(response.need, {k: v for k, v in asdict(filters).items() if v}, top_results(response))
        log.close()
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps(asdict(response), indent=2, ensure_ascii=False))
        return
    _print_matches(response)


@main.command()
@click.argument("text")
@click.option("--k", default=3, show_default=True, help="Bundles to return.")
@click.option("--json", "as_json", is_flag=True, help="Print the bundles as JSON.")
@click.pass_obj
def bundle(settings: Settings, text: str, k: int, as_json: bool) -> None:
    """Coherent sets for a need: an instrument, its facility, the expert who runs or knows it, a dataset."""
    from graph.embeddings import SentenceTransformerEmbedder

    store = _open(settings, read_only=True)
    try:
        matcher = Matcher(_current_index(settings, store), SentenceTransformerEmbedder.load(settings.model))
        bundles = matcher.bundle(text, k=k)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([asdict(b) for b in bundles], indent=2, ensure_ascii=False))
        return
    out = Console(width=None if sys.stdout.isatty() else 120)
    for rank, b in enumerate(bundles, start=1):
        table = Table(title=f"bundle {rank} (score {b.score:.3f})")
        for column in ("role", "resource", "similarity", "joined by"):
            table.add_column(column, overflow="fold")
        for m in b.members:
            table.add_row(m.role, m.label, f"{m.similarity:.3f}", m.relation)
        out.print(table)


@main.command()
@click.argument("iri")
@click.option("--k", default=10, show_default=True, help="Needs to return.")
@click.pass_obj
def fits(settings: Settings, iri: str, k: int) -> None:
    """Reverse matching for a resource centre: the logged needs the resource IRI fits best."""
    from graph.embeddings import SentenceTransformerEmbedder

    store = _open(settings, read_only=True)
    log = DemandLog(settings.demand_path)
    try:
        matcher = Matcher(_current_index(settings, store), SentenceTransformerEmbedder.load(settings.model))
        needs = [(str(n.id), n.text) for n in log.needs()]
        found = matcher.reverse(iri, needs, k)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        log.close()
        store.close()
    if not found:
        click.echo("no needs logged yet: needs are logged by `sharekg match` (and the API)")
    for m in found:
        click.echo(f"{m.similarity:.3f}  need #{m.need_id}: {m.text[:100]}  [{', '.join(m.matched_terms[:6])}]")


def _current_index(settings: Settings, store: Store) -> SearchIndex:
    folder = index_folder(settings.data_dir, settings.model)
    if not (folder / "manifest.json").is_file():
        raise click.UsageError("no search index yet; run `sharekg index` (or `sharekg ingest` without --no-index)")
    index = SearchIndex.load(folder)
    if not index.is_current(store, settings.model):
        console.print("[yellow]the graph changed since the index was built; run `sharekg index` to refresh it[/]")
    return index


def _print_matches(response: MatchResponse) -> None:
    out = Console(width=None if sys.stdout.isatty() else 120)
    if response.need_subjects:
        out.print("need is about: " + "; ".join(f"{s['label']} ({s['scheme']})" for s in response.need_subjects))
    for type_name, results in response.results.items():
        table = Table(title=f"{type_name} matches", show_lines=True)
        for column in ("#", "resource", "where", "why"):
            table.add_column(column, overflow="fold")
        for rank, r in enumerate(results, start=1):
            where = "; ".join(p for p in (r.organization, r.place) if p)
            table.add_row(str(rank), f"{r.label}\n[dim]{r.iri}[/]", where, r.explanation.summary())
        out.print(table)


@main.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to save the adapted model in.")
@click.option("--epochs", default=1, show_default=True, help="Passes over the training pairs.")
@click.pass_obj
def adapt(settings: Settings, out: Path, epochs: int) -> None:
    """Adapt the embedding model to the graph's own texts (self-supervised: titles to their descriptions).

    Then use it with SHAREKG_MODEL=OUT (and `sharekg index` to re-embed)."""
    from graph.adaptation import AdaptationSettings, corpus_pairs
    from graph.adaptation import adapt as run_adaptation

    store = _open(settings, read_only=True)
    try:
        pairs = corpus_pairs(store)
    finally:
        store.close()
    console.print(f"{len(pairs):,} title/description pairs from the graph; base model {settings.model}")
    with Progress(*Progress.get_default_columns(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("adapting", total=None)
        try:
            run_adaptation(
                pairs, out, base_model=settings.model, settings=AdaptationSettings(epochs=epochs),
                progress=lambda step, steps, loss: bar.update(task, completed=step, total=steps,
                                                              description=f"adapting (loss {loss:.3f})"),
            )  # fmt: skip
        except SharekgError as e:
            raise click.ClickException(str(e)) from e
    console.print(f"saved to {out}; use it with SHAREKG_MODEL={out} and run `sharekg index`")


@main.command("eval")
@click.argument("task", type=click.Choice(["datafinder", "chmo", "reviewer"]))
@click.option("--queries", type=click.Path(exists=True, path_type=Path), required=True,
              help="Judgements: the queries file (datafinder, chmo) or the reviewer set's folder.")  # fmt: skip
@click.option("--corpus", type=click.Path(exists=True, path_type=Path), multiple=True, required=True,
              help="Candidates to rank, in a format sharekg reads (reviewer: the profiles JSONL).")  # fmt: skip
@click.option("--mapping", type=click.Path(exists=True, path_type=Path), help="Column mapping for a mapped corpus.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the scores as JSON here.")
@click.pass_obj
def eval_command(
    settings: Settings, task: str, queries: Path, corpus: tuple[Path, ...], mapping: Path | None, json_path: Path | None
) -> None:  # fmt: skip
    """Score matching on relevance judgements: P@5, R@5, MAP, MRR, nDCG@10 (or the reviewer set's pairwise loss)
    for BM25, plain cosine and sharekg, computed in the same run."""
    from api.evaluate import TASKS, run_ranking_task, run_reviewer_task
    from graph.embeddings import EmbeddingCache, SentenceTransformerEmbedder
    from graph.evaluation import format_table

    embedder = SentenceTransformerEmbedder.load(settings.model, settings.device)
    cache = EmbeddingCache(settings.embeddings_path)
    try:
        if task == "reviewer":
            losses = run_reviewer_task(queries, corpus[0], embedder, cache)
            payload: dict[str, object] = {"task": task, "model": settings.model, "pairwise_loss": losses}
            click.echo("| method | pairwise loss (lower is better) |\n| --- | ---: |")
            click.echo("\n".join(f"| {name} | {loss:.4f} |" for name, loss in losses.items()))
        else:
            scores = run_ranking_task(TASKS[task], queries, list(corpus), embedder, cache, mapping)
            payload = {"task": task, "model": settings.model, "scores": {m: s.as_dict() for m, s in scores.items()}}
            click.echo(format_table(scores))
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        cache.close()
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


@main.command()
@click.pass_obj
def stats(settings: Settings) -> None:
    """Counts of resources per type and source."""
    store = _open(settings, read_only=True)
    try:
        counts = store.count_by_type()
        entities = distinct_entities(store)
    finally:
        store.close()
    by_source: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for c in counts:
        if c.type.startswith(SKG_NS) and c.type.removeprefix(SKG_NS) not in BOOKKEEPING_TYPES:
            by_source[c.source].append((c.type.removeprefix(SKG_NS), c.count))
    table = Table(title=f"graph at {settings.store_dir}")
    table.add_column("source")
    table.add_column("type")
    table.add_column("count", justify="right")
    for source in sorted(by_source):
        for type_name, count in by_source[source]:
            table.add_row(source, type_name, f"{count:,}")
    table.add_section()
    for type_name, count in entities.items():
        table.add_row("all sources, distinct", type_name, f"{count:,}")
    Console(width=None if sys.stdout.isatty() else 120).print(table)


@main.command()
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="turtle", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@click.pass_obj
def export(settings: Settings, fmt: str, output: Path | None) -> None:
    """Write the current graph (every source, and the catalogue for dataset formats)."""
    store = _open(settings, read_only=True)
    try:
        if output is None:
            store.export(fmt, sys.stdout.buffer)
        else:
            with output.open("wb") as f:
                store.export(fmt, f)
    finally:
        store.close()


@main.command()
@click.option("--to", "target", type=click.Choice(["neo4j"]), required=True,
              help="Where to copy the embedded graph: the Neo4j server of SHAREKG_NEO4J_URI.")  # fmt: skip
@click.pass_obj
def migrate(settings: Settings, target: str) -> None:
    """Copy the embedded graph (each source's current graph and checksum) into Neo4j; again copies only changes."""
    from graph.migrate import copy_store
    from graph.store import open_neo4j_store

    if not settings.neo4j_uri:
        raise click.UsageError("set SHAREKG_NEO4J_URI (and SHAREKG_NEO4J_PASSWORD) to the Neo4j server to copy into")
    source = _open(settings, read_only=True, embedded=True)
    try:
        neo4j = open_neo4j_store(
            settings.neo4j_uri, settings.neo4j_user, settings.neo4j_password, settings.neo4j_database
        )
        try:
            for copied in copy_store(source, neo4j):
                console.print(f"{copied.source}: {copied.status} ({copied.triples:,} triples)")
        finally:
            neo4j.close()
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        source.close()


@main.command()
@click.option("--host", help="Address to listen on [env SHAREKG_HOST, default 127.0.0.1].")
@click.option("--port", type=int, help="Port to listen on [env SHAREKG_PORT, default 8000].")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Serve the HTTP API, the SPARQL endpoint and the web page over the store (stop with Ctrl-C)."""
    import uvicorn

    from api.app import create_app

    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port}.items() if v is not None})
    if not settings.neo4j_uri and not settings.store_dir.exists():
        raise click.UsageError(f"no store at {settings.store_dir}; run `sharekg ingest --sample` (or your data) first")
    address = f"http://{settings.host}:{settings.port}"
    console.print(f"sharekg serving {settings.store_dir}: web page {address}/ui/ · API docs {address}/docs")
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")


@main.group()
def keys() -> None:
    """API keys for writing through the HTTP API (POST /ingest)."""


@keys.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "centre"]), required=True, help="admin: any source; centre: "
              "only its own organisation's records, into sources named after it.")  # fmt: skip
@click.option("--organization", help="The organisation a centre key acts for (its name as the catalogues give it).")
@click.pass_obj
def keys_add(settings: Settings, name: str, role: str, organization: str | None) -> None:
    """Create a key called NAME; the key is printed once and only its SHA-256 hash is stored."""
    from api.keys import add_key

    try:
        key = add_key(settings.api_keys_path, name, "admin" if role == "admin" else "centre", organization)
    except SharekgError as e:
        raise click.UsageError(str(e)) from e
    console.print(f"key {name!r} ({role}) added to {settings.api_keys_path}; it is shown only now:")
    click.echo(key)
