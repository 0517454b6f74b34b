"""Shipments out: a hub shipment of a Shopify order becomes a fulfillment.

``fulfillmentCreate`` on the order's fulfillment orders, for the shipment's quantities
(partial shipments take part of the open lines), with tracking number, company and URL.
The binding (shipment → fulfillment) makes it once only; a shipment whose tracking
number the order already carries (a write whose answer was lost) is bound, not sent again.
"""

from __future__ import annotations

import logging
from typing import Any

from hub.connectors.sdk.errors import ConnectorError, FatalAPIError
from hub.connectors.sdk.ports import ConnectorUnitOfWorks
from hub.connectors.sdk.state import Binding
from hub.connectors.shopify import queries
from hub.connectors.shopify.client import ShopifyClient
from hub.mappings.shopify import NotFulfillable, fulfillment_input

__all__ = ["FulfillmentsOut", "tracking_url"]

log = logging.getLogger("hub.shopify")

FULFILLMENT, ORDER = "fulfillment", "order"

_TRACKING_URLS = {
    "ups": "https://www.ups.com/track?tracknum={}",
    "fedex": "https://www.fedex.com/fedextrack/?trknbr={}",
    "dhl": "https://www.dhl.com/en/express/tracking.html?AWB={}",
    "usps": "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    "sf express": "https://www.sf-express.com/us/en/dynamic_function/waybill/#search/bill-number/{}",
}


def tracking_url(carrier: str | None, number: str | None) -> str | None:
    """A tracking link for well-known carriers (Shopify shows it to the customer)."""
    if not carrier or not number:
        return None
    template = _TRACKING_URLS.get(carrier.strip().lower())
    return template.format(number) if template else None


class FulfillmentsOut:
    def __init__(self, connector_id: str, client: ShopifyClient, uows: ConnectorUnitOfWorks) -> None:
        self.id, self.client, self.uows = connector_id, client, uows

    async def push(self, shipment_ids: list[str]) -> dict[str, str | None]:
        result: dict[str, str | None] = {}
        for shipment_id in shipment_ids:
            try:
                await self._one(shipment_id)
                result[shipment_id] = None
            except (ConnectorError, NotFulfillable) as error:
                result[shipment_id] = f"{type(error).__name__}: {error}"
        return result

    async def _one(self, shipment_id: str) -> None:
        async with self.uows.reader() as uow:
            bindings = uow.bindings
            if await bindings.by_canonical(self.id, FULFILLMENT, shipment_id) is not None:
                return
            shipment = await uow.shipments.get(int(shipment_id))
            if shipment is None:
                return
            order = await bindings.by_canonical(self.id, ORDER, str(shipment.order_id))
            lines = [(line.sku, line.qty) for line in shipment.lines]
            carrier, number = shipment.carrier, shipment.tracking
        if order is None:
            log.warning("%s: shipment %s is of an order this store did not send; skipped", self.id, shipment_id)
            return
        node = (await self.client.execute(queries.ORDER, {"id": order.external_id}))["order"]
        if node is None:
            raise FatalAPIError(f"order {order.external_id} no longer exists in the store")
        existing = _fulfillment_with_tracking(node, number)
        if existing is None:
            body = fulfillment_input(
                lines,
                node["fulfillmentOrders"]["nodes"],
                number=number,
                company=carrier,
                url=tracking_url(carrier, number),
            )
            data = (await self.client.execute(queries.FULFILLMENT_CREATE, {"fulfillment": body}))["fulfillmentCreate"]
            if data["userErrors"]:
                raise FatalAPIError(
                    "Shopify refused the fulfillment: " + "; ".join(e["message"] for e in data["userErrors"])
                )
            existing = data["fulfillment"]["id"]
        async with self.uows() as uow:
            await uow.bindings.add(Binding(self.id, FULFILLMENT, shipment_id, existing))
            await uow.commit()


def _fulfillment_with_tracking(order: dict[str, Any], number: str | None) -> str | None:
    if not number:
        return None
    for fulfillment in order.get("fulfillments") or []:
        if any(info.get("number") == number for info in fulfillment.get("trackingInfo") or []):
            return str(fulfillment["id"])
    return None
