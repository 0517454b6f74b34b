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
from decimal import Decimal
from typing import Any

from hub.connectors.sdk.pagination import Page
from hub.connectors.sdk.ports import ConnectorUnitOfWork, ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.connectors.sdk.streams import MISSING, UNCHANGED, IncrementalStream
from hub.connectors.shopify import queries
from hub.connectors.shopify.client import ShopifyClient
from hub.connectors.shopify.config import ShopifyMappings
from hub.core import handlers
from hub.core.commands import LineReduction, NewReturn, ReturnLineIn, SalesOrderReduction
from hub.core.sales import OPEN_STATUSES
from hub.mappings.shopify import OrderIn, hold_reason, order_from_graphql, sales_order_command

__all__ = ["CURSOR", "SINCE", "OrdersIn"]

log = logging.getLogger("hub.shopify")

ORDER, REFUND = "order", "refund"
#: Cursor streams: how far the poll has read (``updatedAt``), and since when orders count.
CURSOR, SINCE = "orders.updated_at", "orders.since"
PAGE = 50


class OrdersIn(IncrementalStream[dict[str, Any]]):
    """Shopify orders as an incremental stream of Admin GraphQL ``Order`` nodes."""

    name, record = "orders", ORDER

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
        super().__init__(connector_id, uows)
        self.mappings, self.client = mappings, client
        self.customer, self.currency = customer, currency

    # -- reading the store ----------------------------------------------------------------------

    async def fetch(self, token: str | None, cursor: str | None, since: str | None) -> Page[dict[str, Any]]:
        # Orders placed before the connector was added are left out of the search: they
        # would never be bound, so the poll would plan them again every time they changed.
        terms = [f"updated_at:>='{cursor}'"] if cursor else []
        if since:
            terms.append(f"created_at:>='{since}'")
        variables = {"first": PAGE, "after": token, "query": " AND ".join(terms) or None}
        connection = (await self.client.execute(queries.ORDERS, variables))["orders"]
        info = connection["pageInfo"]
        return Page(connection["nodes"], info["endCursor"] if info["hasNextPage"] else None)

    async def read(self, key: str) -> dict[str, Any] | None:
        node: dict[str, Any] | None = (await self.client.execute(queries.ORDER, {"id": key}))["order"]
        return node

    def key(self, record: dict[str, Any]) -> str:
        return str(record["id"])

    def version(self, record: dict[str, Any]) -> str:
        return str(record["updatedAt"])

    def created(self, record: dict[str, Any]) -> str:
        return str(record.get("createdAt") or record["updatedAt"])

    def label(self, record: dict[str, Any]) -> str:
        return str(record.get("name") or record["id"])

    # -- bringing the hub in line ---------------------------------------------------------------

    async def unmappable(self, uow: ConnectorUnitOfWork, record: dict[str, Any]) -> str | None:
        order = order_from_graphql(record)
        products = await uow.products.get_many(line.sku for line in order.lines)
        return hold_reason(order, (sku for sku, p in products.items() if p.active), self.mappings.locations)

    async def create(self, uow: ConnectorUnitOfWork, record: dict[str, Any]) -> str:
        order = order_from_graphql(record)
        command = sales_order_command(
            order,
            channel=self.id,
            customer=self.customer,
            locations=self.mappings.locations,
            default_currency=self.currency,
        )
        sales_order = await handlers.create_sales_order(command, uow, currency=self.currency, hold_when_short=True)
        assert sales_order.id is not None
        # Cancelled or refunded before it first came in: the same as afterwards.
        await self._bring_in_line(uow, order, sales_order.id)
        return str(sales_order.id)

    async def update(self, uow: ConnectorUnitOfWork, record: dict[str, Any], canonical_id: str) -> str:
        return await self._bring_in_line(uow, order_from_graphql(record), int(canonical_id))

    async def _bring_in_line(self, uow: ConnectorUnitOfWork, order: OrderIn, sales_order_id: int) -> str:
        sales_order = await uow.sales_orders.get(sales_order_id, lock=True)
        if sales_order is None:
            return MISSING
        done = []
        if order.cancelled and sales_order.status in OPEN_STATUSES:
            await handlers.cancel_sales_order(sales_order_id, uow)
            done.append("cancelled")
        for refund in order.refunds:
            if await uow.bindings.by_external(self.id, REFUND, refund.id) is not None:
                continue
            lines = self._returnable(sales_order, refund.restocked)
            if lines:
                await handlers.return_sales_order(sales_order_id, NewReturn(lines=lines), uow)
                done.append(f"refund {refund.id} restocked")
            await uow.bindings.add(Binding(self.id, REFUND, f"{sales_order_id}:{refund.id}", refund.id))
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
