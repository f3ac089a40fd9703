"""Exports a resource centre can send on: the under-used, unmet-need and unknown-word reports as CSV, and charts as
PNG or SVG.

Every function returns bytes (for a download or a file). CSV is UTF-8 with a header row, quoted where needed
(RFC 4180, CRLF line ends); text that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``)
gets a leading apostrophe, since need texts come from the public. Charts are drawn on a bare
``matplotlib.figure.Figure``, which renders with Agg (PNG) or the SVG backend without pyplot, so nothing global
(backend, rcParams) is touched and no display is needed.
"""

from __future__ import annotations

import csv
import io
import warnings
from collections.abc import Iterable, Sequence
from typing import Literal

from matplotlib.figure import Figure

from graph.centre.unknown import UnknownWordsReport
from graph.centre.unmet import UnmetReport
from graph.centre.utilisation import UnderusedAsset, UtilisationReport
from graph.errors import InputError

ChartFormat = Literal["png", "svg"]
FORMATS = ("png", "svg")
#: Points labelled on the utilisation chart, clusters drawn apart on the unmet-needs chart (the rest: "other").
LABELLED_POINTS = 10
CHART_CLUSTERS = 6
EXAMPLES_IN_CSV = 3
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

UNDERUSED_COLUMNS = [
    "rank",
    "iri",
    "type",
    "label",
    "organization",
    "capacity_hours",
    "capacity_from",
    "hours_booked",
    "hours_used",
    "utilisation",
    "needs",
    "demand_strength",
    "score",
    "teams",
    "organizations",
    "anonymous_needs",
    "example_needs",
]


def underused_csv(assets: Sequence[UnderusedAsset]) -> bytes:
    """The under-used ranking (``graph.centre.utilisation.underused``), one asset a row, best first."""
    rows: list[list[object]] = []
    for rank, u in enumerate(assets, start=1):
        a = u.asset
        rows.append(
            [
                rank,
                a.iri,
                a.type,
                a.label,
                a.organization_label,
                _hours(a.capacity_hours),
                a.capacity_from,
                _hours(a.hours_booked),
                _hours(a.hours_used),
                _ratio(a.utilisation),
                len(u.needs),
                round(u.strength, 4),
                round(u.score, 4),
                "; ".join(u.teams),
                "; ".join(u.organizations),
                u.anonymous_needs,
                " | ".join(n.text for n in u.needs[:EXAMPLES_IN_CSV]),
            ]
        )
    return _csv(UNDERUSED_COLUMNS, rows)


def unmet_csv(report: UnmetReport) -> bytes:
    """The unmet-need clusters, one a row, largest first: label, subjects, size, cohesion, a column per month,
    examples."""
    header = ["cluster", "label", "subjects", "size", "cohesion", *report.months, "example_needs"]
    rows: list[list[object]] = []
    for number, c in enumerate(report.clusters, start=1):
        rows.append(
            [
                number,
                c.label,
                "; ".join(f"{s.label} ({s.scheme})" if s.scheme else s.label for s in c.subjects),
                c.size,
                c.cohesion,
                *(count for _, count in c.per_month),
                " | ".join(c.examples),
            ]
        )
    return _csv(header, rows)


def unknown_words_csv(report: UnknownWordsReport) -> bytes:
    """The words the glossary read character by character, one a row, the most asked first: the word, how many
    needs held it, the first of them, and an empty ``english`` column for the terms file (``SHAREKG_GLOSSARY_TERMS``
    reads the columns ``chinese`` and ``english``)."""
    return _csv(
        ["chinese", "english", "needs", "example_need"], [[w.word, "", w.needs, w.example] for w in report.words]
    )


def utilisation_chart(report: UtilisationReport, fmt: ChartFormat = "png") -> bytes:
    """Utilisation (x, % of capacity) against demand strength (y) for each asset with a defined utilisation;
    the assets with the most demand are labelled."""
    _check(fmt)
    shown = [a for a in report.assets if a.utilisation is not None]
    fig = Figure(figsize=(8, 5.5), layout="constrained")
    ax = fig.subplots()
    colours = {"Instrument": "tab:blue", "Facility": "tab:orange"}
    for type_name in sorted({a.type for a in shown}):
        points = [a for a in shown if a.type == type_name]
        ax.scatter(
            [100 * (a.utilisation or 0.0) for a in points],
            [a.demand_fit for a in points],
            label=f"{type_name} ({len(points)})",
            color=colours.get(type_name),
            alpha=0.75,
        )
    for a in sorted((a for a in shown if a.demand_fit > 0), key=lambda a: (-a.demand_fit, a.iri))[:LABELLED_POINTS]:
        ax.annotate(
            _short(a.label or a.iri, 32),
            (100 * (a.utilisation or 0.0), a.demand_fit),
            fontsize=7,
            xytext=(4, 3),
            textcoords="offset points",
        )
    ax.set_xlabel("utilisation: hours used / capacity (%)")
    ax.set_ylabel("demand strength: summed fit of the needs matched")
    left_out = len(report.assets) - len(shown)
    note = f"; {left_out} without a capacity left out" if left_out else ""
    ax.set_title(f"Use against demand, {report.since:%d %b %Y} to {report.until:%d %b %Y}{note}", fontsize=10)
    ax.set_xlim(0, max([100.0, *(105 * (a.utilisation or 0.0) for a in shown)]))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    if shown:
        ax.legend(fontsize=8)
    return _render(fig, fmt)


def unmet_chart(report: UnmetReport, fmt: ChartFormat = "png") -> bytes:
    """Unmet needs per month, stacked by cluster (the largest ``CHART_CLUSTERS`` apart, the rest as "other")."""
    _check(fmt)
    fig = Figure(figsize=(8, 4.5), layout="constrained")
    ax = fig.subplots()
    months = list(report.months)
    x = list(range(len(months)))
    bottom = [0] * len(months)
    shown = list(report.clusters[:CHART_CLUSTERS])
    series = [(_short(c.label, 40), [count for _, count in c.per_month]) for c in shown]
    rest = report.clusters[CHART_CLUSTERS:]
    if rest:
        series.append((f"other ({len(rest)} clusters)", [sum(c.per_month[i][1] for c in rest) for i in x]))
    for label, counts in series:
        ax.bar(x, counts, bottom=bottom, label=label)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    ax.set_xticks(x, months, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("unmet needs")
    ax.set_title(f"Needs told that nothing fits them well: {report.unmet} of {report.considered}", fontsize=10)
    if series:
        ax.legend(fontsize=7, loc="upper left")
    return _render(fig, fmt)


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)  # excel dialect: minimal quoting, CRLF
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return out.getvalue().encode("utf-8")


def _cell(value: object) -> object:
    """Text a spreadsheet would read as a formula is kept as text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"chart format {fmt!r} is not one of {list(FORMATS)}")


def _render(fig: Figure, fmt: ChartFormat) -> bytes:
    out = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    with warnings.catch_warnings():
        # a need or a resource named in a script the bundled font lacks (Chinese, say) draws as boxes; that is
        # no reason to fail the export
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        fig.savefig(out, format=fmt, metadata=metadata, dpi=120)
    return out.getvalue()


__all__ = [
    "FORMATS",
    "UNDERUSED_COLUMNS",
    "ChartFormat",
    "underused_csv",
    "unmet_chart",
    "unmet_csv",
    "utilisation_chart",
]
