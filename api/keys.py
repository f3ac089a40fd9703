"""API keys: who may write (``POST /ingest``) and for which organisation, and who may read the reports built on the
demand log (students' needs: the unmet needs, under-used assets, reverse matching).

Keys live in a TOML file as SHA-256 hashes only, each with a role: ``admin`` (any source; every report) or ``centre``
(only records of its own organisation, into sources named after it; the reports, of its own organisation's assets
where a report is per asset). The key itself is shown once, when created.

    [[key]]
    name = "st-andrews-core"
    role = "centre"
    organization = "University of St Andrews"
    sha256 = "9f86d08…"
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from graph.errors import ConfigurationError
from ingest.iris import org_iri, slug
from ingest.records import OrgRef

Role = Literal["admin", "centre"]
ROLES: tuple[Role, ...] = ("admin", "centre")
#: Roles that may read the demand reports (students' unpublished ideas are in them): every role there is today.
READ_ROLES: tuple[Role, ...] = ("admin", "centre")
KEY_PREFIX = "skg_"


@dataclass(frozen=True, slots=True)
class Caller:
    """The holder of a valid key."""

    name: str
    role: Role
    organization: str | None  # the organisation's name (centre keys)

    @property
    def organization_iri(self) -> str | None:
        return org_iri(OrgRef(self.organization)).value if self.organization else None

    @property
    def source_prefix(self) -> str:
        """Sources a centre key may write start with this (its organisation's slug)."""
        return f"{slug(self.organization or self.name)}-"


@dataclass(frozen=True, slots=True)
class _Entry:
    name: str
    role: Role
    organization: str | None
    sha256: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyRing:
    """The keys of one file, read once; ``caller`` checks a presented key in constant time."""

    def __init__(self, entries: list[_Entry]) -> None:
        self._entries = entries

    @classmethod
    def load(cls, path: Path) -> KeyRing:
        if not path.is_file():
            return cls([])
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise ConfigurationError(f"{path}: not a valid API keys file ({e}); fix it or remove it") from e
        entries = []
        for n, item in enumerate(data.get("key", []), start=1):
            name, role, digest = item.get("name"), item.get("role"), item.get("sha256")
            organization = item.get("organization")
            if not isinstance(name, str) or role not in ROLES or not isinstance(digest, str) or len(digest) != 64:
                raise ConfigurationError(
                    f"{path}: key #{n} needs a name, a role ({' or '.join(ROLES)}) and a 64-hex-digit sha256"
                )
            if role == "centre" and not isinstance(organization, str):
                raise ConfigurationError(f"{path}: key {name!r} has role centre but no organization")
            entries.append(_Entry(name, role, organization if isinstance(organization, str) else None, digest))
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def caller(self, key: str) -> Caller | None:
        digest = hash_key(key)
        found = None
        for entry in self._entries:  # compare every entry, so timing says nothing about which matched
            if hmac.compare_digest(entry.sha256, digest):
                found = entry
        return Caller(found.name, found.role, found.organization) if found else None


def add_key(path: Path, name: str, role: Role, organization: str | None) -> str:
    """Append a new key to the file and return it; only its hash is written."""
    if role == "centre" and not organization:
        raise ConfigurationError("a centre key needs --organization: the organisation whose records it may write")
    ring = KeyRing.load(path)  # refuse to append to a broken file
    if any(e.name == name for e in ring._entries):
        raise ConfigurationError(f"a key named {name!r} exists already in {path}; choose another name")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    lines = [
        "\n[[key]]",
        f"name = {json.dumps(name)}",
        f"role = {json.dumps(role)}",
        *([f"organization = {json.dumps(organization)}"] if organization else []),
        f'sha256 = "{hash_key(key)}"',
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    path.chmod(0o600)
    return key


__all__ = ["READ_ROLES", "ROLES", "Caller", "KeyRing", "Role", "add_key", "hash_key"]
