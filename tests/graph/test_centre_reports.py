"""Centre exports: CSV that spreadsheets read back as written (quotes, commas, line breaks, formula-like text),
and charts as real PNG and SVG."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from graph.centre.reports import UNDERUSED_COLUMNS, underused_csv, unmet_chart, unmet_csv, utilisation_chart
from graph.centre.unmet import ClusterSubject, NeedCluster, UnmetNeed, UnmetReport
from graph.centre.utilisation import AssetUse, FittedNeed, UnderusedAsset, UtilisationReport
from graph.errors import InputError

BASE = "https://w3id.org/sharekg/id/"
TRICKY = 'We need "XANES", at 10 K,\nand help with =SUM(A1:A9) style fitting'
FORMULA = '=HYPERLINK("http://example.org")'


def asset(iri: str, label: str, utilisation: float | None, fit: float, kind: str = "Instrument") -> AssetUse:
    capacity = None if utilisation is None else 1600.0
    used = 0.0 if utilisation is None else 1600.0 * utilisation
    return AssetUse(
        iri=f"{BASE}{iri}",
        type=kind,
        label=label,
        organization=f"{BASE}org/lbnl",
        organization_label="Lawrence Berkeley National Laboratory",
        capacity_per_year=capacity,
        capacity_from="type default" if capacity else "none",
        capacity_hours=capacity,
        hours_booked=used,
        hours_used=used,
        records=3,
        users=(),
        utilisation=utilisation,
        booked_share=utilisation,
        demand_needs=2 if fit else 0,
        demand_fit=fit,
    )


UTILISATION = UtilisationReport(
    datetime(2025, 7, 1, tzinfo=UTC),
    datetime(2026, 7, 1, tzinfo=UTC),
    (
        asset("instrument/xas-beamlines/ALS%2F11.0.2", "ALS 11.0.2", 0.0, 1.19),
        asset("instrument/xas-beamlines/ALS%2F7.0.1", "ALS 7.0.1", 0.5, 1.06),
        asset("facility/xas-beamlines/ALS", "Advanced Light Source", 0.9, 0.4, "Facility"),
        asset("facility/xas-beamlines/APS", "Advanced Photon Source", None, 0.55, "Facility"),
        asset("instrument/datafinder/x", "Image网 scanner", 0.2, 0.3),
    ),
    0,
)


def fitted(i: int, text: str, fit: float, team: str | None = None) -> FittedNeed:
    return FittedNeed(i, text, "2026-03-01T10:00:00+00:00", fit, 1, team, None)


UNDERUSED = [
    UnderusedAsset(
        UTILISATION.assets[0],
        1.19,
        1.19,
        (fitted(1, TRICKY, 0.62, "Team Soil"), fitted(2, FORMULA, 0.57)),
        ("Team Soil",),
        ("University of Leeds",),
        1,
    ),
    UnderusedAsset(UTILISATION.assets[1], 1.06, 0.53, (fitted(3, "XANES microscopy of electrodes", 0.58),), (), (), 1),
]


def cluster(label: str, counts: tuple[int, int, int], examples: tuple[str, ...]) -> NeedCluster:
    needs = tuple(UnmetNeed(i, t, "2026-01-10T09:00:00+00:00", 0.3, None, None, None) for i, t in enumerate(examples))
    subject = ClusterSubject("https://linked.data.gov.au/def/anzsrc-for/2020/370801", label, "ANZSRC FoR 2020", 0.5)
    months = ("2026-01", "2026-02", "2026-03")
    return NeedCluster(label, (subject,), sum(counts), 0.61, tuple(zip(months, counts, strict=True)), examples, needs)


SMALL = tuple(cluster(f"Subject {i}", (1, 0, 0), (f"need {i}",)) for i in range(7))
UNMET = UnmetReport(
    0.45,
    0.5,
    40,
    9,
    ("2026-01", "2026-02", "2026-03"),
    (("2026-01", 3), ("2026-02", 3), ("2026-03", 3)),
    (*SMALL, cluster("Biological oceanography", (0, 1, 1), ("plankton sampling", FORMULA))),
)


def read(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def test_underused_csv_reads_back_as_written() -> None:
    header, first, second = read(underused_csv(UNDERUSED))
    assert header == UNDERUSED_COLUMNS
    row = dict(zip(header, first, strict=True))
    assert (row["rank"], row["label"], row["hours_used"], row["utilisation"], row["needs"]) == (
        "1",
        "ALS 11.0.2",
        "0.0",
        "0.0000",
        "2",
    )
    assert row["example_needs"] == f"{TRICKY} | {FORMULA}"  # the quote, comma and line break survive
    assert row["teams"] == "Team Soil" and row["anonymous_needs"] == "1"
    assert dict(zip(header, second, strict=True))["score"] == "0.53"
    assert underused_csv([]).decode() == ",".join(UNDERUSED_COLUMNS) + "\r\n"


def test_text_a_spreadsheet_would_run_is_kept_as_text() -> None:
    lone = [UnderusedAsset(UTILISATION.assets[1], 0.5, 0.5, (fitted(9, FORMULA, 0.5),), (), (), 1)]
    (_, row) = read(underused_csv(lone))
    assert row[-1] == "'" + FORMULA


def test_unmet_csv_has_a_column_per_month() -> None:
    rows = read(unmet_csv(UNMET))
    assert rows[0] == [
        "cluster",
        "label",
        "subjects",
        "size",
        "cohesion",
        "2026-01",
        "2026-02",
        "2026-03",
        "example_needs",
    ]
    last = dict(zip(rows[0], rows[-1], strict=True))
    assert (last["label"], last["subjects"], last["2026-02"], last["size"]) == (
        "Biological oceanography",
        "Biological oceanography (ANZSRC FoR 2020)",
        "1",
        "2",
    )
    assert last["example_needs"] == f"plankton sampling | {FORMULA}"


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_charts_render_without_a_display(fmt: str) -> None:
    for chart in (utilisation_chart(UTILISATION, fmt), unmet_chart(UNMET, fmt)):  # type: ignore[arg-type]
        if fmt == "png":
            assert chart.startswith(b"\x89PNG\r\n\x1a\n") and len(chart) > 5_000
        else:
            root = ET.fromstring(chart)
            assert root.tag.endswith("svg")
    svg = utilisation_chart(UTILISATION, "svg").decode()
    assert "ALS 11.0.2" in svg and "1 without a capacity left out" in svg
    assert "other (2 clusters)" in unmet_chart(UNMET, "svg").decode()


def test_empty_reports_still_chart() -> None:
    empty = UtilisationReport(UTILISATION.since, UTILISATION.until, (), 0)
    assert utilisation_chart(empty).startswith(b"\x89PNG")
    assert unmet_chart(UnmetReport(0.45, 0.5, 0, 0, (), (), ())).startswith(b"\x89PNG")


def test_unknown_formats_are_refused() -> None:
    with pytest.raises(InputError, match="not one of"):
        utilisation_chart(UTILISATION, "gif")  # type: ignore[arg-type]
