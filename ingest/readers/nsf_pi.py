"""NSF investigators as expert profiles: one JSON object per researcher, with their NSF awards.

Each line of ``experts.jsonl`` (the nsf-pi-experts conversion of NSF's award downloads) becomes an
``Expert`` whose roles point at one ``Grant`` per award. The award titles and abstracts are the
person's evidence, so the expert carries no works; its keywords are the NSF directorates and
divisions of the awards. Every institution named becomes an ``Organization``; the current one (that
of the most recent award) carries the city and state. A grant named by several researchers is
yielded once, at its first mention; organisations follow the experts, each with the best place seen.
A bad award rejects the whole researcher, since roles would otherwise point at missing grants.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from graph.errors import InputError
from ingest.readers.base import Fields, ReadItem, guarded, iter_jsonl, read_text
from ingest.records import Expert, Grant, GrantRef, Organization, OrgRef, Origin, Place, Record, Role
from ingest.report import Reject

FUNDER = "nsf"
AWARD_URL = "https://www.nsf.gov/awardsearch/showAward?AWD_ID="
ROLES = {"pi": "PI", "co-pi": "co-PI"}
COUNTRY = "United States"

#: NSF directorate and division abbreviations (as in NSF's award records) and their names.
NSF_UNITS = {
    "BIO": "Biological Sciences",
    "CSE": "Computer and Information Science and Engineering",
    "CISE": "Computer and Information Science and Engineering",
    "EDU": "STEM Education",
    "EHR": "Education and Human Resources",
    "ENG": "Engineering",
    "GEO": "Geosciences",
    "MPS": "Mathematical and Physical Sciences",
    "O/D": "Office of the Director",
    "SBE": "Social, Behavioral and Economic Sciences",
    "TIP": "Technology, Innovation and Partnerships",
    "DBI": "Biological Infrastructure",
    "DEB": "Environmental Biology",
    "EF": "Emerging Frontiers",
    "IOS": "Integrative Organismal Systems",
    "MCB": "Molecular and Cellular Biosciences",
    "CCF": "Computing and Communication Foundations",
    "CNS": "Computer and Network Systems",
    "IIS": "Information and Intelligent Systems",
    "OAC": "Advanced Cyberinfrastructure",
    "DGE": "Graduate Education",
    "DRL": "Research on Learning in Formal and Informal Settings",
    "DUE": "Undergraduate Education",
    "EES": "Equity for Excellence in STEM",
    "HRD": "Human Resource Development",
    "CBET": "Chemical, Bioengineering, Environmental and Transport Systems",
    "CMMI": "Civil, Mechanical and Manufacturing Innovation",
    "ECCS": "Electrical, Communications and Cyber Systems",
    "EEC": "Engineering Education and Centers",
    "EFMA": "Emerging Frontiers and Multidisciplinary Activities",
    "IIP": "Industrial Innovation and Partnerships",
    "AGS": "Atmospheric and Geospace Sciences",
    "EAR": "Earth Sciences",
    "OCE": "Ocean Sciences",
    "OPP": "Polar Programs",
    "PLR": "Polar Programs",
    "RISE": "Research, Innovation, Synergies and Education",
    "AST": "Astronomical Sciences",
    "CHE": "Chemistry",
    "DMR": "Materials Research",
    "DMS": "Mathematical Sciences",
    "PHY": "Physics",
    "EPS": "Established Program to Stimulate Competitive Research",
    "OIA": "Integrative Activities",
    "OISE": "International Science and Engineering",
    "BCS": "Behavioral and Cognitive Sciences",
    "SES": "Social and Economic Sciences",
    "SMA": "SBE Multidisciplinary Activities",
    "TI": "Translational Impacts",
}

_AWARD_ID = re.compile(r"^\d{7}$")
_FUND_CODE = re.compile(r"^(?=.*\d)[A-Za-z0-9]{4}$")  # "7495", "kX58": codes mixed into the program names
_STATE = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True, slots=True)
class _Award:
    grant: Grant
    role: Role
    units: tuple[str, ...]  # directorate and division names


class NsfInvestigatorReader:
    name = "nsf-pi"
    description = "NSF investigators with their awards (JSON lines, one researcher per line)"

    def sniff(self, path: Path, head: str) -> bool:
        keys = ('"expert_id"', '"nsf_person_ids"', '"awards"')
        return head.lstrip().startswith("{") and all(k in head for k in keys)

    def read(self, path: Path, source: str) -> Iterator[ReadItem]:
        text = read_text(path)
        if '"expert_id"' not in text:
            raise InputError(f'{source}: not an NSF investigator file, no line has an "expert_id"')
        seen = _Seen()
        for line, row in iter_jsonl(text, source):
            if isinstance(row, Reject):
                yield row
                continue
            record_id = _text_id(row, "expert_id")
            build = partial(_records, Fields(row, source=source, line=line, record_id=record_id))
            yield from (item for item in guarded(source, line, record_id, build) if seen.fresh(item))
        yield from seen.organizations.values()


class _Seen:
    """Grants already yielded, and organisations held back until every expert has named them."""

    def __init__(self) -> None:
        self.grants: set[GrantRef] = set()
        self.organizations: dict[str, Organization] = {}

    def fresh(self, item: ReadItem) -> bool:
        if isinstance(item, Organization):
            known = self.organizations.get(item.name)
            if known is None or (known.place == Place() and item.place != Place()):
                self.organizations[item.name] = item
            return False
        if isinstance(item, Grant):
            if item.ref in self.grants:
                return False
            self.grants.add(item.ref)
        return True


def _text_id(row: Mapping[str, Any], key: str) -> str | None:
    value = row.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _records(f: Fields) -> Sequence[Record]:
    origin = Origin(f.source, f.line, f.required("expert_id"))
    awards = [_award(f.nested("awards", i, raw), origin) for i, raw in enumerate(f.objects("awards"))]
    current = _institution(f.text("institution"), f)
    listed = (_institution(i, f) for i in f.strings("institutions"))
    institutions = tuple(dict.fromkeys(i for i in (current, *listed) if i))
    place = _place(f)
    organizations = [
        Organization(Origin(f.source, f.line, name), name, place=place if name == current else Place())
        for name in institutions
    ]
    return [_expert(f, origin, institutions, place, awards), *(a.grant for a in awards), *organizations]


def _expert(f: Fields, origin: Origin, institutions: tuple[str, ...], place: Place, awards: list[_Award]) -> Expert:
    name = f.required("name")
    return Expert(
        origin=origin,
        local_id=origin.record_id,
        name=name,
        alt_names=tuple(n for n in f.strings("name_variants") if n != name),
        affiliations=tuple(OrgRef(i) for i in institutions),
        place=place,
        external_ids=tuple(f"nsf-person:{p}" for p in f.strings("nsf_person_ids")),
        keywords=tuple(dict.fromkeys(u for a in awards for u in a.units)),
        roles=tuple(a.role for a in awards),
    )


def _institution(name: str | None, f: Fields) -> str | None:
    """The name with runs of spaces collapsed; None where it is the researcher's own name, as NSF
    records it for fellowships awarded to a person."""
    if name is None:
        return None
    words = name.split()
    own = {w.lower() for n in (f.text("name"), *f.strings("name_variants")) if n for w in n.split()}
    return None if {w.lower() for w in words} <= own else " ".join(words)


def _place(f: Fields) -> Place:
    city = f.text("city")
    state = f.text("state_code")
    if state is not None and not _STATE.match(state):
        raise f.error("state_code", f"expected a two-letter US state code, found {state!r}")
    return Place(
        city=_city(city) if city else None,
        region=state.upper() if state else None,
        country=COUNTRY if state else None,
    )


def _city(city: str) -> str:
    words = " ".join(city.split())
    return words.title() if words.islower() else words


def _award(a: Fields, expert: Origin) -> _Award:
    ref = GrantRef(FUNDER, _award_id(a))
    directorate, division = a.text("directorate"), a.text("division")
    grant = Grant(
        origin=Origin(expert.source, expert.line, ref.award_id),
        ref=ref,
        title=a.required("title"),
        abstract=a.text("abstract"),
        start=a.iso_date("start_date"),
        amount_usd=_amount(a),
        url=f"{AWARD_URL}{ref.award_id}",
        programme=_programme(division, a.strings("programs")),
    )
    units = tuple(dict.fromkeys(_unit(c) for c in (directorate, division) if c))
    return _Award(grant, Role(ref, _role(a)), units)


def _award_id(a: Fields) -> str:
    award_id = a.required("award_id")
    if not _AWARD_ID.match(award_id):
        raise a.error("award_id", f"expected NSF's 7-digit award number, found {award_id!r}")
    return award_id


def _role(a: Fields) -> str:
    text = a.required("role")
    role = ROLES.get(text.lower())
    if role is None:
        raise a.error("role", f"expected 'PI' or 'co-PI', found {text!r}")
    return role


def _programme(division: str | None, programs: tuple[str, ...]) -> tuple[str, ...]:
    names = [_unit(division)] if division else []
    return tuple(dict.fromkeys([*names, *(p for p in programs if not _FUND_CODE.match(p))]))


def _unit(code: str) -> str:
    return NSF_UNITS.get(code.upper(), code)


def _amount(a: Fields) -> int | None:
    """Awarded dollars; NSF records 0 where nothing was obligated, which says nothing of the size."""
    amount = a.integer("amount_usd")
    if amount is not None and amount < 0:
        raise a.error("amount_usd", f"expected a positive amount of dollars, found {amount}")
    return amount or None
