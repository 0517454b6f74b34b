"""What must hold after the day, recomputed from the records rather than trusted.

Read from the hub's database (the ledger, the outbox, inboxes, dead letters), its API
(channel stock, the connector) and the store's state (the simulator's control API):

- ``ledger``: on hand per SKU × warehouse = Σ moves in − Σ moves out;
- ``reserved``: 0 ≤ reserved ≤ on hand, and reserved = Σ of open order lines' reservations;
- ``orders``: every store order ↔ exactly one hub sales order (by external id), and a
  cancelled store order is cancelled in the hub;
- ``store_levels``: every mapped store level = the channel's available-to-sell there;
- ``delivery``: nothing left unpublished; every event the ``connectors`` subscriber wants
  is in its inbox (once: the key says so) or parked as a dead letter; its cursor (local
  transport) at the end of the outbox;
- ``dead_letters``: each explained by an injected fault and re-driven (``hub dlq retry``),
  none left pending.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import except_, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from hub.connectors.fanout import NAME as FANOUT
from hub.connectors.fanout import connectors_subscriber
from hub.core.sales import OPEN_STATUSES
from hub.db import tables as t

if TYPE_CHECKING:
    from bench.faultday.day import Day

__all__ = ["EXPLAINED", "Check", "check_all", "quiet"]

ZERO = Decimal(0)
VIRTUAL = {"supplier", "customer", "inventory-loss", "transit"}

#: Errors an injected fault explains: a connection cut (PostgreSQL), a process or broker
#: gone, the store's 429/5xx/504 past the retries.
EXPLAINED = re.compile(
    r"terminat|AdminShutdown|ConnectionDoesNotExist|connection (was )?closed|ConnectionResetError|"
    r"InterfaceError|KafkaConnectionError|KafkaTimeoutError|RequestTimedOutError|"
    r"answered (429|50\d)|Gateway Timeout|Internal Server Error|unreachable|database is locked",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def _engine(day: Day) -> AsyncEngine:
    return create_async_engine(day.database_url)


async def quiet(day: Day) -> bool | str:
    """True when nothing is left to happen; otherwise what is still going on."""
    status = await day.hub.json("GET", "/v1/connectors/shopify")
    if status["queue"]:
        return f"queue {status['queue']}"
    engine = _engine(day)
    try:
        async with engine.connect() as conn:
            unpublished = (
                await conn.execute(select(func.count()).where(t.outbox.c.published_at.is_(None)))
            ).scalar_one()
            if unpublished:
                return f"{unpublished} unpublished"
            missing = await _undelivered(conn, day.plan.transport)
            if missing:
                return f"{missing} events not yet handled by {FANOUT}"
            hub_orders = {r.external_id for r in await conn.execute(select(t.sales_orders.c.external_id))}
    finally:
        await engine.dispose()
    store = await day.shop.get("/_simulator/orders")
    absent = [o["name"] for o in store.json() if o["admin_graphql_api_id"] not in hub_orders]
    return f"store orders not in the hub yet: {absent}" if absent else True


async def _undelivered(conn: Any, transport: str) -> int:
    subscriber = connectors_subscriber()
    assert subscriber is not None
    if transport == "local":
        last = (await conn.execute(select(func.max(t.outbox.c.id)))).scalar_one() or 0
        position = (
            await conn.execute(
                select(t.subscriber_cursors.c.position).where(t.subscriber_cursors.c.subscriber == FANOUT)
            )
        ).scalar_one_or_none() or 0
        return int(last - position)
    wanted = select(t.outbox.c.event_id).where(t.outbox.c.type.in_(subscriber.types))
    seen = select(t.inbox.c.event_id).where(t.inbox.c.subscriber == FANOUT)
    parked = select(t.dead_letters.c.event_id).where(t.dead_letters.c.subscriber == FANOUT)
    stmt = select(func.count()).select_from(except_(wanted, seen, parked).subquery())
    return int((await conn.execute(stmt)).scalar_one())


async def check_all(day: Day) -> list[Check]:
    engine = _engine(day)
    try:
        letters = await _dead_letters(day, engine)
        async with engine.connect() as conn:
            checks = [
                await _ledger(conn),
                await _reserved(conn),
                await _orders(conn, day),
                await _store_levels(day),
                await _delivery(conn, day),
            ]
    finally:
        await engine.dispose()
    return [*checks, letters]


async def _ledger(conn: Any) -> Check:
    computed: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    moves = 0
    for move in await conn.execute(
        select(t.stock_moves.c.sku, t.stock_moves.c.qty, t.stock_moves.c.source, t.stock_moves.c.destination)
    ):
        moves += 1
        computed[(move.sku, move.destination)] += move.qty
        computed[(move.sku, move.source)] -= move.qty
    stored = {(r.sku, r.warehouse): r.on_hand for r in await conn.execute(select(t.stock_levels))}
    places = {key for key in computed if key[1] not in VIRTUAL} | set(stored)
    wrong = [
        f"{k}: ledger {computed.get(k, ZERO)} ≠ on hand {stored.get(k, ZERO)}"
        for k in sorted(places)
        if computed.get(k, ZERO) != stored.get(k, ZERO)
    ]
    return Check("ledger", not wrong, "; ".join(wrong) or f"{len(places)} SKU × warehouse from {moves} moves")


async def _reserved(conn: Any) -> Check:
    stmt = (
        select(t.sales_order_lines.c.sku, t.sales_orders.c.warehouse, func.sum(t.sales_order_lines.c.reserved))
        .join(t.sales_orders, t.sales_orders.c.id == t.sales_order_lines.c.order_id)
        .where(t.sales_orders.c.status.in_(list(OPEN_STATUSES)))
        .group_by(t.sales_order_lines.c.sku, t.sales_orders.c.warehouse)
    )
    by_orders = {(sku, wh): Decimal(total or 0) for sku, wh, total in await conn.execute(stmt)}
    wrong = []
    levels = list(await conn.execute(select(t.stock_levels)))
    for row in levels:
        if not ZERO <= row.reserved <= row.on_hand:
            wrong.append(f"{row.sku}@{row.warehouse}: reserved {row.reserved}, on hand {row.on_hand}")
        if by_orders.get((row.sku, row.warehouse), ZERO) != row.reserved:
            of_orders = by_orders.get((row.sku, row.warehouse), ZERO)
            wrong.append(f"{row.sku}@{row.warehouse}: reserved {row.reserved} ≠ open orders' {of_orders}")
    return Check("reserved", not wrong, "; ".join(wrong) or f"{len(levels)} levels")


async def _orders(conn: Any, day: Day) -> Check:
    store = (await day.shop.get("/_simulator/orders")).json()
    rows = list(await conn.execute(select(t.sales_orders).where(t.sales_orders.c.channel == "shopify")))
    by_external: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_external[row.external_id].append(row)
    wrong = []
    for order in store:
        found = by_external.pop(order["admin_graphql_api_id"], [])
        if len(found) != 1:
            wrong.append(f"{order['name']}: {len(found)} hub orders")
        elif order["cancelled_at"] and found[0].status != "cancelled":
            wrong.append(f"{order['name']}: cancelled in the store, {found[0].status} in the hub")
    wrong += [f"hub order(s) {[r.id for r in rs]} for {ext}, not in the store" for ext, rs in by_external.items()]
    held = (await conn.execute(select(func.count()).where(t.connector_holds.c.resolved_at.is_(None)))).scalar_one()
    if held:
        wrong.append(f"{held} store orders held")
    statuses: dict[str, int] = defaultdict(int)
    for row in rows:
        statuses[str(row.status)] += 1
    return Check("orders", not wrong, "; ".join(wrong) or f"{len(store)} store orders, 1:1 ({dict(statuses)})")


async def _store_levels(day: Day) -> Check:
    from bench.faultday.plan import LOCATIONS

    channel = await day.hub.json("GET", "/v1/channels/shopify/stock")
    wanted = {(row["sku"], wh): Decimal(str(q)) for row in channel["items"] for wh, q in row["warehouses"].items()}
    store = (await day.shop.get("/_simulator/inventory")).json()
    wrong = []
    for row in store:
        warehouse = LOCATIONS.get(row["location"])
        if warehouse is None:
            continue
        ats = int(wanted.get((row["sku"], warehouse), ZERO))
        if row["available"] != ats:
            wrong.append(f"{row['sku']}@{row['location']}: store {row['available']} ≠ channel {ats}")
    return Check("store_levels", not wrong, "; ".join(wrong) or f"{len(store)} store levels")


async def _delivery(conn: Any, day: Day) -> Check:
    subscriber = connectors_subscriber()
    assert subscriber is not None
    unpublished = (await conn.execute(select(func.count()).where(t.outbox.c.published_at.is_(None)))).scalar_one()
    behind = await _undelivered(conn, day.plan.transport)  # the cursor, on the local transport
    wanted = select(t.outbox.c.event_id).where(t.outbox.c.type.in_(subscriber.types))
    seen = select(t.inbox.c.event_id).where(t.inbox.c.subscriber == FANOUT)
    parked = select(t.dead_letters.c.event_id).where(t.dead_letters.c.subscriber == FANOUT)
    count = select(func.count())
    missing = (await conn.execute(count.select_from(except_(wanted, seen, parked).subquery()))).scalar_one()
    # The inbox's key (subscriber, event_id) keeps each at most once; nothing foreign in it.
    foreign = (await conn.execute(count.select_from(seen.except_(wanted).subquery()))).scalar_one()
    events = (await conn.execute(count.select_from(t.outbox))).scalar_one()
    n_wanted = (await conn.execute(count.select_from(wanted.subquery()))).scalar_one()
    n_seen = (await conn.execute(count.select_from(seen.subquery()))).scalar_one()
    n_parked = (await conn.execute(count.select_from(parked.subquery()))).scalar_one()
    ok = unpublished == behind == missing == foreign == 0
    detail = (
        f"{events} events, {n_wanted} wanted by {FANOUT}: {n_seen} applied once, {n_parked} parked, "
        f"{missing} missing, {foreign} unknown; {unpublished} unpublished, {behind} behind"
    )
    return Check("delivery", ok, detail)


async def _dead_letters(day: Day, engine: AsyncEngine) -> Check:
    async with engine.connect() as conn:
        letters = list(await conn.execute(select(t.dead_letters)))
    unexplained = [
        f"#{d.id} {d.subscriber} {d.type}: {d.error[:200]}" for d in letters if not EXPLAINED.search(d.error)
    ]
    pending = [d.id for d in letters if d.status == "pending"]
    for letter_id in pending:
        day.processes.run("dlq", "retry", str(letter_id))
    async with engine.connect() as conn:
        receipts = (await conn.execute(select(func.count()).select_from(t.webhook_receipts))).scalar_one()
    day.result.figures["webhook_receipts"] = receipts
    day.result.figures["dead_letters"] = len(letters)
    day.result.figures["dead_letters_redriven"] = len(pending)
    if pending:
        await day.converge(120)
        async with engine.connect() as conn:
            still = (await conn.execute(select(func.count()).where(t.dead_letters.c.status == "pending"))).scalar_one()
        if still:
            unexplained.append(f"{still} still pending after hub dlq retry")
    detail = "; ".join(unexplained) or (
        f"{len(letters)} dead letters, each explained by a fault, {len(pending)} re-driven" if letters else "none"
    )
    return Check("dead_letters", not unexplained, detail)
