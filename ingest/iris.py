"""Stable IRIs, minted from the source and the id the source gives a record.

The same input always gives the same IRIs, so re-ingesting changes nothing. Things that several
sources name alike share one IRI on purpose: an organisation is minted from its normalised name,
a grant from its funder and award number.

>>> normalize_name("The University of Colorado at Boulder")
'university of colorado boulder'
>>> org_iri(OrgRef("Chemistry", OrgRef("University of St Andrews"))).value
'https://w3id.org/sharekg/id/org/university-of-st-andrews/chemistry'
>>> record_iri("instrument", "xas-beamlines", "ALS/10.3.2").value
'https://w3id.org/sharekg/id/instrument/xas-beamlines/ALS%2F10.3.2'
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

import pyoxigraph as ox

from graph.errors import ConfigurationError
from graph.store import BASE, GRAPH_PREFIX
from ingest.records import GrantRef, OrgRef

SOURCE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")

_DROP_WORDS = {"the", "at", "inc", "incorporated", "llc", "ltd"}
_EXPAND = {"univ": "university", "inst": "institute", "dept": "department", "natl": "national", "ctr": "center"}
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_name(name: str) -> str:
    """Lower case, accents and punctuation gone, a few abbreviations expanded, filler words dropped."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    words = _NON_WORD.sub(" ", ascii_text.replace("&", " and ")).split()
    return " ".join(_EXPAND.get(w, w) for w in words if w not in _DROP_WORDS)


def slug(text: str) -> str:
    """A readable IRI segment; text with no letters or digits gets a short hash instead."""
    value = normalize_name(text).replace(" ", "-")
    return value or "h-" + hashlib.sha1(text.encode()).hexdigest()[:12]


def check_source_name(source: str) -> str:
    if not SOURCE_NAME.match(source):
        raise ConfigurationError(
            f"source name {source!r} must be lower-case letters, digits and '-' (e.g. 'uniquip-st-andrews'); "
            "pass another with --source"
        )
    return source


def record_iri(kind: str, source: str, local_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}{kind}/{source}/{quote(local_id, safe='-._~')}")


def org_iri(ref: OrgRef) -> ox.NamedNode:
    path = slug(ref.name)
    parent = ref.parent
    while parent is not None:
        path = f"{slug(parent.name)}/{path}"
        parent = parent.parent
    return ox.NamedNode(f"{BASE}org/{path}")


def grant_iri(ref: GrantRef) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}grant/{slug(ref.funder)}/{quote(ref.award_id, safe='-._~')}")


def source_iri(source: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}source/{source}")


def source_graph_iri(source: str, run_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{GRAPH_PREFIX}{source}/{run_id}")


def run_iri(source: str, run_id: str) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}run/{source}/{run_id}")
