"""Shipping and discounts of a Shopify order (as the ORDER document returns it): order-level ones become
charges, line-level ones the discount of their hub line."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hub.mappings.shopify import order_from_graphql, sales_order_command
from hub.mappings.shopify_charges import ChargeSpec, order_charges


def _money(amount: str) -> dict[str, Any]:
    return {"shopMoney": {"amount": amount, "currencyCode": "USD"}}


def _allocation(amount: str, index: int, selection: str, **name: str) -> dict[str, Any]:
    application = {"index": index, "targetSelection": selection, "targetType": "LINE_ITEM", **name}
    return {"allocatedAmountSet": _money(amount), "discountApplication": application}


ORDER: dict[str, Any] = {
    "id": "gid://shopify/Order/1",
    "name": "#1001",
    "updatedAt": "2026-12-07T10:00:00Z",
    "currencyCode": "USD",
    "taxesIncluded": False,
    "totalShippingPriceSet": _money("12.00"),
    "shippingLines": {
        "nodes": [
            # A shipping discount of 2.00 is already off the discounted price.
            {"title": "Express", "originalPriceSet": _money("12.00"), "discountedPriceSet": _money("10.00")},
            {"title": "Free", "originalPriceSet": _money("0.00"), "discountedPriceSet": _money("0.00")},
        ]
    },
    "lineItems": {
        "nodes": [
            {
                "id": "gid://shopify/LineItem/1",
                "sku": "TEA",
                "quantity": 2,
                "currentQuantity": 2,
                "originalUnitPriceSet": _money("10.00"),
                "discountAllocations": [
                    _allocation("3.00", 0, "ALL", code="WELCOME"),
                    _allocation("1.50", 1, "ENTITLED", title="Tea week"),  # line-level: not a charge
                ],
            },
            {
                "id": "gid://shopify/LineItem/2",
                "sku": "CUP",
                "quantity": 1,
                "currentQuantity": 1,
                "originalUnitPriceSet": _money("5.00"),
                "discountAllocations": [_allocation("0.75", 0, "ALL", code="WELCOME")],
            },
            {
                "id": "gid://shopify/LineItem/3",
                "sku": None,  # a custom item: not carried, nor its share of the discount
                "quantity": 1,
                "currentQuantity": 1,
                "originalUnitPriceSet": _money("5.00"),
                "discountAllocations": [_allocation("0.75", 0, "ALL", code="WELCOME")],
            },
        ]
    },
    "fulfillmentOrders": {"nodes": [{"status": "OPEN", "assignedLocation": {"location": {"id": "L1"}}}]},
    "refunds": [],
}


def test_shipping_lines_after_their_discounts_and_order_level_discounts_become_charges() -> None:
    assert order_charges(ORDER) == (
        ChargeSpec("shipping", "Express", Decimal("10.00")),
        ChargeSpec("discount", "WELCOME", Decimal("3.75")),
    )


def test_without_shipping_lines_the_total_shipping_is_one_charge() -> None:
    node = {k: v for k, v in ORDER.items() if k != "shippingLines"} | {"lineItems": {"nodes": []}}
    assert order_charges(node) == (ChargeSpec("shipping", "Shipping", Decimal("12.00")),)
    assert order_charges({"id": "x"}) == ()


def test_the_sales_order_carries_the_charges_and_says_whether_prices_include_tax() -> None:
    for included in (False, True):
        order = order_from_graphql(ORDER | {"taxesIncluded": included})
        cmd = sales_order_command(order, channel="shop", customer="SHOP", locations={"L1": "SH"})
        assert cmd.prices_include_tax is included
        assert [(c.kind, c.description, c.amount) for c in cmd.charges] == [
            ("shipping", "Express", Decimal("10.00")),
            ("discount", "WELCOME", Decimal("3.75")),
        ]


def test_titles_become_names_the_hub_takes() -> None:
    node = {"shippingLines": {"nodes": [{"title": "  Express\n(2 days) ", "discountedPriceSet": _money("4.00")}]}}
    node["lineItems"] = {"nodes": [{"sku": "TEA", "discountAllocations": [_allocation("1.00", 0, "ALL", title=" ")]}]}
    assert order_charges(node) == (
        ChargeSpec("shipping", "Express (2 days)", Decimal("4.00")),
        ChargeSpec("discount", "Order discount", Decimal("1.00")),
    )


def test_line_level_discounts_become_the_discount_of_their_hub_line() -> None:
    node = ORDER | {"lineItems": {"nodes": [dict(item) for item in ORDER["lineItems"]["nodes"]]}}
    # The same SKU on a second line item (e.g. other properties), with a discount staff gave it.
    node["lineItems"]["nodes"].append(
        {
            "id": "gid://shopify/LineItem/4",
            "sku": "TEA",
            "quantity": 1,
            "currentQuantity": 1,
            "originalUnitPriceSet": _money("10.00"),
            "discountAllocations": [_allocation("0.40", 2, "EXPLICIT", title="Dented tin")],
        }
    )
    order = order_from_graphql(node)
    cmd = sales_order_command(order, channel="shop", customer="SHOP", locations={"L1": "SH"})
    assert [(line.sku, line.qty, line.unit_price, line.discount) for line in cmd.lines] == [
        ("TEA", 3, Decimal("10.00"), Decimal("1.90")),
        ("CUP", 1, Decimal("5.00"), Decimal("0")),
    ]
    # The order-level discount stays one charge, and the line-level ones are none.
    assert [(c.kind, c.description, c.amount) for c in cmd.charges][1:] == [("discount", "WELCOME", Decimal("3.75"))]
