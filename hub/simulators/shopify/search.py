"""Shopify's search syntax for the ``query`` argument, the part connectors use.

``sku:ABC``, ``sku:ABC OR sku:DEF``, ``updated_at:>'2026-01-01T00:00:00Z'`` (also ``>=``,
``<``, ``<=``), ``status:open AND -sku:X``, ``NOT``, parentheses, prefix wildcards
``sku:AB*`` and bare words. Like Shopify, a filter on a field the resource does not
support is ignored (it matches everything) and reported as a warning, so a connector
bug shows up in ``extensions.search`` rather than as an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["Fields", "Search", "compile_search"]

#: For one resource: search field name → the record's value for it.
Fields = Mapping[str, Callable[[Any], Any]]

_TOKEN = re.compile(r"""\s*(?:(\()|(\))|((?:[^\s()'"]|'[^']*'|"[^"]*")+))""")
Predicate = Callable[[Any], bool]


@dataclass
class Search:
    matches: Predicate
    warnings: list[str] = field(default_factory=list)


def compile_search(query: str | None, fields: Fields, default: tuple[str, ...] = ()) -> Search:
    """Parse ``query`` once into a predicate over records."""
    search = Search(lambda _record: True)
    if not query or not query.strip():
        return search
    tokens = [m.group(1) or m.group(2) or m.group(3) for m in _TOKEN.finditer(query) if m.group(0).strip()]
    parser = _Parser(tokens, fields, default, search.warnings)
    search.matches = parser.expression()
    return search


class _Parser:
    def __init__(self, tokens: list[str], fields: Fields, default: tuple[str, ...], warnings: list[str]) -> None:
        self.tokens, self.fields, self.default, self.warnings = tokens, fields, default, warnings
        self.at = 0

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def expression(self) -> Predicate:
        options = [self._conjunction()]
        while self._peek() == "OR":
            self.at += 1
            options.append(self._conjunction())
        return options[0] if len(options) == 1 else lambda r: any(option(r) for option in options)

    def _conjunction(self) -> Predicate:
        terms = [self._unary()]
        while (token := self._peek()) is not None and token not in ("OR", ")"):
            if token == "AND":
                self.at += 1
            terms.append(self._unary())
        return terms[0] if len(terms) == 1 else lambda r: all(term(r) for term in terms)

    def _unary(self) -> Predicate:
        token = self._peek()
        if token is None:
            return lambda _r: True
        self.at += 1
        if token == "NOT":
            inner = self._unary()
            return lambda r: not inner(r)
        if token == "(":
            inner = self.expression()
            if self._peek() == ")":
                self.at += 1
            return inner
        if token.startswith("-") and len(token) > 1:
            inner = self._term(token[1:])
            return lambda r: not inner(r)
        return self._term(token)

    def _term(self, token: str) -> Predicate:
        name, sep, rest = token.partition(":")
        if not sep:
            value = _unquote(token).lower()
            getters = [self.fields[f] for f in self.default if f in self.fields]
            return lambda r: any(value in str(g(r) or "").lower() for g in getters)
        getter = self.fields.get(name)
        if getter is None:
            self.warnings.append(f"Invalid search field for this query: {name}")
            return lambda _r: True
        op = next((o for o in (">=", "<=", ">", "<") if rest.startswith(o)), "=")
        wanted = _unquote(rest[len(op) :] if op != "=" else rest)
        return lambda r: _compare(getter(r), op, wanted)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _compare(actual: Any, op: str, wanted: str) -> bool:
    if actual is None:
        return wanted.lower() == "null" if op == "=" else False
    if isinstance(actual, (list, tuple, set)):
        return any(_compare(a, op, wanted) for a in actual)
    left: Any
    right: Any
    if isinstance(actual, datetime):
        left, right = actual, _moment(wanted)
    elif isinstance(actual, bool):
        left, right = actual, wanted.lower() == "true"
    elif isinstance(actual, int):
        left, right = actual, int(wanted) if wanted.lstrip("-").isdigit() else None
    else:
        left, right = str(actual).lower(), wanted.lower()
        if op == "=" and right.endswith("*"):
            return bool(left.startswith(right[:-1]))
    if right is None:
        return False
    if op == "=":
        return bool(left == right)
    return bool({">": left > right, ">=": left >= right, "<": left < right, "<=": left <= right}[op])


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
