"""Every committed change reaches every subscriber: once in effect, in order per aggregate.

Each test runs on SQLite and PostgreSQL, and on the ``local`` and ``kafka`` transports,
with the same subscriber code.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from hub.bootstrap import Hub
from hub.core import handlers
from hub.core.commands import (
    CountLine,
    NewCustomer,
    NewProduct,
    NewPurchaseOrder,
    NewReceipt,
    NewSalesOrder,
    NewShipment,
    NewStockCount,
    NewSupplier,
    NewTransfer,
    NewWarehouse,
    ProductChanges,
    PurchaseLine,
    ReceiptLineIn,
    SalesLine,
    ShipLine,
    TransferLineIn,
)
from hub.core.receivable_commands import AllocationIn, NewInvoice, NewPayment
from hub.db.outbox import save_cursor
from hub.outbox.envelope import Envelope
from hub.outbox.kafka import ALL_TOPICS
from tests.integration.events.support import (
    Recorder,
    applied,
    assert_applied_once_in_order,
    count_outcomes,
    emit_products,
    event_hub,
    eventually,
    outbox,
    read_topics,
    republish_all,
    running,
    settings_for,
    unique,
    unpublished,
    wait_applied,
)

#: What the business below does, as event types: every change says what it changed.
BUSINESS_EVENTS = {
    "warehouse.upserted",
    "supplier.upserted",
    "customer.upserted",
    "product.upserted",
    "purchase_order.created",
    "purchase_order.approved",
    "purchase_order.receipt_posted",
    "stock.moved",
    "stock.level_changed",
    "reorder_alert.raised",
    "reorder_alert.cleared",
    "sales_order.confirmed",
    "shipment.created",
    "transfer.shipped",
    "transfer.received",
    "stock_count.posted",
    "journal.posted",
    "invoice.issued",
    "payment.received",
}


async def _business(hub: Hub) -> list[tuple[str, list[Envelope]]]:
    """A small business run through the real handlers: each change and the events it committed."""
    changes: list[tuple[str, list[Envelope]]] = []

    async def change(what: str, handler: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        async with hub.uow() as uow:
            result = await handler(*args, uow)
            await uow.commit()
        changes.append((what, uow.committed))
        return result

    for code in ("SH", "BJ"):
        await change(f"warehouse {code}", handlers.create_warehouse, NewWarehouse(code=code, name=code))
    await change("supplier", handlers.create_supplier, NewSupplier(code="LONGJING", name="Longjing Tea Co."))
    await change("customer", handlers.create_customer, NewCustomer(code="TEAHOUSE", name="Teahouse Ltd"))
    tea = NewProduct(sku="TEA", name="Longjing 250 g", reorder_point=Decimal(10), reorder_max=Decimal(40))
    await change("product TEA", handlers.create_product, tea)
    await change("product CUP", handlers.create_product, NewProduct(sku="CUP", name="Cup"))
    for n in range(5):
        await change(f"TEA renamed {n}", handlers.update_product, "TEA", ProductChanges(name=f"Longjing v{n}"))
    po = await change(
        "purchase order",
        handlers.create_purchase_order,
        NewPurchaseOrder(
            supplier="LONGJING",
            warehouse="SH",
            lines=[
                PurchaseLine(sku="TEA", qty=Decimal(30), unit_cost=Decimal("38.00")),
                PurchaseLine(sku="CUP", qty=Decimal(12), unit_cost=Decimal(2)),
            ],
        ),
    )
    await change("purchase order approved", handlers.approve_purchase_order, po.id)
    receipt = NewReceipt(
        lines=[ReceiptLineIn(sku="TEA", accepted=Decimal(30)), ReceiptLineIn(sku="CUP", accepted=Decimal(12))]
    )
    await change("receipt", handlers.receive_purchase_order, po.id, receipt)
    for n in range(3):
        order = await change(
            f"sales order {n}",
            handlers.create_sales_order,
            NewSalesOrder(
                customer="TEAHOUSE",
                warehouse="SH",
                lines=[SalesLine(sku="TEA", qty=Decimal(7), unit_price=Decimal(59))],
            ),
        )
        await change(
            f"shipment {n}",
            handlers.ship_sales_order,
            order.id,
            NewShipment(lines=[ShipLine(sku="TEA", qty=Decimal(7))]),
        )
        invoice = await change(f"invoice {n}", handlers.issue_invoice, NewInvoice(sales_order=order.id))
    paid = [AllocationIn(invoice=invoice.id, amount=Decimal(100))]
    payment = NewPayment(customer="TEAHOUSE", amount=Decimal(500), currency="USD", method="cash", allocations=paid)
    await change("payment", handlers.receive_payment, payment)
    transfer = await change(
        "transfer",
        handlers.create_transfer,
        NewTransfer(from_warehouse="SH", to_warehouse="BJ", lines=[TransferLineIn(sku="CUP", qty=Decimal(4))]),
    )
    await change("transfer received", handlers.receive_transfer, transfer.id)
    await change(
        "stock count",
        handlers.post_stock_count,
        NewStockCount(warehouse="SH", lines=[CountLine(sku="CUP", counted=Decimal(7))]),
    )
    return changes


async def test_every_change_is_applied_once_by_each_subscriber_in_outbox_order_per_aggregate(
    database_url: str, transport: str, bootstrap: str
) -> None:
    shop, books = Recorder(unique("shop")), Recorder(unique("books"), types=("stock.moved", "shipment.created"))
    settings = settings_for(database_url, transport, bootstrap)
    async with event_hub(settings, shop.subscriber(), books.subscriber()) as hub:
        async with running(hub) as runtime:
            changes = await _business(hub)
            everything = await outbox(hub.db)
            await wait_applied(hub, shop.name, [row.event_id for row in everything], alive=[runtime])
            wanted = [row for row in everything if row.type in books.types]
            await wait_applied(hub, books.name, [row.event_id for row in wanted], alive=[runtime])
            await eventually(lambda: _none_unpublished(hub), "the relay marked every row published")

        silent = [what for what, envelopes in changes if not envelopes]
        assert not silent, f"changes that committed no events: {silent}"
        committed = [envelope.event_id for _, envelopes in changes for envelope in envelopes]
        assert [row.event_id for row in everything] == committed, "the outbox holds each change's events, in order"
        assert {row.type for row in everything} == BUSINESS_EVENTS
        await assert_applied_once_in_order(hub.db, shop.name, everything)
        await assert_applied_once_in_order(hub.db, books.name, wanted)
        assert sorted(books.calls) == sorted(row.event_id for row in wanted), "the handler saw only its types"
        assert {effect.event_id for effect in await applied(hub.db, books.name)} == {row.event_id for row in wanted}


async def _none_unpublished(hub: Hub) -> bool:
    return await unpublished(hub.db) == 0


async def test_events_delivered_again_are_dropped_by_the_inbox(
    database_url: str, transport: str, bootstrap: str
) -> None:
    """A relay that republishes (``kafka``), or a cursor set back (``local``): nothing is applied twice."""
    shop = Recorder(unique("shop"))
    settings = settings_for(database_url, transport, bootstrap)
    async with event_hub(settings, shop.subscriber()) as hub:
        outcomes = count_outcomes(hub)
        ids = await emit_products(hub, 300, keys=7)
        async with running(hub) as runtime:
            await wait_applied(hub, shop.name, ids, alive=[runtime])
            await eventually(lambda: _none_unpublished(hub), "the relay marked every row published")
            assert outcomes == {"applied": 300}
            if transport == "kafka":
                await republish_all(hub.db)  # as if the relay had died before marking them
                await eventually(
                    lambda: _at_least(outcomes, "duplicate", 300), "every event published again", alive=[runtime]
                )
        if transport == "local":
            await save_cursor(hub.db, shop.name, 0)  # as if the dispatcher had died before saving its cursor
            async with running(hub) as runtime:
                await eventually(
                    lambda: _at_least(outcomes, "duplicate", 300), "every event dispatched again", alive=[runtime]
                )

        assert outcomes == {"applied": 300, "duplicate": 300}
        assert len(shop.calls) == 300 and set(shop.calls.values()) == {1}, "the handler ran once per event"
        await assert_applied_once_in_order(hub.db, shop.name, await outbox(hub.db))


async def _at_least(counts: Any, key: str, n: int) -> bool:
    return bool(counts[key] >= n)


@pytest.mark.kafka
async def test_the_relay_publishes_each_row_to_its_aggregate_topic_keyed_by_aggregate_with_headers(
    database_url: str, kafka: str
) -> None:
    settings = settings_for(database_url, "kafka", kafka, relay_batch_size=40)
    async with event_hub(settings) as hub:
        await emit_products(hub, 150, keys=6)
        async with running(hub, workers=False):
            await _business(hub)
            await eventually(lambda: _none_unpublished(hub), "the relay published every row")
        rows = await outbox(hub.db)

    received = await read_topics(kafka, ALL_TOPICS)
    by_event = {}
    for topic, records in received.items():
        for record in records:
            envelope = json.loads(record.value)
            assert topic == f"hub.{envelope['aggregate_type']}.v1"
            assert record.key == envelope["aggregate_id"].encode()
            assert dict(record.headers) == {
                "event_id": envelope["event_id"].encode(),
                "type": envelope["type"].encode(),
            }
            by_event[envelope["event_id"]] = (topic, record.partition, record.offset)
    assert sorted(by_event) == sorted(row.event_id for row in rows), "each row published once, nothing else"
    assert received["hub.dlq.v1"] == []

    placed: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for row in rows:
        topic, partition, offset = by_event[row.event_id]
        placed[(row.aggregate_type, row.aggregate_id)].append((partition, offset))
    for key, positions in placed.items():
        assert len({partition for partition, _ in positions}) == 1, f"{key} spread over partitions"
        assert [offset for _, offset in positions] == sorted(offset for _, offset in positions), f"{key} reordered"


async def test_a_commit_wakes_the_relay_and_the_subscribers_at_once_not_at_the_next_poll(database_url: str) -> None:
    """PostgreSQL: LISTEN/NOTIFY, so a commit in another process wakes them; SQLite: an in-process signal."""
    shop = Recorder(unique("shop"))
    settings = settings_for(database_url, poll_interval=30)
    async with event_hub(settings, shop.subscriber()) as hub, event_hub(settings) as elsewhere:
        async with running(hub) as runtime:
            await wait_applied(hub, shop.name, await emit_products(hub, 1), timeout=10, alive=[runtime])
            writer = hub
            if hub.db.dialect == "postgresql":
                writer = elsewhere  # another Database: only a NOTIFY can wake the runtime
                await eventually(lambda: _listening(hub), "the runtime listening for commits", timeout=10)
            for n in range(1, 4):
                ids = await emit_products(writer, 1, first=n)
                took = await wait_applied(hub, shop.name, ids, timeout=10, alive=[runtime])
                assert took < 5, f"delivered after {took:.1f}s: woken by the poll (30 s), not the commit"
            await eventually(lambda: _none_unpublished(hub), "the relay marked every row", timeout=2)
            stopping = time.monotonic()
        assert time.monotonic() - stopping < 5, "stopping waited for the next poll"


async def _listening(hub: Hub) -> bool:
    async with hub.db.engine.connect() as conn:
        stmt = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%'"
        )
        return bool(await conn.scalar(stmt))
