"""The words of a SPARQL query, told apart from strings, IRIs, prefixed names, variables and comments.

What ``/sparql`` refuses before evaluation (updates; ``SERVICE`` to an endpoint not allowed) is decided on these
tokens, so it is not fooled by a keyword inside a literal (``"SERVICE <x>"``), an IRI (``<urn:service>``), a
variable (``?service``), a language tag or a comment, nor by case. The tokens follow the terminals of the SPARQL 1.1
grammar; where Oxigraph's parser reads a query differently from a plain lexer, the detection follows Oxigraph
(``tests/api/test_sparql_hostile.py`` runs each such form through Oxigraph against a loopback listener):

- Oxigraph matches a keyword without a word boundary after it: ``SERVICEe:x`` is ``SERVICE e:x`` and
  ``SERVICESILENT`` is ``SERVICE SILENT``; so any bare word or prefixed name that *begins* with ``service`` counts
  (a prefix named ``service…:`` is refused too: rename it), as does a ``service`` after a ``.`` inside a prefixed
  name or blank node label.
- Comments end at a line feed or a carriage return; ``\\u`` escapes count only inside strings and IRIs.
- ``<`` opens an IRI when IRI characters follow up to a ``>``, or is the less-than operator after an operand
  (``FILTER(?o<1)SERVICE:x#>``: Oxigraph reads a comparison, then a SERVICE, then a comment). The two readings part
  only where that IRI holds a ``#`` or a ``'`` (which open a comment or a string in the operator reading); there
  both readings are followed, each position and state once, and a SERVICE in either counts.

rdflib's SPARQL parser was the other way considered: several milliseconds a query, no answer for syntax Oxigraph
accepts and rdflib does not (SPARQL 1.2 triple terms), and a parse of its own that need not agree with Oxigraph's on
the forms above.

>>> [t.text for t in tokens('SELECT ?s { ?s <urn:a> "SERVICE" } # SERVICE')]
['SELECT', '?s', '{', '?s', '<urn:a>', '"SERVICE"', '}']
>>> services('select * { service silent <http://example.org/sparql> { ?s ?p ?o } }')
['<http://example.org/sparql>']
>>> services('SELECT * { ?s ?p "SERVICE <http://example.org/sparql>" FILTER(1 < 2) }')
[]
>>> services('PREFIX e: <http://example.org/> SELECT * { ?s ?p ?o FILTER(?o<1)SERVICE:x#>\\n{ ?s ?p ?o } }')
['']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_SPACE = re.compile(r"[ \t\r\n]+|#[^\r\n]*")
_IRI = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
_LONG_STRING = re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'', re.DOTALL)
_STRING = re.compile(r'"(?:[^"\\\n\r]|\\.)*"|\'(?:[^\'\\\n\r]|\\.)*\'')
_VAR_CHAR = r"\w\u00b7\u0300-\u036f\u203f-\u2040"
_NAME_CHAR = _VAR_CHAR + "-"
_VAR = re.compile(rf"[?$][{_VAR_CHAR}]*")
_LANGTAG = re.compile(r"@[A-Za-z0-9-]*")
_NUMBER = re.compile(r"[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+")
#: A prefixed name or blank node label (PN_PREFIX or ``_``, a colon, PN_LOCAL with ``%hh`` and ``\\`` escapes).
_PNAME = re.compile(rf"(?:[^\W\d_](?:[{_NAME_CHAR}.]*[{_NAME_CHAR}])?|_)?:(?:[{_NAME_CHAR}.:]|%[0-9A-Fa-f]{{2}}|\\.)*")
_WORD = re.compile(r"[A-Za-z]+")
#: Tokens after which ``<`` may be the less-than operator.
_OPERANDS = {"var", "iri", "pname", "string", "langtag", "number"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "word" (a keyword, a, true, false), "pname", "iri", "var", "string", "langtag", "number", "punct"
    text: str
    start: int


def _next(query: str, at: int) -> Token | None:
    """The token at or after ``at`` (white space and comments skipped), or None at the end."""
    while match := _SPACE.match(query, at):
        at = match.end()
    if at >= len(query):
        return None
    ch = query[at]
    if ch == "<":
        kind, match = "iri", _IRI.match(query, at)
    elif ch in "\"'":
        kind, match = "string", _LONG_STRING.match(query, at) or _STRING.match(query, at)
    elif ch in "?$":
        kind, match = "var", _VAR.match(query, at)
    elif ch == "@":
        kind, match = "langtag", _LANGTAG.match(query, at)
    elif ch.isdigit() or (ch == "." and query[at + 1 : at + 2].isdigit()):
        kind, match = "number", _NUMBER.match(query, at)
    else:
        kind, match = "pname", _PNAME.match(query, at)
        if match is None or match.end() == at:
            kind, match = "word", _WORD.match(query, at)
    if match is None or match.end() == at:  # an unterminated string or a lone character: one punctuation mark
        return Token("punct", ch, at)
    text = match.group()
    while kind == "pname" and text.endswith(".") and not text.endswith("\\."):  # a local name ends before a dot
        text = text[:-1]
    return Token(kind, text, at)


def tokens(query: str, at: int = 0) -> Iterator[Token]:
    """The query's tokens in the plain reading (``<`` opens an IRI wherever one follows), from ``at``."""
    while (token := _next(query, at)) is not None:
        yield token
        at = token.start + len(token.text)


def keywords(query: str) -> list[str]:
    """The bare words of the query, upper-cased: its keywords (and ``a``, ``true``, ``false``)."""
    return [t.text.upper() for t in tokens(query) if t.kind == "word"]


def _is_service(token: Token) -> bool:
    if token.kind not in {"word", "pname"}:
        return False
    text = token.text.upper()
    return text.startswith("SERVICE") or (token.kind == "pname" and ".SERVICE" in text)


def _endpoint(query: str, after: Token) -> str:
    """What follows a SERVICE keyword: ``<iri>``, a prefixed name, ``?var``; empty for anything else (a glued or
    malformed form)."""
    if after.text.upper() != "SERVICE":
        return ""
    token = _next(query, after.start + len(after.text))
    if token is not None and token.kind == "word" and token.text.upper() == "SILENT":
        token = _next(query, token.start + len(token.text))
    return token.text if token is not None and token.kind in {"iri", "pname", "var"} else ""


def services(query: str) -> list[str]:
    """The endpoint of every ``SERVICE`` the query may name in any reading, as written: ``<iri>``, a prefixed name,
    ``?var``, or empty for a form that names none plainly (glued to the keyword, or in the operator reading)."""
    found: dict[int, str] = {}
    seen: set[tuple[int, bool]] = set()
    pending = [(0, False, True)]  # (position, previous token an operand, plain reading)
    while pending:
        at, operand, plain = pending.pop()
        while (at, operand) not in seen and (token := _next(query, at)) is not None:
            seen.add((at, operand))
            if token.kind == "iri" and operand and ("#" in token.text or "'" in token.text):
                pending.append((token.start + 1, False, False))  # the operator reading of this "<"
            if _is_service(token):
                found.setdefault(token.start, _endpoint(query, token) if plain else "")
            operand = token.kind in _OPERANDS or token.text == ")" or token.text.upper() in {"TRUE", "FALSE"}
            at = token.start + len(token.text)
    return [found[start] for start in sorted(found)]


__all__ = ["Token", "keywords", "services", "tokens"]
