"""Commands that match needs to resources and measure it: match, bundle, fits, adapt, eval."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress, TimeElapsedColumn
from rich.table import Table

from api.commands.common import console, open_for, open_matcher
from api.services import load_embedder
from api.settings import Settings
from graph.centre import Asker, DemandIntake, DemandLog
from graph.contest import stated_needs
from graph.errors import SharekgError
from graph.search import MAX_K, RESOURCE_TYPES, Filters, MatchResponse, bundles
from graph.store import sparql_view


@click.command()
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
    settings: Settings,
    text: str,
    types: tuple[str, ...],
    k: int,
    organization: str | None,
    country: str | None,
    region: str | None,
    city: str | None,
    access: str | None,
    as_json: bool,
) -> None:
    """Resources that fit a need described in TEXT, per type, each with why it matched."""
    store = open_for(settings, read_only=True)
    try:
        matcher = open_matcher(settings, store)
        filters = Filters(types, organization, country, region, city, access)
        log = DemandLog(settings.demand_path, retention_days=settings.demand_retention_days)
        try:  # matched and logged as the service does: one call, one top-k, the same limits
            response = DemandIntake(log, settings.demand_limits).match(matcher, text, filters, k, Asker("cli")).response
        finally:
            log.close()
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()
    if as_json:
        answer = {key: value for key, value in asdict(response).items() if key != "vector"}
        click.echo(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    _print_matches(response)


@click.command()
@click.argument("text")
@click.option("--k", default=3, show_default=True, help="Bundles to return.")
@click.option("--json", "as_json", is_flag=True, help="Print the bundles as JSON.")
@click.pass_obj
def bundle(settings: Settings, text: str, k: int, as_json: bool) -> None:
    """Coherent sets for a need: an instrument, its facility, the expert who runs or knows it, a dataset."""
    store = open_for(settings, read_only=True)
    try:
        matcher = open_matcher(settings, store)
        found = bundles(matcher, text, k=k)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        store.close()
    if as_json:
        click.echo(json.dumps([asdict(b) for b in found], indent=2, ensure_ascii=False))
        return
    out = Console(width=None if sys.stdout.isatty() else 120)
    for rank, b in enumerate(found, start=1):
        table = Table(title=f"bundle {rank} (fit of its matched members {b.fit:.1%})")
        for column in ("role", "resource", "fit", "joined by"):
            table.add_column(column, overflow="fold")
        for m in b.members:
            table.add_row(m.role, m.label, _fit(m.fit, m.band) if m.band else "joined, not matched", m.relation)
        out.print(table)


@click.command()
@click.argument("iri")
@click.option("--k", default=10, show_default=True, help="Needs to return.")
@click.pass_obj
def fits(settings: Settings, iri: str, k: int) -> None:
    """Reverse matching for a resource centre: the logged needs the resource IRI fits best (the needs it stands out
    for among its kind first: each line gives that, then the need's cosine with it)."""
    store = open_for(settings, read_only=True)
    log = DemandLog(settings.demand_path)
    try:  # logged needs by the vectors stored when they were logged
        matcher = open_matcher(settings, store)
        found = DemandIntake(log).reverse(matcher, iri, stated_needs(sparql_view(store)), k)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        log.close()
        store.close()
    if not found:
        click.echo("no needs logged yet: needs are logged by `sharekg match` (and the API)")
    for m in found:
        terms = ", ".join(m.matched_terms[:6])
        click.echo(f"{m.standout:+.3f} (cosine {m.similarity:.3f})  need #{m.need_id}: {m.text[:100]}  [{terms}]")


def _print_matches(response: MatchResponse) -> None:
    out = Console(width=None if sys.stdout.isatty() else 120)
    if response.need_subjects:
        out.print("need is about: " + "; ".join(f"{s['label']} ({s['scheme']})" for s in response.need_subjects))
    for type_name, results in response.results.items():
        note = response.notes.get(type_name)  # nothing of the type fits well: its closest, marked weak
        table = Table(title=f"{type_name}: {note}" if note else f"{type_name} matches", show_lines=True)
        for column in ("#", "resource", "fit", "where", "why"):
            table.add_column(column, overflow="fold")
        for rank, r in enumerate(results, start=1):
            where = "; ".join(p for p in (r.organization, r.place) if p)
            table.add_row(str(rank), f"{r.label}\n[dim]{r.iri}[/]", _fit(r.fit, r.band), where, r.explanation.summary())
        out.print(table)


def _fit(fit: float, band: str) -> str:
    """A fit as the page shows it: a percentage to one decimal (a fit either side of a band's threshold never reads
    the same) and its band."""
    return f"{fit:.1%} {band}"


@click.command()
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Folder to save the adapted model in.")
@click.option("--epochs", default=1, show_default=True, help="Passes over the training pairs.")
@click.pass_obj
def adapt(settings: Settings, out: Path, epochs: int) -> None:
    """Adapt the embedding model to the graph's own texts (self-supervised: titles to their descriptions).

    Then use it with SHAREKG_MODEL=OUT (and `sharekg index` to re-embed)."""
    from graph.evaluation import AdaptationSettings, corpus_pairs
    from graph.evaluation import adapt as run_adaptation

    store = open_for(settings, read_only=True)
    try:
        pairs = corpus_pairs(sparql_view(store))
    finally:
        store.close()
    console.print(f"{len(pairs):,} title/description pairs from the graph; base model {settings.model}")
    with Progress(*Progress.get_default_columns(), TimeElapsedColumn(), console=console) as bar:
        task = bar.add_task("adapting", total=None)
        try:
            run_adaptation(
                pairs,
                out,
                base_model=settings.model,
                settings=AdaptationSettings(epochs=epochs),
                progress=lambda step, steps, loss: bar.update(
                    task, completed=step, total=steps, description=f"adapting (loss {loss:.3f})"
                ),
            )
        except SharekgError as e:
            raise click.ClickException(str(e)) from e
    console.print(f"saved to {out}; use it with SHAREKG_MODEL={out} and run `sharekg index`")


@click.command("eval")
@click.argument("task", type=click.Choice(["datafinder", "chmo", "reviewer"]))
@click.option(
    "--queries",
    type=click.Path(exists=True, path_type=Path),
    required=True,
    help="Judgements: the queries file (datafinder, chmo) or the reviewer set's folder.",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, path_type=Path),
    multiple=True,
    required=True,
    help="Candidates to rank, in a format sharekg reads (reviewer: the profiles JSONL).",
)
@click.option("--mapping", type=click.Path(exists=True, path_type=Path), help="Column mapping for a mapped corpus.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Also write the scores as JSON here.")
@click.pass_obj
def eval_command(
    settings: Settings, task: str, queries: Path, corpus: tuple[Path, ...], mapping: Path | None, json_path: Path | None
) -> None:
    """Score matching on relevance judgements: P@5, R@5, MAP, MRR, nDCG@10 (or the reviewer set's pairwise loss)
    for BM25, plain cosine and sharekg, computed in the same run."""
    from api.evaluate import (
        CALIBRATION_DEPTH,
        TASKS,
        calibration,
        ece_interval,
        run_ranking_task,
        run_reviewer_task,
        uncertainty,
    )
    from graph.evaluation import LEVEL, RESAMPLES, format_table
    from graph.search import EmbeddingCache

    embedder = load_embedder(settings)
    cache = EmbeddingCache(settings.embeddings_path)
    try:
        if task == "reviewer":
            losses = run_reviewer_task(queries, corpus[0], embedder, cache)
            payload: dict[str, object] = {
                "task": task,
                "model": settings.model,
                "pairwise_loss": {name: r.loss for name, r in losses.items()},
                "uncertainty": {
                    "level": LEVEL,
                    "resamples": RESAMPLES,
                    "over": "researchers",
                    "pairwise_loss_interval": {
                        name: [round(r.interval[0], 4), round(r.interval[1], 4)] for name, r in losses.items()
                    },
                },
                # what benchmarks/compare_eval.py pairs two runs by
                "per_researcher": {name: r.terms for name, r in losses.items()},
            }
            level = f"{LEVEL:.0%} interval over researchers"
            click.echo(f"| method | pairwise loss (lower is better) | {level} |\n| --- | ---: | ---: |")
            click.echo(
                "\n".join(
                    f"| {name} | {r.loss:.4f} | {r.interval[0]:.3f} to {r.interval[1]:.3f} |"
                    for name, r in losses.items()
                )
            )
        else:
            run = run_ranking_task(TASKS[task], queries, list(corpus), embedder, cache, mapping)
            fits = calibration(run.judged)
            ece_low, ece_high = ece_interval(run.judged)
            fits["ece_interval"] = [round(ece_low, 4), round(ece_high, 4)]
            spread = uncertainty(run.scores)
            payload = {
                "task": task,
                "model": settings.model,
                "scores": {m: s.as_dict() for m, s in run.scores.items()},
                "uncertainty": spread.as_dict(),
                "calibration": fits,
                # what benchmarks/compare_eval.py pairs two runs by
                "per_query": {
                    "query_ids": list(run.query_ids),
                    "ndcg_at_10": {m: [round(v, 6) for v in s.ndcg_per_query] for m, s in run.scores.items()},
                },
            }
            click.echo(format_table(run.scores))
            mean, low, high = spread.over_best_channel
            click.echo(
                f"\nnDCG@10, {LEVEL:.0%} interval over queries ({RESAMPLES:,} resamples): "
                + ", ".join(f"{m} {lo:.3f} to {hi:.3f}" for m, (lo, hi) in spread.intervals.items())
                + f"\nsharekg against its best channel ({spread.best_channel}), paired: "
                f"{mean:+.3f} ({low:+.3f} to {high:+.3f})"
            )
            click.echo(
                f"\nfit calibration (top {CALIBRATION_DEPTH} of each query): expected calibration error "
                f"{fits['ece']:.3f} over {fits['results']} results ({LEVEL:.0%} interval over queries "
                f"{ece_low:.3f} to {ece_high:.3f})"
            )
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        cache.close()
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
