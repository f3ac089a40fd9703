"""Commands for the operator of the demand log: ``sharekg demand erase`` deletes a team's or a contact's requests
(an erasure request under data-protection law), printing how many were erased."""

from __future__ import annotations

import click

from api.settings import Settings
from graph.centre import DemandLog
from graph.errors import SharekgError


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
