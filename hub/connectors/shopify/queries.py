"""Every GraphQL document the Shopify connector sends (Admin API; validated in tests
against the vendor's 2025-01 schema in shared/specs/shopify).

Keep them here, named, so the test that validates them all can find them all. Page
sizes keep each document's requested cost well under Shopify's 1,000-point limit for
a single query: nested connections multiply (``first`` × the cost of each node).
"""

from __future__ import annotations

__all__ = ["DOCUMENTS"]

SHOP = """
query Shop {
  shop { id name myshopifyDomain currencyCode }
}
"""

LOCATIONS = """
query Locations($first: Int!, $after: String) {
  locations(first: $first, after: $after, includeInactive: false) {
    nodes { id name isActive }
    pageInfo { hasNextPage endCursor }
  }
}
"""

#: Variants with their inventory item and its level at every location.
VARIANTS = """
query Variants($first: Int!, $after: String, $query: String, $levels: Int!) {
  productVariants(first: $first, after: $after, query: $query) {
    nodes {
      id
      sku
      inventoryItem {
        id
        tracked
        inventoryLevels(first: $levels) {
          nodes {
            location { id }
            quantities(names: ["available"]) { name quantity }
          }
        }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_ORDER_FIELDS = """
    id
    legacyResourceId
    name
    createdAt
    updatedAt
    cancelledAt
    currencyCode
    email
    taxesIncluded
    totalShippingPriceSet { shopMoney { amount } }
    shippingLines(first: 5) {
      nodes {
        title
        originalPriceSet { shopMoney { amount } }
        discountedPriceSet { shopMoney { amount } }
      }
    }
    lineItems(first: 30) {
      nodes {
        id
        sku
        quantity
        currentQuantity
        originalUnitPriceSet { shopMoney { amount currencyCode } }
        discountAllocations {
          allocatedAmountSet { shopMoney { amount } }
          discountApplication {
            index
            targetSelection
            targetType
            ... on DiscountCodeApplication { code }
            ... on ManualDiscountApplication { title }
            ... on AutomaticDiscountApplication { title }
            ... on ScriptDiscountApplication { title }
          }
        }
      }
    }
    fulfillmentOrders(first: 3) {
      nodes {
        id
        status
        assignedLocation { location { id } }
        lineItems(first: 30) {
          nodes { id remainingQuantity totalQuantity lineItem { id sku } }
        }
      }
    }
    fulfillments(first: 10) {
      id
      trackingInfo(first: 1) { number }
    }
    refunds(first: 3) {
      id
      createdAt
      refundLineItems(first: 30) {
        nodes { quantity restockType location { id } lineItem { id sku } }
      }
    }
"""

#: Which orders changed: ids only, so polling stays cheap; each is then read with ORDER.
ORDERS = """
query Orders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    nodes { id updatedAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""

ORDER = f"""
query Order($id: ID!) {{
  order(id: $id) {{ {_ORDER_FIELDS} }}
}}
"""

INVENTORY_SET = """
mutation InventorySet($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) {
    inventoryAdjustmentGroup { id }
    userErrors { code field message }
  }
}
"""

FULFILLMENT_CREATE = """
mutation FulfillmentCreate($fulfillment: FulfillmentInput!) {
  fulfillmentCreate(fulfillment: $fulfillment) {
    fulfillment { id status trackingInfo { number company url } }
    userErrors { field message }
  }
}
"""

#: Every document, by operation name.
DOCUMENTS: dict[str, str] = {
    "Shop": SHOP,
    "Locations": LOCATIONS,
    "Variants": VARIANTS,
    "Orders": ORDERS,
    "Order": ORDER,
    "InventorySet": INVENTORY_SET,
    "FulfillmentCreate": FULFILLMENT_CREATE,
}
