"""Transfers between warehouses: shipped at once into transit, received at the destination."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from hub.core.errors import InsufficientStock, InvalidTransition
from hub.core.ledger import Reference, StockBook
from hub.core.numbers import ZERO

__all__ = ["Transfer", "TransferLine", "TransferStatus"]


class TransferStatus(StrEnum):
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"


@dataclass(eq=False)
class TransferLine:
    sku: str
    qty: Decimal
    #: Value carried by the goods while in transit (average cost when shipped).
    value: Decimal = ZERO
    id: int | None = None
    transfer_id: int | None = None


@dataclass(eq=False)
class Transfer:
    from_warehouse: str
    to_warehouse: str
    lines: list[TransferLine]
    status: TransferStatus = TransferStatus.IN_TRANSIT
    shipped_at: datetime | None = None
    received_at: datetime | None = None
    id: int | None = None

    def ship(self, book: StockBook) -> None:
        """from_warehouse → transit for every line, or nothing if any line is short."""
        assert self.id is not None, "a transfer ships once it has an id"
        shortages = [
            s for i, line in enumerate(self.lines) if (s := book.shortage(line.sku, self.from_warehouse, line.qty, i))
        ]
        if shortages:
            raise InsufficientStock(shortages)
        for line in self.lines:
            move = book.send_to_transit(line.sku, self.from_warehouse, self.to_warehouse, line.qty, self._ref)
            line.value = move.value

    def receive(self, book: StockBook) -> None:
        if self.status != TransferStatus.IN_TRANSIT:
            raise InvalidTransition(f"transfer {self.id} is {self.status}; only a transfer in transit can be received")
        for line in self.lines:
            book.arrive_from_transit(line.sku, self.to_warehouse, line.qty, line.value, self._ref)
        self.status = TransferStatus.RECEIVED

    @property
    def _ref(self) -> Reference:
        assert self.id is not None
        return Reference("transfer", self.id)
