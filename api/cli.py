"""The ``sharekg`` command line: each command calls one library function and prints its result. The commands live
in ``api.commands`` by area; this module is the group that holds them."""

from __future__ import annotations

import os
from pathlib import Path

import click

from api.commands import catalogue, demand, matching, service
from api.commands.common import OFFLINE_ENVIRONMENT
from api.settings import Settings


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


for command in (
    catalogue.ingest,
    catalogue.index_command,
    catalogue.stats,
    catalogue.export,
    catalogue.migrate,
    matching.match,
    matching.bundle,
    matching.fits,
    matching.adapt,
    matching.eval_command,
    service.serve,
    service.keys,
    demand.demand,
):
    main.add_command(command)
