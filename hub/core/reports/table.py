"""A report as a table: named, typed columns, rows, totals rows, and what it was asked.

Every report is a :class:`Report`, so the API's JSON and CSV and the CLI's table are
written once (:meth:`Report.json_rows`, :meth:`Report.csv`). A column's ``kind`` says
how its values travel: ``money`` and ``ratio`` as decimal strings (never floats),
``qty`` as JSON numbers, ``date`` as ISO dates, ``text``/``flag``/``count`` as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from hub.core.errors import InvalidInput
from hub.core.numbers import as_json_number, normalize

__all__ = ["PERIOD_DAYS", "Column", "Report", "money_text", "period", "ratio"]

Kind = Literal["text", "qty", "money", "ratio", "date", "flag", "count"]
_RATIO_PLACES = Decimal("0.01")
#: A period's length when only its end (or nothing) is given.
PERIOD_DAYS = 30


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The days ``start``..``end``, both included: ``end`` defaults to today and ``start``
    to :data:`PERIOD_DAYS` days ending at ``end``. A start after the end is refused."""
    end = end or today
    start = start or end - timedelta(days=PERIOD_DAYS - 1)
    if start > end:
        raise InvalidInput(f"from {start} is after to {end}", field="from")
    return start, end


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    #: What the figure is, for the API document and ``hub report --help`` readers.
    description: str = ""


def ratio(numerator: Decimal, denominator: Decimal, *, scale: int = 1) -> Decimal | None:
    """``numerator ÷ denominator × scale`` to two places (half-even), or None when undefined."""
    if denominator == 0:
        return None
    return (numerator * scale / denominator).quantize(_RATIO_PLACES)


def money_text(value: Decimal) -> str:
    """Money as it travels: a decimal string with 2 to 6 places."""
    value = normalize(value)
    return f"{value:.2f}" if value.as_tuple().exponent >= -2 else f"{value:f}"  # type: ignore[operator]


def _json(kind: Kind, value: Any) -> Any:
    if value is None:
        return None
    if kind == "money":
        return money_text(value)
    if kind == "ratio":
        return f"{value:f}"
    if kind == "qty":
        return as_json_number(value)
    if kind == "date":
        return value.isoformat() if isinstance(value, date) else str(value)
    return value


def _text(kind: Kind, value: Any) -> str:
    if value is None:
        return ""
    if kind == "qty":
        return f"{normalize(value):f}"
    if kind == "flag":
        return "true" if value else "false"
    shown = _json(kind, value)
    return str(shown)


@dataclass
class Report:
    """One report's figures; ``parameters`` are the ones it ran with (defaults filled in)."""

    name: str
    columns: Sequence[Column]
    rows: list[dict[str, Any]]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    #: The totals rows: one per currency where the report's money is in several (the books,
    #: aging), one for the whole report otherwise; None when the report has no totals.
    totals: list[dict[str, Any]] | None = None
    #: How figures are computed (methods, conventions), in words.
    notes: list[str] = field(default_factory=list)
    #: Report-specific extras that are not rows (a forecast series …), already JSON-ready.
    extra: dict[str, Any] = field(default_factory=dict)

    def _row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {c.name: _json(c.kind, row.get(c.name)) for c in self.columns}

    def json_rows(self) -> list[dict[str, Any]]:
        return [self._row(row) for row in self.rows]

    def as_json(self) -> dict[str, Any]:
        return {
            "report": self.name,
            "parameters": {k: _json("date", v) if isinstance(v, date) else v for k, v in self.parameters.items()},
            "columns": [{"name": c.name, "kind": c.kind, "description": c.description} for c in self.columns],
            "rows": self.json_rows(),
            "totals": None if self.totals is None else [self._row(row) for row in self.totals],
            "notes": self.notes,
            **self.extra,
        }

    def text_rows(self) -> list[list[str]]:
        """Every row (and the totals rows last) as text, in column order: for CSV and the CLI."""
        rows = [*self.rows, *(self.totals or [])]
        return [[_text(c.kind, row.get(c.name)) for c in self.columns] for row in rows]

    def csv(self) -> str:
        """A header row of column names, then the rows (the totals rows last, if any)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.name for c in self.columns])
        writer.writerows(self.text_rows())
        return buffer.getvalue()
