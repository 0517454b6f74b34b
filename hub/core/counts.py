"""Stock counts: what was physically counted, and the variances it posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from hub.core.errors import Conflict
from hub.core.ledger import Reference, StockBook
from hub.core.numbers import ZERO

__all__ = ["StockCount", "StockCountLine"]


@dataclass(eq=False)
class StockCountLine:
    sku: str
    counted: Decimal
    #: On hand in the books when the count was posted.
    expected: Decimal = ZERO
    variance: Decimal = ZERO
    #: Value of the variance move (positive gain, negative loss).
    value: Decimal = ZERO
    id: int | None = None
    count_id: int | None = None


@dataclass(eq=False)
class StockCount:
    warehouse: str
    lines: list[StockCountLine]
    created_at: datetime | None = None
    id: int | None = None

    def post(self, book: StockBook) -> None:
        """Post each line's variance to or from inventory-loss.

        A count below what is reserved is refused as a whole (nothing posted): the
        reservations promise customers goods that the count says are not there.
        """
        assert self.id is not None, "a count is posted once it has an id"
        for i, line in enumerate(self.lines):
            reserved = book.level(line.sku, self.warehouse).reserved
            if line.counted < reserved:
                error = Conflict(
                    f"{line.sku}: counted {line.counted} is below the {reserved} reserved for sales orders "
                    f"in {self.warehouse}; ship or cancel those orders first",
                    field=f"lines[{i}].counted",
                )
                raise error
        for line in self.lines:
            line.expected = book.level(line.sku, self.warehouse).on_hand
            line.variance = line.counted - line.expected
            move = book.count(line.sku, self.warehouse, line.counted, Reference("stock_count", self.id))
            if move is not None:
                line.value = move.value if line.variance > 0 else -move.value
