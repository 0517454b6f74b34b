"""Orders in: every Shopify order becomes exactly one hub sales order.

Webhooks and the poll only say *which* order changed (its GID goes into the work
queue); the worker reads the order's current state from the store and brings the hub
in line — create it, cancel it, take off units cancelled before they shipped, take back
restocked refunds. So duplicates, late and
out-of-order deliveries (an update or a cancel before the create) all end the same way,
and the ``(channel, external_id)`` constraint plus the binding keep it to one order.

An order that cannot come in — a SKU the hub lacks, a location not mapped — is put on
hold on the connector (with the reason; it shows on its status) and is looked at again
on every poll, without holding up other orders. One the hub lacks stock for comes in on
hold (``waiting for stock``): the store has already taken the customer's money.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from hub.connectors.sdk.errors import ConnectorError
from hub.connectors.sdk.pagination import Page, paginate
from hub.connectors.sdk.ports import ConnectorUnitOfWork, ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.connectors.shopify import queries
from hub.connectors.shopify.client import ShopifyClient
from hub.connectors.shopify.config import ShopifyMappings
from hub.core import handlers
from hub.core.commands import LineReduction, NewReturn, ReturnLineIn, SalesOrderReduction
from hub.core.errors import DomainError
from hub.core.sales import OPEN_STATUSES
from hub.mappings.shopify import OrderIn, hold_reason, order_from_graphql, sales_order_command
from hub.sync.plan import Action, ApplyResult, Plan, PlanItem, Progress

__all__ = ["CURSOR", "SINCE", "OrdersIn", "OrdersReconciler"]

log = logging.getLogger("hub.shopify")

ORDER, REFUND = "order", "refund"
#: Cursor streams: how far the poll has read (``updatedAt``), and since when orders count.
CURSOR, SINCE = "orders.updated_at", "orders.since"
PAGE = 50
#: What bringing one order in may say when it changed nothing in the hub.
HELD, UNCHANGED, TOO_OLD, GONE, MISSING = (
    "held",
    "unchanged",
    "older than the connector",
    "no longer in the store",
    "bound order missing",
)
UNWRITTEN = frozenset({HELD, UNCHANGED, TOO_OLD, GONE, MISSING})


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OrdersIn:
    def __init__(
        self,
        connector_id: str,
        mappings: ShopifyMappings,
        client: ShopifyClient,
        uows: ConnectorUnitOfWorks,
        *,
        customer: str,
        currency: str,
    ):
        self.id, self.mappings, self.client, self.uows = connector_id, mappings, client, uows
        self.customer, self.currency = customer, currency

    async def start(self, uow: ConnectorUnitOfWork) -> None:
        """Orders placed before the connector was added are not brought in."""
        now = _iso(datetime.now(UTC))
        cursors = uow.cursors
        await cursors.advance(self.id, SINCE, now)
        await cursors.advance(self.id, CURSOR, now)

    # -- one order -------------------------------------------------------------------------

    async def pull(self, gids: list[str]) -> dict[str, str | None]:
        """Queue work: read each order and bring the hub in line."""
        result: dict[str, str | None] = {}
        for gid in gids:
            try:
                await self.pull_one(gid)
                result[gid] = None
            except (ConnectorError, DomainError) as error:
                result[gid] = f"{type(error).__name__}: {error}"
        return result

    async def pull_one(self, gid: str) -> str:
        """Read one order and bring the hub in line; says what was done."""
        node = (await self.client.execute(queries.ORDER, {"id": gid}))["order"]
        return GONE if node is None else await self.apply(node)

    async def apply(self, node: dict[str, Any]) -> str:
        """Bring the hub in line with one order as the store has it; says what was done."""
        order = order_from_graphql(node)
        async with self.uows() as uow:
            since = await uow.cursors.get(self.id, SINCE)
            bindings = uow.bindings
            binding = await bindings.by_external(self.id, ORDER, order.id)
            if binding is None:
                created_at = node.get("createdAt") or order.updated_at
                if since is not None and created_at < since:
                    return TOO_OLD
                outcome = await self._create(uow, order)
            else:
                outcome = await self._update(uow, order, int(binding.canonical_id))
                binding.last_version = order.updated_at
                await bindings.save(binding)
            await uow.commit()
        return outcome

    async def _create(self, uow: ConnectorUnitOfWork, order: OrderIn) -> str:
        holds = uow.holds
        products = await uow.products.get_many(line.sku for line in order.lines)
        reason = hold_reason(order, (sku for sku, p in products.items() if p.active), self.mappings.locations)
        if reason is not None:
            await holds.hold(self.id, ORDER, order.id, f"{order.name}: {reason}")
            return HELD
        command = sales_order_command(
            order,
            channel=self.id,
            customer=self.customer,
            locations=self.mappings.locations,
            default_currency=self.currency,
        )
        sales_order = await handlers.create_sales_order(command, uow, currency=self.currency, hold_when_short=True)
        assert sales_order.id is not None
        await uow.bindings.add(Binding(self.id, ORDER, str(sales_order.id), order.id, last_version=order.updated_at))
        await holds.release(self.id, ORDER, order.id)
        await self._update(uow, order, sales_order.id)
        return "created"

    async def _update(self, uow: ConnectorUnitOfWork, order: OrderIn, sales_order_id: int) -> str:
        sales_order = await uow.sales_orders.get(sales_order_id, lock=True)
        if sales_order is None:
            return MISSING
        done = []
        if order.cancelled and sales_order.status in OPEN_STATUSES:
            await handlers.cancel_sales_order(sales_order_id, uow)
            done.append("cancelled")
        bindings = uow.bindings
        for refund in order.refunds:
            if await bindings.by_external(self.id, REFUND, refund.id) is not None:
                continue
            lines = self._returnable(sales_order, refund.restocked)
            if lines:
                await handlers.return_sales_order(sales_order_id, NewReturn(lines=lines), uow)
                done.append(f"refund {refund.id} restocked")
            await bindings.add(Binding(self.id, REFUND, f"{sales_order_id}:{refund.id}", refund.id))
        reductions = self._reductions(sales_order, order)
        if reductions and sales_order.status in OPEN_STATUSES:
            await handlers.reduce_sales_order(sales_order_id, SalesOrderReduction(lines=reductions), uow)
            done.append("reduced")
        return ", ".join(done) or UNCHANGED

    @staticmethod
    def _reductions(sales_order: Any, order: OrderIn) -> list[LineReduction]:
        """Lines holding more than the store still has on the order, down to that (not below shipped).

        Worked out from the order as it stands, not from what changed, so reading the
        same order again reduces nothing more.
        """
        by_sku = {line.sku: line for line in sales_order.lines}
        lines = []
        for wanted in order.lines:
            line = by_sku.get(wanted.sku)
            if line is None:
                continue
            qty = max(wanted.to_keep, line.shipped)
            if qty < line.qty:
                lines.append(LineReduction(sku=wanted.sku, qty=qty))
        return lines

    @staticmethod
    def _returnable(sales_order: Any, restocked: list[tuple[str, Decimal]]) -> list[ReturnLineIn]:
        """Restocked refund lines, capped at what was shipped and not yet returned."""
        by_sku = {line.sku: line for line in sales_order.lines}
        lines = []
        for sku, qty in restocked:
            line = by_sku.get(sku)
            if line is None:
                continue
            qty = min(qty, line.shipped - line.returned)
            if qty > 0:
                lines.append(ReturnLineIn(sku=sku, qty=qty, restock=True))
        return lines

    # -- the poll ----------------------------------------------------------------------------

    async def changed_since(self, cursor: str | None, created_since: str | None = None) -> list[dict[str, Any]]:
        # Orders placed before the connector was added are left out of the search: they
        # would never be bound, so the poll would plan them again every time they changed.
        terms = [f"updated_at:>='{cursor}'"] if cursor else []
        if created_since:
            terms.append(f"created_at:>='{created_since}'")
        query = " AND ".join(terms) or None

        async def fetch(token: str | None) -> Page[dict[str, Any]]:
            connection = (await self.client.execute(queries.ORDERS, {"first": PAGE, "after": token, "query": query}))[
                "orders"
            ]
            info = connection["pageInfo"]
            return Page(connection["nodes"], info["endCursor"] if info["hasNextPage"] else None)

        return [node async for node in paginate(fetch)]


class OrdersReconciler:
    """The poll: orders changed since the cursor, and every order on hold, brought in."""

    entity = "orders"

    def __init__(self, orders: OrdersIn) -> None:
        self.orders = orders

    async def plan(self, progress: Progress) -> Plan:
        async with self.orders.uows.reader() as uow:
            cursor = await uow.cursors.get(self.orders.id, CURSOR)
            since = await uow.cursors.get(self.orders.id, SINCE)
            held = await uow.holds.active(self.orders.id)
            bound = {b.external_id: b for b in await uow.bindings.all(self.orders.id, ORDER)}
        progress("reading orders", 0, None)
        plan = Plan(self.entity)
        seen: set[str] = set()
        for node in await self.orders.changed_since(cursor, since):
            seen.add(node["id"])
            binding = bound.get(node["id"])
            if binding is not None and binding.last_version == node["updatedAt"]:
                plan.items.append(PlanItem(node["id"], Action.UNCHANGED, node["updatedAt"], binding.last_version))
            else:
                action = Action.CREATE if binding is None else Action.UPDATE
                plan.items.append(PlanItem(node["id"], action, node["updatedAt"], binding and binding.last_version))
        for hold in held:
            if hold.entity == ORDER and hold.external_id not in seen:
                plan.items.append(PlanItem(hold.external_id, Action.CREATE, reason=f"on hold: {hold.reason}"))
        return plan

    async def apply(self, items: list[PlanItem], progress: Progress) -> ApplyResult:
        result = ApplyResult()
        advance_to: str | None = None
        blocked = False
        # Oldest change first, so the cursor can follow the orders that went through.
        for done, item in enumerate(sorted(items, key=lambda i: str(i.desired or ""))):
            try:
                outcome = await self.orders.pull_one(item.key)
            except (ConnectorError, DomainError) as error:
                result.errors.append({"key": item.key, "error": f"{type(error).__name__}: {error}"})
                blocked = True  # never past an order that failed: the next poll reads it again
            else:
                if outcome not in UNWRITTEN:  # still on hold, or nothing to do: nothing written
                    result.writes += 1
                if not blocked and isinstance(item.desired, str):
                    advance_to = item.desired
            progress("bringing orders in", done + 1, len(items))
        if advance_to is not None:
            async with self.orders.uows() as uow:
                await uow.cursors.advance(self.orders.id, CURSOR, advance_to)
                await uow.commit()
        return result
