"""Generate the bundled sample's SYNTHETIC usage and contest data (no public data of either kind exists).

Usage: python scripts/generate_usage.py [--seed N] [--sample DIR]

Everything is derived from the real sample under ``sample/``, read with sharekg's own readers so every id is the one
ingest mints: the resources booked are real instruments and facilities, the users real organisations of the sample
and synthetic teams, the contest's topics and needs real public text (NSF award titles and abstracts, titles of the
papers that introduced DataFinder datasets), its mentors real sample experts and its matched resources real sample
resources. What is invented: who booked what and when, hours, statuses, team names and members, outputs. Every row
says ``synthetic: true``. The same seed always writes the same bytes.

Shape of the usage, after national evaluations of shared instruments (average sharing rates as low as 16%): one
year, the twelve months from November 2025 (so the sample sits inside a centre's default "last 12 months"
window for a while; pass a window to the analytics for other dates); a few busy instruments, most rarely booked;
instrument bookings on weekdays in working hours, beamline and facility bookings in 8-hour shifts any day; about
7% no-shows (0 hours used) and 5% cancellations.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from ingest.readers import fixed_readers
from ingest.records import Dataset, Expert, Facility, Instrument, Record
from ingest.report import Reject

SEED = 2024
#: The first day of the year of usage the sample holds, and the contest edition inside it.
FIRST_DAY = date(2025, 11, 1)
CONTEST_YEAR = 2026
SAMPLE = Path(__file__).resolve().parents[1] / "sample"
USAGE_SOURCE = "usage-synthetic"
CONTEST_SOURCE = "contest-synthetic"
USAGE_COLUMNS = [
    "id",
    "resource",
    "resource_type",
    "resource_source",
    "organization",
    "department",
    "team",
    "team_source",
    "entry",
    "entry_source",
    "start",
    "end",
    "hours_booked",
    "hours_used",
    "status",
    "synthetic",
]
INSTRUMENT_WORDS = re.compile(
    r"SPECTRO|MICROSC|NMR|LASER|DIFFRACT|CHROMAT|EPR|CONFOCAL|CALORIM|ELLIPS|RAMAN|X-RAY|CYTOMET|SEQUENC", re.I
)
#: Hours a year each kind can be booked: instruments in working hours (7.2 h on 250 days), beamlines and
#: facilities as user beamtime.
CAPACITY = {"instrument": 1800, "beamline": 5000, "facility": 5000}
TRACKS = [
    ("science-communication", "Science communication", "Explaining research with shared instruments and data."),
    ("research", "Scientific research", "Research projects built on shared instruments, data and mentors."),
    ("innovation", "Innovation and entrepreneurship", "From a prototype made with shared resources to a venture."),
]
OUTPUT_KINDS = ["paper", "software", "award", "start-up", "patent", "dataset", "paper", "award"]


@dataclass(frozen=True)
class Bookable:
    """A real sample resource the generator books: its id, source and type, who hosts it, its kind of capacity."""

    local_id: str
    source: str
    type: str  # instrument | facility
    capacity: str  # a key of CAPACITY
    organization: str
    department: str | None = None


def read(sample: Path, folder: str, name: str, reader: str) -> list[Record]:
    """The records of one sample file, read as ``sharekg ingest --sample`` reads it (the folder is the source)."""
    items = fixed_readers()[reader].read(sample / folder / name, folder)
    return [r for r in items if not isinstance(r, Reject)]


def bookables(sample: Path, rng: random.Random) -> list[Bookable]:
    """32 real resources: 16 St Andrews instruments, 6 beamlines, 4 light sources, 6 NSF MRI instruments."""
    st_andrews = [
        r
        for r in read(sample, "uniquip-st-andrews", "equipment.csv", "uniquip")
        if isinstance(r, Instrument) and INSTRUMENT_WORDS.search(r.name)
    ]
    beamlines = [
        r for r in read(sample, "xas-beamlines", "beamlines.csv", "xas-beamlines") if isinstance(r, Instrument)
    ]
    sources = [r for r in read(sample, "xas-beamlines", "facilities.csv", "light-sources") if isinstance(r, Facility)]
    mri = [r for r in read(sample, "nsf-mri-instruments", "awards.jsonl", "nsf-mri") if isinstance(r, Instrument)]
    chosen: list[Bookable] = []
    for r in rng.sample(st_andrews, 16):
        org = r.organization
        assert org is not None and org.parent is not None
        chosen.append(Bookable(r.local_id, "uniquip-st-andrews", "instrument", "instrument", org.parent.name, org.name))
    names = {f.local_id: f.name for f in sources}
    for r in rng.sample([b for b in beamlines if b.facility in names], 6):
        assert r.facility is not None
        chosen.append(Bookable(r.local_id, "xas-beamlines", "instrument", "beamline", names[r.facility]))
    for f in rng.sample(sources, 4):
        chosen.append(Bookable(f.local_id, "xas-beamlines", "facility", "facility", f.name))
    for r in rng.sample([m for m in mri if m.organization is not None], 6):
        assert r.organization is not None
        chosen.append(Bookable(r.local_id, "nsf-mri-instruments", "instrument", "instrument", r.organization.name))
    return chosen


def utilisations(rng: random.Random, n: int) -> list[float]:
    """Share of capacity each resource is booked: three busy ones (70-85%), the rest mostly idle (mean about 16%)."""
    busy = [rng.uniform(0.7, 0.85) for _ in range(3)]
    rest = [min(0.4, rng.betavariate(0.8, 5.0)) for _ in range(n - 3)]
    return busy + rest


def slots(kind: str, rng: random.Random, booked: set[tuple[date, int]]) -> tuple[datetime, int] | None:
    """A free (start, hours) slot: instruments on weekdays between 08:00 and 18:00 for 1 to 8 hours, beamlines and
    facilities any day in one to three 8-hour shifts."""
    for _ in range(50):
        day = FIRST_DAY + timedelta(days=rng.randrange(365))
        if kind == "instrument":
            if day.weekday() >= 5:
                continue
            hours = rng.choice([1, 2, 2, 3, 4, 4, 6, 8])
            start = rng.randrange(8, 19 - hours)
        else:
            hours, start = 8 * rng.choice([1, 2, 3]), rng.choice([0, 8, 16])
            if start + hours > 24:
                continue
        needed = {(day, h) for h in range(start, start + hours)}
        if not needed & booked:
            booked |= needed
            return datetime(day.year, day.month, day.day, start), hours
    return None


def outcome(rng: random.Random, hours: int) -> tuple[str, float]:
    roll = rng.random()
    if roll < 0.07:
        return "no-show", 0.0
    if roll < 0.12:
        return "cancelled", 0.0
    return "completed", round(hours * rng.uniform(0.6, 1.0) * 4) / 4


@dataclass(frozen=True)
class Team:
    local_id: str
    organization: str


def usage_rows(rng: random.Random, chosen: Sequence[Bookable], orgs: Sequence[str]) -> list[dict[str, str]]:
    """Bookings of the chosen resources by their own organisation (mostly) and other sample organisations."""
    rows: list[dict[str, str]] = []
    for resource, share in zip(chosen, utilisations(rng, len(chosen)), strict=True):
        target, total, booked = share * CAPACITY[resource.capacity], 0.0, set[tuple[date, int]]()
        while total < target:
            slot = slots(resource.capacity, rng, booked)
            if slot is None:
                break
            internal = rng.random() < 0.7
            rows.append(
                row(
                    rng,
                    resource,
                    slot,
                    resource.organization if internal else rng.choice(orgs),
                    resource.department if internal else None,
                )
            )
            total += slot[1]
    return rows


def row(
    rng: random.Random,
    resource: Bookable,
    slot: tuple[datetime, int],
    organization: str,
    department: str | None,
    team: str = "",
    entry: str = "",
) -> dict[str, str]:
    start, hours = slot
    status, used = outcome(rng, hours)
    return {
        "resource": resource.local_id,
        "resource_type": resource.type,
        "resource_source": resource.source,
        "organization": organization,
        "department": department or "",
        "team": team,
        "team_source": CONTEST_SOURCE if team else "",
        "entry": entry,
        "entry_source": CONTEST_SOURCE if entry else "",
        "start": f"{start:%Y-%m-%dT%H:%M}",
        "end": f"{start + timedelta(hours=hours):%Y-%m-%dT%H:%M}",
        "hours_booked": str(hours),
        "hours_used": f"{used:g}",
        "status": status,
        "synthetic": "true",
    }


def first_sentences(text: str | None, limit: int = 600) -> str:
    """The opening sentences of a real abstract, cut at a sentence end (else a word end) before ``limit``."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 80 else cut[: cut.rfind(" ")] + " …"


Line = dict[str, object]


def contest(sample: Path, rng: random.Random, teams_orgs: Sequence[str]) -> tuple[list[Line], list[Team], list[Line]]:
    """The contest's lines, its teams, and its entries (which teams book instruments for)."""
    mri = read(sample, "nsf-mri-instruments", "awards.jsonl", "nsf-mri")
    instruments = [r for r in mri if isinstance(r, Instrument) and r.organization is not None and r.description]
    pis = {
        role.grant.award_id: e.local_id
        for e in read(sample, "nsf-pi-experts", "experts.jsonl", "nsf-pi")
        if isinstance(e, Expert)
        for role in e.roles
    }
    with_pi = [i for i in instruments if i.local_id in pis]
    datasets = [
        d for d in read(sample, "datafinder-datasets", "datasets.jsonl", "datafinder") if isinstance(d, Dataset)
    ]
    datasets = [d for d in datasets if d.source_paper_title]
    openalex = [
        e.local_id for e in read(sample, "openalex-experts", "authors.jsonl", "openalex") if isinstance(e, Expert)
    ]
    lines: list[dict[str, object]] = [
        {
            "kind": "contest",
            "id": f"sharing-cup-{CONTEST_YEAR}",
            "name": f"Sharing Cup {CONTEST_YEAR} (synthetic)",
            "description": "A synthetic edition of a Sharing-Cup-like contest, generated for the bundled sample.",
            "start": f"{CONTEST_YEAR}-03-01",
            "end": f"{CONTEST_YEAR}-11-30",
            "organizer": "University of St Andrews",
            "tracks": [{"id": i, "name": n, "description": d} for i, n, d in TRACKS],
            "synthetic": True,
        }
    ]
    topic_awards = rng.sample(with_pi, 6)
    for n, award in enumerate(topic_awards, start=1):
        assert award.organization is not None
        lines.append(
            {
                "kind": "topic",
                "id": f"topic-{n:02}",
                "contest": f"sharing-cup-{CONTEST_YEAR}",
                "title": award.name,
                "text": first_sentences(award.description),
                "posted_by": award.organization.name,
                "keywords": list(award.keywords),
                "synthetic": True,
            }
        )
    teams = [Team(f"team-{n:02}", rng.choice(teams_orgs)) for n in range(1, 31)]
    for team in teams:
        size = rng.randint(3, 5)
        lines.append(
            {
                "kind": "team",
                "id": team.local_id,
                "name": f"Team {team.local_id[-2:]} (synthetic)",
                "members": [
                    {"id": f"{team.local_id}-m{i}", "name": f"Member {i} of {team.local_id}"}
                    for i in range(1, size + 1)
                ],
                "organizations": [team.organization],
                "synthetic": True,
            }
        )
    mentor_pool = rng.sample(openalex, 6)  # a few mentors asked often, so a per-expert cap has work to do
    need_awards = [a for a in rng.sample(with_pi, 40) if a not in topic_awards][:15]
    need_datasets = rng.sample(datasets, 15)
    entries: list[dict[str, object]] = []
    outputs = iter(OUTPUT_KINDS)
    for n, team in enumerate(teams, start=1):
        track = TRACKS[n % 3][0]
        entry: dict[str, object] = {"kind": "entry", "id": f"entry-{n:02}", "track": track, "team": team.local_id}
        matched: list[dict[str, str]] = []
        mentors: list[dict[str, str]] = []
        if n % 2:  # the need is an NSF award title; the award's instrument and PI fit it
            award = need_awards[n // 2]
            entry["title"], entry["need"] = award.name, award.name
            if n % 5 != 0:
                matched.append({"type": "instrument", "source": "nsf-mri-instruments", "id": award.local_id})
                mentors.append({"source": "nsf-pi-experts", "id": pis[award.local_id]})
            if n % 3 == 1:
                entry["topic"] = f"topic-{rng.randint(1, 6):02}"
        else:  # the need is the title of the paper that introduced a dataset; the dataset fits it
            dataset = need_datasets[n // 2 - 1]
            assert dataset.source_paper_title is not None
            entry["title"], entry["need"] = dataset.source_paper_title, dataset.source_paper_title
            if n % 5 != 0:
                matched.append({"type": "dataset", "source": "datafinder-datasets", "id": dataset.local_id})
                mentors.append({"source": "openalex-experts", "id": rng.choice(mentor_pool)})
        entry["matched_resources"], entry["mentors"] = matched, mentors
        if matched and n % 4 == 1:
            kind = next(outputs, None)
            if kind is not None:
                entry["outputs"] = [
                    {
                        "id": f"output-{n:02}",
                        "kind": kind,
                        "title": f"Synthetic {kind} of entry-{n:02}",
                        "year": CONTEST_YEAR,
                        "made_with": [matched[0]],
                    }
                ]
        entry["synthetic"] = True
        lines.append(entry)
        entries.append(entry)
    return lines, teams, entries


def entry_usage(
    rng: random.Random, entries: Iterable[Line], teams: dict[str, Team], mri: dict[str, str]
) -> list[dict[str, str]]:
    """Bookings by teams of the instruments matched to their entries: the evidence judges see."""
    rows = []
    for entry in entries:
        for ref in entry.get("matched_resources", []):  # type: ignore[attr-defined]
            if ref["type"] != "instrument":
                continue
            resource = Bookable(ref["id"], ref["source"], "instrument", "instrument", mri[ref["id"]])
            team = teams[str(entry["team"])]
            booked: set[tuple[date, int]] = set()
            for _ in range(rng.randint(1, 4)):
                slot = slots("instrument", rng, booked)
                if slot is not None:
                    rows.append(row(rng, resource, slot, team.organization, None, team.local_id, str(entry["id"])))
    return rows


def write_csv(path: Path, columns: list[str], rows: Iterable[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def main(seed: int, sample: Path) -> None:
    rng = random.Random(seed)
    chosen = bookables(sample, rng)
    orgs = sorted({b.organization for b in chosen})
    lines, teams, entries = contest(sample, rng, orgs)
    rows = usage_rows(rng, chosen, orgs)
    mri = {
        r.local_id: r.organization.name
        for r in read(sample, "nsf-mri-instruments", "awards.jsonl", "nsf-mri")
        if isinstance(r, Instrument) and r.organization is not None
    }
    rows += entry_usage(rng, entries, {t.local_id: t for t in teams}, mri)
    rows.sort(key=lambda r: (r["start"], r["resource_source"], r["resource"]))
    for n, r in enumerate(rows, start=1):
        r["id"] = f"booking-{n:05}"
    usage_dir, contest_dir = sample / USAGE_SOURCE, sample / CONTEST_SOURCE
    usage_dir.mkdir(exist_ok=True)
    contest_dir.mkdir(exist_ok=True)
    write_csv(usage_dir / "bookings.csv", USAGE_COLUMNS, rows)
    capacity = [
        {
            "resource": b.local_id,
            "resource_type": b.type,
            "resource_source": b.source,
            "capacity_hours_per_year": str(CAPACITY[b.capacity]),
        }
        for b in chosen
    ]
    write_csv(usage_dir / "capacity.csv", [*capacity[0]], capacity)
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    (contest_dir / "contest.jsonl").write_text(text, encoding="utf-8")
    print(f"{len(rows)} bookings of {len(chosen)} resources, {len(capacity)} capacities, {len(lines)} contest lines")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default {SEED})")
    parser.add_argument("--sample", type=Path, default=SAMPLE, help="the sample folder to read and write")
    args = parser.parse_args()
    main(args.seed, args.sample)
