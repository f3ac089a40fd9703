"""Commands that load and look after the graph: ingest, index, stats, export, migrate."""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.commands.common import console, open_for, update_index
from api.settings import Settings
from graph.errors import SharekgError
from graph.store import EXPORT_FORMATS, Store, sparql_view
from ingest.linking import distinct_entities
from ingest.pipeline import SourcePlan, ingest_sources, plan
from ingest.readers import FORMAT_NAMES
from ingest.report import RunReport
from ontology.terms import SKG_NS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--source", help="Source name for all PATHS together (default: one source per path, named after it).")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="Input format (default: detected per file).")
@click.option("--mapping", type=click.Path(exists=True, path_type=Path), help="Column mapping file (format 'mapped').")
@click.option("--encoding", help="Text encoding of the input files (e.g. gb18030, utf-8); default: detected")
@click.option("--sample", is_flag=True, help="Ingest the bundled sample: each folder of the sample is one source.")
@click.option("--strict", is_flag=True, help="Any rejected record or warning fails the run; nothing is written.")
@click.option(
    "--allow-shrink",
    is_flag=True,
    help="Publish a source even when the input removes most of its records (refused otherwise).",
)
@click.option("--no-index", is_flag=True, help="Skip updating the search index (embeddings, BM25) after ingesting.")
@click.pass_obj
def ingest(
    settings: Settings,
    paths: tuple[Path, ...],
    source: str | None,
    fmt: str | None,
    mapping: Path | None,
    encoding: str | None,
    sample: bool,
    strict: bool,
    allow_shrink: bool,
    no_index: bool,
) -> None:
    """Read PATHS (files or folders), validate them and publish each source's graph atomically."""
    if sample:
        paths = (*paths, *sorted(p for p in settings.sample_dir.iterdir() if p.is_dir()))
    if not paths:
        raise click.UsageError("name files or folders to ingest, or pass --sample")
    try:
        plans = plan(paths, source, fmt, mapping, encoding)
        store = open_for(settings)
        try:
            reports = _run(store, plans, settings.reports_dir, strict, allow_shrink)
            if not no_index:
                update_index(settings, store)
        finally:
            store.close()
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    _print_reports(reports)
    if any(r.status in {"failed", "rejected-strict", "refused-shrink"} or (strict and r.rejected) for r in reports):
        sys.exit(1)


def _run(store: Store, plans: list[SourcePlan], reports_dir: Path, strict: bool, allow_shrink: bool) -> list[RunReport]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console) as bar:
        tasks: dict[str, TaskID] = {}

        def show(source: str, records: int) -> None:
            if source not in tasks:
                tasks[source] = bar.add_task(f"{source}: reading", total=None)
            bar.update(tasks[source], description=f"{source}: {records:,} records")

        def ended(report: RunReport) -> None:
            description = f"{report.source}: {report.status}"
            if report.source in tasks:
                bar.update(tasks[report.source], description=description, completed=1, total=1)
            else:
                tasks[report.source] = bar.add_task(description, completed=1, total=1)

        outcome = ingest_sources(
            store, plans, reports_dir, strict=strict, allow_shrink=allow_shrink, progress=show, on_report=ended
        )
    if outcome.graphs_removed:
        console.print(f"removed {outcome.graphs_removed} graph(s) left by replaced sources or interrupted runs")
    return outcome.reports


def _print_reports(reports: list[RunReport]) -> None:
    table = Table(title="ingest summary")
    for column in ("source", "status", "read", "loaded", "rejected", "warnings", "triples", "seconds"):
        table.add_column(column, justify="left" if column in {"source", "status"} else "right")
    for r in reports:
        table.add_row(
            r.source,
            r.status,
            f"{r.read:,}",
            f"{r.loaded:,}",
            f"{r.rejected:,}",
            f"{r.warnings:,}",
            f"{r.triples:,}",
            f"{r.seconds.get('total', 0):.1f}",
        )
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


@click.command("index")
@click.pass_obj
def index_command(settings: Settings) -> None:
    """Build or refresh the search index (embeddings, BM25, subjects) of the current graph."""
    store = open_for(settings)
    try:
        update_index(settings, store)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()


#: Types ``stats`` leaves out: bookkeeping of ingest runs, not resources.
BOOKKEEPING_TYPES = {"IngestRun", "InputFile", "Source", "SubjectScheme"}


@click.command()
@click.pass_obj
def stats(settings: Settings) -> None:
    """Counts of resources per type and source (each source's types by count, then name: the same graph always
    prints the same table)."""
    store = open_for(settings, read_only=True)
    try:
        counts = store.count_by_type()
        entities = distinct_entities(sparql_view(store))
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
        for type_name, count in sorted(by_source[source], key=lambda row: (-row[1], row[0])):
            table.add_row(source, type_name, f"{count:,}")
    table.add_section()
    for type_name, count in sorted(entities.items(), key=lambda row: (-row[1], row[0])):
        table.add_row("all sources, distinct", type_name, f"{count:,}")
    Console(width=None if sys.stdout.isatty() else 120).print(table)


@click.command()
@click.option("--format", "fmt", type=click.Choice(sorted(EXPORT_FORMATS)), default="turtle", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="File to write (default: standard output).")
@click.pass_obj
def export(settings: Settings, fmt: str, output: Path | None) -> None:
    """Write the current graph (every source, and the catalogue for dataset formats)."""
    store = open_for(settings, read_only=True)
    try:
        if output is None:
            store.export(fmt, sys.stdout.buffer)
        else:
            with output.open("wb") as f:
                store.export(fmt, f)
    finally:
        store.close()


@click.command()
@click.option(
    "--to",
    "target",
    type=click.Choice(["neo4j"]),
    required=True,
    help="Where to copy the embedded graph: the Neo4j server of SHAREKG_NEO4J_URI.",
)
@click.pass_obj
def migrate(settings: Settings, target: str) -> None:
    """Copy the embedded graph (each source's current graph and checksum) into Neo4j; again copies only changes."""
    from graph.store import copy_store, open_neo4j_store

    if not settings.neo4j_uri:
        raise click.UsageError("set SHAREKG_NEO4J_URI (and SHAREKG_NEO4J_PASSWORD) to the Neo4j server to copy into")
    source = open_for(settings, read_only=True, embedded=True)
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
