"""The round trip on the Kafka transport: stock out, an order in exactly once, its shipments out.

Hub events reach the connector through Kafka consumer groups here, so this runs the
representative scenarios of the other modules one after another on one hub (each start
of a Kafka-backed hub waits for its consumer group to form).
"""

from __future__ import annotations

import pytest

from tests.connectors.shopify.e2e.support import KAFKA, Stack
from tests.connectors.shopify.e2e.test_orders import an_order_arrives_once
from tests.connectors.shopify.e2e.test_shipments import shipments_become_fulfillments
from tests.connectors.shopify.e2e.test_stock import SHARE, the_store_follows_the_hub


@pytest.mark.parametrize("flavour", [KAFKA], indirect=True)
async def test_stock_out_orders_in_shipments_out(stack: Stack) -> None:
    await stack.add_connector(mappings=stack.mappings(**SHARE))
    await the_store_follows_the_hub(stack)
    await an_order_arrives_once(stack)
    await shipments_become_fulfillments(stack)
