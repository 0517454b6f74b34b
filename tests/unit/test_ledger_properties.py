"""Ledger invariants under random sequences of everything a warehouse does.

A hypothesis state machine buys, receives (with rejects), sells, ships, cancels,
takes returns, transfers, counts, and issues to and receives from production over
three SKUs and two warehouses, through the real handlers on the in-memory fakes.
Commands the domain refuses are welcome — they must leave the books exactly as they
were. After every step the projections must agree with the ledger:

- on hand per SKU × warehouse is Σ moves in − Σ moves out;
- 0 ≤ reserved ≤ on hand, and reserved is what that warehouse's sales orders hold;
- in transit is what open transfers are bringing to that warehouse;
- a SKU's valuation counts everything on hand and in transit, its value is never
  negative, nothing when there is no quantity, and equals the value the moves carried
  into the books minus what they carried out;
- document statuses follow their lines (received, shipped), every move was
  announced by a ``stock.moved`` event, every stored amount keeps to six places;
- the reorder alerts say what the stock and the orders on the books call for;
- the journal: every entry balances (so Σ debit = Σ credit), the inventory account
  equals Σ valuation value, work in progress equals what the unconsumed production
  issues cost, and a production receipt is worth exactly the issues it consumed.

Rules lean towards commands that can succeed (an approved order to receive, stock
that is there to sell) and stray one time in ten, so both paths are walked.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule

from hub.core import handlers
from hub.core.alerts import assess
from hub.core.commands import (
    CountLine,
    NewCustomer,
    NewProduct,
    NewProductionIssue,
    NewProductionReceipt,
    NewPurchaseOrder,
    NewReceipt,
    NewReturn,
    NewSalesOrder,
    NewShipment,
    NewStockCount,
    NewSupplier,
    NewTransfer,
    NewWarehouse,
    ProductionLineIn,
    PurchaseLine,
    ReceiptLineIn,
    ReturnLineIn,
    SalesLine,
    ShipLine,
    TransferLineIn,
)
from hub.core.errors import DomainError, DuplicateRecord
from hub.core.events import StockMoved
from hub.core.ledger import VIRTUAL_LOCATIONS
from hub.core.numbers import ZERO, quantize
from hub.core.purchasing import PurchaseOrder, PurchaseOrderStatus
from hub.core.sales import OPEN_STATUSES, SalesOrder, SalesOrderStatus
from hub.core.transfers import Transfer, TransferStatus
from tests.fakes import FakeStore, Tables
from tests.unit.support import StoreMachine

SKUS = ("A", "B", "C")
WAREHOUSES = ("W1", "W2")
CUSTOMERS = ("SHOP", "TIGHT")
#: Where value enters or leaves the books; transit is still ours.
OUTSIDE = VIRTUAL_LOCATIONS - {"transit"}
#: Generated quantities come in thousandths.
GRAIN = Decimal("0.001")
TABLES = [f.name for f in dataclasses.fields(Tables)]

#: Quantities with up to three places (kg, m), some large enough to run out of stock.
quantities = st.integers(1, 30_000).map(lambda n: Decimal(n).scaleb(-3))
#: Costs and prices with six places, so averages, moves and totals round.
costs = st.integers(0, 50_000_000).map(lambda n: Decimal(n).scaleb(-6))
prices = st.integers(0, 50_000_000).map(lambda n: Decimal(n).scaleb(-6))
sku_sets = st.lists(st.sampled_from(SKUS), min_size=1, max_size=3, unique=True)
#: True one time in ten: pick anything rather than something likely to succeed.
strays = st.sampled_from((False,) * 9 + (True,))
#: Quarters of a whole: all (the simplest, so the most frequent), none, parts, or more.
quarters = st.sampled_from((4, 0, 1, 2, 3, 5))
#: The same without "none", for quantities that must be above zero.
takes = st.sampled_from((4, 1, 2, 3, 5))


def portion(data: st.DataObject, whole: Decimal) -> Decimal:
    """All, none, some, or a little more than all of ``whole`` (which the domain refuses)."""
    return (whole * data.draw(quarters) / 4).quantize(GRAIN)


def draft(order: PurchaseOrder) -> bool:
    return order.status == PurchaseOrderStatus.DRAFT


def receivable(order: PurchaseOrder) -> bool:
    return order.status in (PurchaseOrderStatus.APPROVED, PurchaseOrderStatus.PARTIALLY_RECEIVED)


def held(order: SalesOrder) -> bool:
    return order.status == SalesOrderStatus.ON_HOLD


def shippable(order: SalesOrder) -> bool:
    return order.status in (SalesOrderStatus.CONFIRMED, SalesOrderStatus.PARTIALLY_SHIPPED)


def returnable(order: SalesOrder) -> bool:
    return any(line.shipped > line.returned for line in order.lines)


def in_transit(transfer: Transfer) -> bool:
    return transfer.status == TransferStatus.IN_TRANSIT


def exists(table: str, likely: Callable[[Any], bool] = lambda _: True) -> Callable[[LedgerMachine], bool]:
    """Precondition: some document in ``table`` that ``likely`` accepts."""
    return lambda machine: any(likely(d) for d in getattr(machine.t, table).values())


def pick(data: st.DataObject, documents: dict[int, Any], likely: Callable[[Any], bool]) -> int:
    """A document id, mostly one that ``likely`` accepts (others test the refusals)."""
    hopeful = sorted(i for i, d in documents.items() if likely(d))
    if hopeful and not data.draw(strays):
        return data.draw(st.sampled_from(hopeful))
    return data.draw(st.sampled_from(sorted(documents)))


class LedgerMachine(StoreMachine):
    def execute(self, handler: Callable[..., Awaitable[Any]], *args: Any) -> bool:
        """Run one command; a refusal must change nothing at all (nor any stock figure)."""
        before = fingerprint(self.store)
        try:
            self.run(self.store.run(handler, *args))
        except DuplicateRecord:
            raise  # nothing here reuses a key: a duplicate is a bug, not a refusal
        except DomainError:
            assert fingerprint(self.store) == before
            return False
        return True

    def skus_in_stock(self, data: st.DataObject, warehouse: str) -> list[str]:
        """Mostly SKUs with stock available in ``warehouse``; sometimes any."""
        stocked = [s for s in SKUS if (lv := self.t.levels.get((s, warehouse))) is not None and lv.available > 0]
        if stocked and not data.draw(strays):
            return data.draw(st.lists(st.sampled_from(stocked), min_size=1, unique=True))
        return data.draw(sku_sets)

    def some(self, data: st.DataObject, sku: str, warehouse: str) -> Decimal:
        """A quantity to take: mostly part or all of what is available, sometimes more."""
        level = self.t.levels.get((sku, warehouse))
        available = level.available if level is not None else ZERO
        qty = (available * data.draw(takes) / 4).quantize(GRAIN)
        return qty if qty > 0 else data.draw(quantities)

    @initialize(opening=st.lists(st.sampled_from(("20", "0", "3.5")), min_size=len(SKUS), max_size=len(SKUS)))
    def seed(self, opening: list[str]) -> None:
        """Master data, and an opening stock of each SKU in the first warehouse (or none)."""
        for code in WAREHOUSES:
            assert self.execute(handlers.create_warehouse, NewWarehouse(code=code, name=code))
        assert self.execute(handlers.create_supplier, NewSupplier(code="ACME", name="Acme"))
        assert self.execute(handlers.create_customer, NewCustomer(code="SHOP", name="Shop"))
        assert self.execute(handlers.create_customer, NewCustomer(code="TIGHT", name="Tight", credit_limit=Decimal(20)))
        bands = {"A": (Decimal(5), Decimal(40)), "B": (Decimal(3), None), "C": (None, None)}
        for sku in SKUS:
            point, ceiling = bands[sku]
            cmd = NewProduct(sku=sku, name=sku, reorder_point=point, reorder_max=ceiling)
            assert self.execute(handlers.create_product, cmd)
        stock = [
            PurchaseLine(sku=s, qty=Decimal(q), unit_cost=Decimal("1.5"))
            for s, q in zip(SKUS, opening, strict=True)
            if q != "0"
        ]
        if stock:
            order = NewPurchaseOrder(supplier="ACME", warehouse=WAREHOUSES[0], lines=stock)
            assert self.execute(handlers.create_purchase_order, order)
            assert self.execute(handlers.approve_purchase_order, max(self.t.purchase_orders))
            everything = NewReceipt(lines=[ReceiptLineIn(sku=line.sku, accepted=line.qty) for line in stock])
            assert self.execute(handlers.receive_purchase_order, max(self.t.purchase_orders), everything)

    # -- purchasing ---------------------------------------------------------------------------

    @rule(
        skus=sku_sets,
        warehouse=st.sampled_from(WAREHOUSES),
        data=st.data(),
        then=st.sampled_from(("draft", "approve", "receive")),
    )
    def purchase(self, skus: list[str], warehouse: str, data: st.DataObject, then: str) -> None:
        lines = [PurchaseLine(sku=s, qty=data.draw(quantities), unit_cost=data.draw(costs)) for s in skus]
        assert self.execute(
            handlers.create_purchase_order, NewPurchaseOrder(supplier="ACME", warehouse=warehouse, lines=lines)
        )
        order_id = max(self.t.purchase_orders)
        if then != "draft":
            assert self.execute(handlers.approve_purchase_order, order_id)
        if then == "receive":
            everything = NewReceipt(lines=[ReceiptLineIn(sku=line.sku, accepted=line.qty) for line in lines])
            assert self.execute(handlers.receive_purchase_order, order_id, everything)

    @precondition(exists("purchase_orders", draft))
    @rule(data=st.data())
    def approve_purchase(self, data: st.DataObject) -> None:
        self.execute(handlers.approve_purchase_order, pick(data, self.t.purchase_orders, draft))

    @precondition(exists("purchase_orders", lambda o: draft(o) or receivable(o)))
    @rule(data=st.data())
    def cancel_purchase(self, data: st.DataObject) -> None:
        self.execute(
            handlers.cancel_purchase_order, pick(data, self.t.purchase_orders, lambda o: draft(o) or receivable(o))
        )

    @precondition(exists("purchase_orders", receivable))
    @rule(data=st.data())
    def receive(self, data: st.DataObject) -> None:
        order = self.t.purchase_orders[pick(data, self.t.purchase_orders, receivable)]
        lines = []
        for line in order.lines:
            accepted = portion(data, line.outstanding)
            rejected = portion(data, max(ZERO, line.outstanding - accepted)) if data.draw(st.booleans()) else ZERO
            if accepted or rejected:
                lines.append(ReceiptLineIn(sku=line.sku, accepted=accepted, rejected=rejected))
        if lines:
            assert order.id is not None
            self.execute(handlers.receive_purchase_order, order.id, NewReceipt(lines=lines))

    # -- sales -----------------------------------------------------------------------------------

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        warehouse=st.sampled_from(WAREHOUSES),
        data=st.data(),
        then=st.sampled_from(("keep", "approve", "ship")),
    )
    def sell(self, customer: str, warehouse: str, data: st.DataObject, then: str) -> None:
        skus = self.skus_in_stock(data, warehouse)
        lines = [SalesLine(sku=s, qty=self.some(data, s, warehouse), unit_price=data.draw(prices)) for s in skus]
        if not self.execute(
            handlers.create_sales_order, NewSalesOrder(customer=customer, warehouse=warehouse, lines=lines)
        ):
            return
        order_id = max(self.t.sales_orders)
        if then == "approve" and held(self.t.sales_orders[order_id]):
            self.execute(handlers.approve_sales_order, order_id)
        if then == "ship" and shippable(self.t.sales_orders[order_id]):
            everything = NewShipment(lines=[ShipLine(sku=line.sku, qty=line.qty) for line in lines])
            assert self.execute(handlers.ship_sales_order, order_id, everything)

    @precondition(exists("sales_orders", held))
    @rule(data=st.data())
    def approve_sale(self, data: st.DataObject) -> None:
        def fits(order: SalesOrder) -> bool:
            levels = self.t.levels
            return held(order) and all(
                (lv := levels.get((line.sku, order.warehouse))) is not None and lv.available >= line.qty
                for line in order.lines
            )

        self.execute(handlers.approve_sales_order, pick(data, self.t.sales_orders, fits))

    @precondition(exists("sales_orders", lambda o: o.status in OPEN_STATUSES))
    @rule(data=st.data())
    def cancel_sale(self, data: st.DataObject) -> None:
        self.execute(handlers.cancel_sales_order, pick(data, self.t.sales_orders, lambda o: o.status in OPEN_STATUSES))

    @precondition(exists("sales_orders", shippable))
    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        order = self.t.sales_orders[pick(data, self.t.sales_orders, shippable)]
        lines = [ShipLine(sku=line.sku, qty=qty) for line in order.lines if (qty := portion(data, line.unshipped))]
        if lines:
            assert order.id is not None
            self.execute(handlers.ship_sales_order, order.id, NewShipment(lines=lines))

    @precondition(exists("sales_orders", returnable))
    @rule(data=st.data())
    def take_return(self, data: st.DataObject) -> None:
        order = self.t.sales_orders[pick(data, self.t.sales_orders, returnable)]
        lines = [
            ReturnLineIn(sku=line.sku, qty=qty, restock=data.draw(st.booleans()))
            for line in order.lines
            if (qty := portion(data, line.shipped - line.returned))
        ]
        if lines:
            assert order.id is not None
            self.execute(handlers.return_sales_order, order.id, NewReturn(lines=lines))

    # -- inventory ---------------------------------------------------------------------------------

    @precondition(lambda self: any(level.available > 0 for level in self.t.levels.values()))
    @rule(data=st.data())
    def transfer(self, data: st.DataObject) -> None:
        stocked = sorted({w for (_, w), level in self.t.levels.items() if level.available > 0})
        source = data.draw(st.sampled_from(WAREHOUSES if data.draw(strays) else stocked))
        skus = self.skus_in_stock(data, source)
        destination = next(w for w in WAREHOUSES if w != source)
        lines = [TransferLineIn(sku=sku, qty=self.some(data, sku, source)) for sku in skus]
        self.execute(
            handlers.create_transfer, NewTransfer(from_warehouse=source, to_warehouse=destination, lines=lines)
        )

    @precondition(exists("transfers", in_transit))
    @rule(data=st.data())
    def receive_transfer(self, data: st.DataObject) -> None:
        self.execute(handlers.receive_transfer, pick(data, self.t.transfers, in_transit))

    @rule(skus=sku_sets, warehouse=st.sampled_from(WAREHOUSES), data=st.data())
    def count(self, skus: list[str], warehouse: str, data: st.DataObject) -> None:
        lines = []
        for sku in skus:
            level = self.t.levels.get((sku, warehouse))
            on_hand = level.on_hand if level is not None else ZERO
            reserved = level.reserved if level is not None else ZERO
            # Around what the books say: short, over, exact, or below what is reserved.
            near = data.draw(st.sampled_from((on_hand, on_hand, reserved, max(ZERO, reserved - 1))))
            lines.append(CountLine(sku=sku, counted=portion(data, near) + data.draw(st.sampled_from((0, 0, 1, 3)))))
        self.execute(handlers.post_stock_count, NewStockCount(warehouse=warehouse, lines=lines))

    # -- production ------------------------------------------------------------------------------

    @precondition(lambda self: any(level.available > 0 for level in self.t.levels.values()))
    @rule(data=st.data())
    def issue_to_production(self, data: st.DataObject) -> None:
        stocked = sorted({w for (_, w), level in self.t.levels.items() if level.available > 0})
        warehouse = data.draw(st.sampled_from(WAREHOUSES if data.draw(strays) else stocked))
        lines = [
            ProductionLineIn(sku=s, qty=self.some(data, s, warehouse)) for s in self.skus_in_stock(data, warehouse)
        ]
        self.execute(handlers.issue_to_production, NewProductionIssue(warehouse=warehouse, lines=lines))

    @precondition(exists("production_issues"))
    @rule(skus=sku_sets, warehouse=st.sampled_from(WAREHOUSES), data=st.data())
    def receive_from_production(self, skus: list[str], warehouse: str, data: st.DataObject) -> None:
        issues = self.t.production_issues
        unconsumed = sorted(i for i, issue in issues.items() if issue.receipt_id is None)
        chosen = unconsumed if unconsumed and not data.draw(strays) else sorted(issues)
        names = data.draw(st.lists(st.sampled_from(chosen), min_size=1, max_size=3, unique=True))
        lines = [ProductionLineIn(sku=s, qty=data.draw(quantities)) for s in skus]
        cmd = NewProductionReceipt(warehouse=warehouse, lines=lines, from_issues=names)
        self.execute(handlers.receive_from_production, cmd)

    # -- invariants ---------------------------------------------------------------------------------

    @invariant()
    def on_hand_is_the_sum_of_the_moves(self) -> None:
        from_moves: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for move in self.t.moves:
            from_moves[(move.sku, move.destination)] += move.qty
            from_moves[(move.sku, move.source)] -= move.qty
        for key in set(self.t.levels) | {k for k in from_moves if k[1] not in VIRTUAL_LOCATIONS}:
            level = self.t.levels.get(key)
            assert level is not None, f"moves reached {key} but it has no stock level"
            assert level.on_hand == from_moves[key], key

    @invariant()
    def reservations_are_covered_and_match_the_orders(self) -> None:
        promised: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for order in self.t.sales_orders.values():
            for line in order.lines:
                assert ZERO <= line.reserved <= line.unshipped
                assert ZERO <= line.returned <= line.shipped <= line.qty
                if not shippable(order):
                    assert line.reserved == 0, (order.id, order.status)
                promised[(line.sku, order.warehouse)] += line.reserved
        for key, level in self.t.levels.items():
            assert ZERO <= level.reserved <= level.on_hand, key
            assert level.reserved == promised[key], key

    @invariant()
    def in_transit_is_what_open_transfers_bring(self) -> None:
        coming: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
        for transfer in self.t.transfers.values():
            if transfer.status == TransferStatus.IN_TRANSIT:
                for line in transfer.lines:
                    coming[(line.sku, transfer.to_warehouse)] += line.qty
        for key, level in self.t.levels.items():
            assert level.in_transit == coming[key], key

    @invariant()
    def valuation_counts_all_stock_and_its_value(self) -> None:
        owned: dict[str, Decimal] = defaultdict(Decimal)
        for (sku, _), level in self.t.levels.items():
            owned[sku] += level.on_hand + level.in_transit
        carried: dict[str, Decimal] = defaultdict(Decimal)
        for move in self.t.moves:
            if move.source in OUTSIDE and move.destination not in OUTSIDE:
                carried[move.sku] += move.value
            elif move.destination in OUTSIDE and move.source not in OUTSIDE:
                carried[move.sku] -= move.value
        for sku in set(owned) | set(self.t.valuations):
            valuation = self.t.valuations.get(sku)
            quantity, value = (valuation.quantity, valuation.value) if valuation else (ZERO, ZERO)
            assert quantity == owned[sku], sku
            assert value >= 0, sku
            assert quantity != 0 or value == 0, sku
            assert value == carried[sku], sku

    @invariant()
    def every_move_was_announced(self) -> None:
        announced = [e.move_id for e in self.store.events if isinstance(e, StockMoved)]
        assert announced == [move.id for move in self.t.moves]

    @invariant()
    def document_statuses_follow_their_lines(self) -> None:
        for po in self.t.purchase_orders.values():
            assert all(ZERO <= line.accepted <= line.qty for line in po.lines), po.id
            received = all(line.outstanding == 0 for line in po.lines)
            assert (po.status == PurchaseOrderStatus.RECEIVED) == received, (po.id, po.status)
        for so in self.t.sales_orders.values():
            shipped = all(line.shipped == line.qty for line in so.lines)
            assert (so.status == SalesOrderStatus.SHIPPED) == shipped, (so.id, so.status)
            if so.status == SalesOrderStatus.ON_HOLD:
                assert all(line.shipped == 0 for line in so.lines), so.id

    @invariant()
    def every_stored_amount_fits_the_columns(self) -> None:
        # numeric(20, 6) on PostgreSQL, exact text on SQLite: only values with at most
        # six places are stored alike on both.
        for name in TABLES:
            rows = getattr(self.t, name)
            for row in rows.values() if isinstance(rows, dict) else rows:
                for record in (row, *getattr(row, "lines", ())):
                    for f in dataclasses.fields(record):
                        value = getattr(record, f.name)
                        if isinstance(value, Decimal):
                            assert value == quantize(value), (type(record).__name__, f.name, value)

    @invariant()
    def the_journal_balances_and_agrees_with_the_ledger(self) -> None:
        balances: dict[str, Decimal] = defaultdict(Decimal)
        for entry in self.t.journal:
            debits = sum((line.debit for line in entry.lines), ZERO)
            assert debits == sum((line.credit for line in entry.lines), ZERO), (entry.source_type, entry.source_id)
            for line in entry.lines:
                assert line.debit >= 0 and line.credit >= 0 and (line.debit == 0 or line.credit == 0)
                balances[line.role] += line.debit - line.credit
        assert sum(balances.values(), ZERO) == 0
        assert balances["inventory"] == sum((v.value for v in self.t.valuations.values()), ZERO)
        wip = sum((i.cost for i in self.t.production_issues.values() if i.receipt_id is None), ZERO)
        assert balances["production_wip"] == wip

    @invariant()
    def production_receipts_are_worth_the_issues_they_consumed(self) -> None:
        consumed: dict[int, list[int]] = defaultdict(list)
        for issue_id, issue in sorted(self.t.production_issues.items()):
            if issue.receipt_id is not None:
                consumed[issue.receipt_id].append(issue_id)
        for receipt_id, receipt in self.t.production_receipts.items():
            assert sorted(receipt.from_issues) == consumed[receipt_id], receipt_id
            issues = self.t.production_issues
            assert receipt.cost == sum((issues[i].cost for i in receipt.from_issues), ZERO), receipt_id

    @invariant()
    def alerts_match_the_stock(self) -> None:
        for sku, product in self.t.products.items():
            active = [a for a in self.t.alerts if a.sku == sku and a.cleared_at is None]
            assert len(active) <= 1, sku
            available = sum((lv.available for (s, _), lv in self.t.levels.items() if s == sku), ZERO)
            on_order = sum(
                (
                    line.outstanding
                    for order in self.t.purchase_orders.values()
                    if receivable(order)
                    for line in order.lines
                    if line.sku == sku
                ),
                ZERO,
            )
            verdict = assess(product, available, on_order)
            if verdict is None:
                assert not active, sku
            else:
                assert active, sku
                assert (active[0].kind, active[0].suggested_qty) == (verdict.kind, verdict.suggested_qty), sku


def fingerprint(store: FakeStore) -> tuple[object, ...]:
    """Everything a refused command could have changed, as comparable values."""
    t = store.tables
    return (
        len(store.events),
        sorted((k, lv.on_hand, lv.reserved, lv.in_transit) for k, lv in t.levels.items()),
        sorted((s, v.quantity, v.value, v.average_cost) for s, v in t.valuations.items()),
        [(m.id, m.sku, m.qty, m.source, m.destination, m.value) for m in t.moves],
        sorted((i, o.status, [(ln.accepted, ln.rejected) for ln in o.lines]) for i, o in t.purchase_orders.items()),
        sorted(
            (i, o.status, [(ln.reserved, ln.shipped, ln.returned, ln.cogs) for ln in o.lines])
            for i, o in t.sales_orders.items()
        ),
        sorted((i, x.status) for i, x in t.transfers.items()),
        [(a.sku, a.kind, a.cleared_at, a.suggested_qty) for a in t.alerts],
        (len(t.receipts), len(t.shipments), len(t.returns), len(t.stock_counts)),
        sorted((i, x.receipt_id) for i, x in t.production_issues.items()),
        len(t.production_receipts),
        len(t.journal),
    )


# How many runs, how many steps each, and whether they are random come from the
# hypothesis profile (tests/conftest.py; HYPOTHESIS_PROFILE=slow explores at length).
LedgerMachine.TestCase.settings = settings(suppress_health_check=[HealthCheck.too_slow])
# Hypothesis caps shrinking at five minutes; allow that beyond the exploration asked for
# (~0.5 s per 40-step run, doubled for a noisy machine), so a failure is reported shrunk
# rather than cut short by pytest-timeout mid-shrink.
_STEPS = settings.default.max_examples * settings.default.stateful_step_count
TestLedger = pytest.mark.timeout(420 + _STEPS // 40)(LedgerMachine.TestCase)
