"""Commands for the operator of the demand log: ``sharekg demand erase`` deletes a team's or a contact's requests
(an erasure request under data-protection law), printing how many were erased; ``sharekg demand unknown-words``
lists the Chinese words of the logged needs that the glossary lacks, for the deployment's own terms file."""

from __future__ import annotations

import click

from api.settings import Settings
from graph.centre import DemandLog, unknown_words_report
from graph.errors import SharekgError
from graph.search import GlossarySource


@click.group()
def demand() -> None:
    """The demand log: the needs teams sent (var/demand.sqlite; see docs/security.md, "What is logged")."""


@demand.command()
@click.option("--team", help="Erase every request logged with this team name (case and surrounding space aside).")
@click.option("--contact", help="Erase every request logged with this contact (e-mail), case aside.")
@click.pass_obj
def erase(settings: Settings, team: str | None, contact: str | None) -> None:
    """Erase a team's or a contact's logged requests, with their results; the rows are overwritten in the file."""
    if (team is None) == (contact is None):
        raise click.UsageError("give exactly one of --team NAME or --contact EMAIL")
    if not settings.demand_path.exists():
        click.echo(f"erased 0 requests: there is no demand log at {settings.demand_path}")
        return
    log = DemandLog(settings.demand_path)
    try:
        erased = log.erase(team=team, contact=contact)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    finally:
        log.close()
    who = f"team {team!r}" if team is not None else f"contact {contact!r}"
    click.echo(f"erased {erased} request{'s' if erased != 1 else ''} of {who} from {settings.demand_path}")


@demand.command("unknown-words")
@click.option("--top", default=30, show_default=True, type=click.IntRange(1), help="How many words to list.")
@click.pass_obj
def unknown_words_command(settings: Settings, top: int) -> None:
    """The Chinese words of the logged needs that CC-CEDICT and the deployment's terms (SHAREKG_GLOSSARY_TERMS) lack
    as wholes, so that the matcher read them by their characters (色谱 as "color look spectrum"), the most asked first:
    the words to add to the terms file, with their English."""
    if not settings.demand_path.exists():
        click.echo(f"no demand log at {settings.demand_path}: no needs asked yet")
        return
    try:
        glossary = GlossarySource(settings.glossary_terms)
        log = DemandLog(settings.demand_path)
    except SharekgError as e:
        raise click.ClickException(str(e)) from e
    try:
        report = unknown_words_report(log, glossary(), top=top)
    finally:
        log.close()
    if not report.words:
        click.echo(f"the glossary reads every word of the {report.in_chinese} logged needs in Chinese")
        return
    click.echo(
        f"{report.unknown} words of the {report.in_chinese} logged needs in Chinese are not in the glossary and were "
        "read character by character; the most asked (add them to SHAREKG_GLOSSARY_TERMS with their English):"
    )
    for w in report.words:
        example = w.example if len(w.example) <= 60 else w.example[:59] + "…"
        click.echo(f"  {w.word}\t{w.needs} need{'s' if w.needs != 1 else ''}\te.g. {example}")
