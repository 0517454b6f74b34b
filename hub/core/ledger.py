"""The double-entry stock ledger.

Every change of stock is a :class:`StockMove` of a quantity of one SKU from one
location to another. Warehouses are locations named by their code; the outside world
is five virtual locations (:data:`VIRTUAL_LOCATIONS`). Moves are never edited: a
correction is a new move.

Two projections are kept in step with the moves, in the same transaction, because
reading them must be fast and locking them is how concurrent orders are serialised:

- :class:`StockLevel` per SKU × warehouse: ``on_hand`` (Σ moves in − Σ moves out),
  ``reserved`` (promised to confirmed sales orders) and ``in_transit`` (on its way *to*
  this warehouse from a transfer);
- :class:`Valuation` per SKU: quantity and value owned (warehouses plus transit) under
  moving-average cost (AVCO).

:class:`StockBook` is the only code that changes them: it is handed the locked
projections of the rows a command touches and records the moves it makes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from hub.core.errors import Conflict, InsufficientStock, LimitExceeded, Shortage
from hub.core.numbers import MAX_AMOUNT, ZERO, quantize, within_limit

__all__ = [
    "CUSTOMER",
    "INVENTORY_LOSS",
    "PRODUCTION",
    "SUPPLIER",
    "TRANSIT",
    "VIRTUAL_LOCATIONS",
    "Reference",
    "StockBook",
    "StockLevel",
    "StockMove",
    "Valuation",
]

SUPPLIER = "supplier"
CUSTOMER = "customer"
INVENTORY_LOSS = "inventory-loss"
TRANSIT = "transit"
#: Work in progress: materials issued to production, finished goods not yet received.
#: Its value is no longer stock (the journal carries it as ``production_wip``).
PRODUCTION = "production"
VIRTUAL_LOCATIONS = frozenset({SUPPLIER, CUSTOMER, INVENTORY_LOSS, TRANSIT, PRODUCTION})


@dataclass(frozen=True, slots=True)
class Reference:
    """The document a move belongs to, e.g. ``Reference("shipment", 12)``."""

    type: str
    id: int


@dataclass(eq=False)
class StockMove:
    """An immutable movement of ``qty`` of ``sku`` from ``source`` to ``destination``.

    ``unit_cost`` and ``value`` are the move's cost: the purchase cost for receipts,
    the moving-average cost for everything that leaves a warehouse (for a shipment
    ``value`` is its cost of goods sold).
    """

    sku: str
    qty: Decimal
    source: str
    destination: str
    unit_cost: Decimal
    value: Decimal
    reference_type: str
    reference_id: int
    created_at: datetime | None = None
    id: int | None = None


@dataclass(eq=False)
class StockLevel:
    """On hand, reserved and in transit of one SKU in one warehouse."""

    sku: str
    warehouse: str
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    in_transit: Decimal = ZERO

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved


@dataclass(eq=False)
class Valuation:
    """Quantity and value owned of one SKU, valued at moving-average cost."""

    sku: str
    quantity: Decimal = ZERO
    value: Decimal = ZERO
    average_cost: Decimal = ZERO

    def receive(self, qty: Decimal, unit_cost: Decimal) -> Decimal:
        """Take ``qty`` into the books at ``unit_cost``; returns the value added."""
        return self.receive_value(qty, quantize(qty * unit_cost))

    def receive_value(self, qty: Decimal, value: Decimal) -> Decimal:
        """Take ``qty`` into the books worth ``value`` in all (a share of a cost already
        counted elsewhere, which must arrive whole, not re-rounded per unit)."""
        self.quantity += qty
        self.value += value
        if self.quantity > 0:
            self.average_cost = quantize(self.value / self.quantity)
        return value

    def issue(self, qty: Decimal) -> Decimal:
        """Take ``qty`` out of the books at average cost; returns the value removed.

        The last unit out takes whatever value is left, so rounding never leaves value
        behind on zero stock nor drives it negative.
        """
        if qty >= self.quantity:
            cost = self.value
        else:
            cost = min(self.value, quantize(qty * self.average_cost))
        self.quantity -= qty
        self.value -= cost
        return cost


@dataclass
class StockBook:
    """Applies moves to locked stock levels and valuations, and records them.

    ``levels`` must hold every SKU × warehouse the command touches and ``valuations``
    every SKU; the caller loads them locked so concurrent commands serialise on them.
    Nothing here reads or writes storage.
    """

    levels: dict[tuple[str, str], StockLevel]
    valuations: dict[str, Valuation]
    moves: list[StockMove] = field(default_factory=list)
    touched: dict[tuple[str, str], StockLevel] = field(default_factory=dict)

    def level(self, sku: str, warehouse: str) -> StockLevel:
        """The locked level, or — for a SKU never stocked there — a zero one to read."""
        return self.levels.get((sku, warehouse)) or StockLevel(sku=sku, warehouse=warehouse)

    def valuation(self, sku: str) -> Valuation:
        if sku not in self.valuations:
            raise LookupError(f"valuation of {sku} was not locked for this book")
        return self.valuations[sku]

    def _touch(self, level: StockLevel) -> StockLevel:
        # Only locked rows may change: a change to anything else would not be stored.
        key = (level.sku, level.warehouse)
        if self.levels.get(key) is not level:
            raise LookupError(f"stock level {level.sku}@{level.warehouse} was not locked for this book")
        self.touched[key] = level
        return level

    # -- reservations ---------------------------------------------------------------

    def shortage(self, sku: str, warehouse: str, qty: Decimal, line: int | None = None) -> Shortage | None:
        """The shortage if ``qty`` more of ``sku`` cannot be reserved, else None."""
        available = self.level(sku, warehouse).available
        if qty > available:
            return Shortage(sku=sku, warehouse=warehouse, requested=qty, available=max(available, ZERO), line=line)
        return None

    def reserve_all(self, warehouse: str, wanted: list[tuple[str, Decimal]]) -> None:
        """Reserve every ``(sku, qty)`` or nothing; raise naming each short line."""
        shortages = [s for i, (sku, qty) in enumerate(wanted) if (s := self.shortage(sku, warehouse, qty, i))]
        if shortages:
            raise InsufficientStock(shortages)
        for sku, qty in wanted:
            self._touch(self.level(sku, warehouse)).reserved += qty

    def release(self, sku: str, warehouse: str, qty: Decimal) -> None:
        level = self._touch(self.level(sku, warehouse))
        level.reserved = max(ZERO, level.reserved - qty)

    # -- moves ------------------------------------------------------------------------

    def _record(
        self,
        sku: str,
        qty: Decimal,
        source: str,
        destination: str,
        value: Decimal,
        ref: Reference,
        *,
        raised: StockLevel | None = None,
    ) -> StockMove:
        """Record the move; ``raised`` is the level it took up (on hand or in transit), if any."""
        self._within_limits(sku, raised)
        move = StockMove(
            sku=sku,
            qty=qty,
            source=source,
            destination=destination,
            unit_cost=quantize(value / qty),
            value=value,
            reference_type=ref.type,
            reference_id=ref.id,
        )
        self.moves.append(move)
        return move

    def _within_limits(self, sku: str, raised: StockLevel | None) -> None:
        """Refuse a move that would carry a kept figure of ``sku`` past what the hub stores.

        Only what the move took up can have passed the limit: its SKU's value and the level
        it raised (a document of many lines checks each line's own, not every level touched)."""
        figures = [("stock value", self.valuations[sku].value)] if sku in self.valuations else []
        if raised is not None:
            figures += [
                (f"on hand in {raised.warehouse}", raised.on_hand),
                (f"in transit to {raised.warehouse}", raised.in_transit),
            ]
        for what, figure in figures:
            if not within_limit(figure):
                raise LimitExceeded(
                    f"{sku}: {what} would be {figure:f}, over the largest amount the hub keeps ({MAX_AMOUNT:,})"
                )

    def _take(self, sku: str, warehouse: str, qty: Decimal, *, reserved: bool) -> None:
        """Lower on hand (and the reservation it fills); never below zero or below reserved."""
        level = self._touch(self.level(sku, warehouse))
        limit = level.on_hand if reserved else level.available
        if qty > limit:
            raise InsufficientStock([Shortage(sku, warehouse, qty, max(limit, ZERO))])
        level.on_hand -= qty
        if reserved:
            level.reserved -= qty

    def receive(self, sku: str, warehouse: str, qty: Decimal, unit_cost: Decimal, ref: Reference) -> StockMove:
        """supplier → warehouse at the purchase cost."""
        value = self.valuation(sku).receive(qty, unit_cost)
        level = self._touch(self.level(sku, warehouse))
        level.on_hand += qty
        return self._record(sku, qty, SUPPLIER, warehouse, value, ref, raised=level)

    def ship(self, sku: str, warehouse: str, qty: Decimal, ref: Reference) -> StockMove:
        """warehouse → customer out of a reservation; the move's value is the COGS."""
        self._take(sku, warehouse, qty, reserved=True)
        value = self.valuation(sku).issue(qty)
        return self._record(sku, qty, warehouse, CUSTOMER, value, ref)

    def take_back(
        self, sku: str, warehouse: str, qty: Decimal, unit_cost: Decimal, *, restock: bool, ref: Reference
    ) -> StockMove:
        """customer → warehouse (restock, at the cost it left with) or → inventory-loss (scrap)."""
        if not restock:
            # Scrapped returns never re-enter the books: value stays where COGS put it.
            return self._record(sku, qty, CUSTOMER, INVENTORY_LOSS, quantize(qty * unit_cost), ref)
        value = self.valuation(sku).receive(qty, unit_cost)
        level = self._touch(self.level(sku, warehouse))
        level.on_hand += qty
        return self._record(sku, qty, CUSTOMER, warehouse, value, ref, raised=level)

    def send_to_transit(self, sku: str, source: str, destination: str, qty: Decimal, ref: Reference) -> StockMove:
        """warehouse → transit; the goods count as in transit at ``destination``."""
        self._take(sku, source, qty, reserved=False)
        arriving = self._touch(self.level(sku, destination))
        arriving.in_transit += qty
        value = quantize(qty * self.valuation(sku).average_cost)
        return self._record(sku, qty, source, TRANSIT, value, ref, raised=arriving)

    def arrive_from_transit(
        self, sku: str, destination: str, qty: Decimal, value: Decimal, ref: Reference
    ) -> StockMove:
        """transit → warehouse."""
        level = self._touch(self.level(sku, destination))
        level.in_transit -= qty
        level.on_hand += qty
        return self._record(sku, qty, TRANSIT, destination, value, ref, raised=level)

    def capitalise(self, sku: str, warehouse: str, value: Decimal, ref: Reference) -> StockMove:
        """Add ``value`` to the stock of ``sku`` on hand (a landed cost, e.g. freight in).

        No quantity moves: the move carries value only (``qty`` 0, from the supplier into
        ``warehouse``), and the average cost absorbs it. Only stock still owned can absorb
        a cost, so the caller passes no more than the share of what is still on hand.
        """
        valuation = self.valuation(sku)
        if valuation.quantity <= 0:
            raise Conflict(f"{sku}: no stock on hand to absorb a cost")
        valuation.value += value
        valuation.average_cost = quantize(valuation.value / valuation.quantity)
        self._within_limits(sku, None)
        move = StockMove(sku, ZERO, SUPPLIER, warehouse, ZERO, value, ref.type, ref.id)
        self.moves.append(move)
        return move

    def issue_to_production(self, sku: str, warehouse: str, qty: Decimal, ref: Reference) -> StockMove:
        """warehouse → production out of what is available, at average cost."""
        self._take(sku, warehouse, qty, reserved=False)
        value = self.valuation(sku).issue(qty)
        return self._record(sku, qty, warehouse, PRODUCTION, value, ref)

    def receive_from_production(
        self, sku: str, warehouse: str, qty: Decimal, value: Decimal, ref: Reference
    ) -> StockMove:
        """production → warehouse, worth ``value`` (its share of the materials' cost)."""
        self.valuation(sku).receive_value(qty, value)
        level = self._touch(self.level(sku, warehouse))
        level.on_hand += qty
        return self._record(sku, qty, PRODUCTION, warehouse, value, ref, raised=level)

    def count(self, sku: str, warehouse: str, counted: Decimal, ref: Reference) -> StockMove | None:
        """Post the variance between ``counted`` and on hand to/from inventory-loss.

        A count below what is reserved is refused: posting it would promise customers
        goods that are not there. Release or ship those reservations first.
        """
        level = self.level(sku, warehouse)
        variance = counted - level.on_hand
        if variance == 0:
            return None
        self._touch(level)
        if counted < level.reserved:
            raise Conflict(
                f"{sku}@{warehouse}: counted {counted} is below the {level.reserved} reserved for sales orders; "
                "cancel or ship those orders first"
            )
        valuation = self.valuation(sku)
        if variance > 0:
            value = valuation.receive(variance, valuation.average_cost)
            level.on_hand += variance
            return self._record(sku, variance, INVENTORY_LOSS, warehouse, value, ref, raised=level)
        value = valuation.issue(-variance)
        level.on_hand += variance
        return self._record(sku, -variance, warehouse, INVENTORY_LOSS, value, ref)
