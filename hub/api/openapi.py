"""The OpenAPI document: what FastAPI derives from the routes, plus what it cannot know.

FastAPI documents each operation's success response and a 422 ``HTTPValidationError``.
The hub answers more than that, always as ``application/problem+json``; this module adds,
per operation, every refusal it can give — derived from the route itself, the same rules
:mod:`hub.api.routing` enforces:

    needs a key                 401, 403                 (``bearerAuth``)
    takes a JSON body           400, 413, 415, 422
    any other POST/PATCH/DELETE 413 (a body past HUB_MAX_BODY_BYTES), 409 (state refuses it)
    parameters                  422
    a record in the path        404
    calls a vendor              502
    Idempotency-Key             documented on every POST and PATCH that keeps responses

It also declares the bearer scheme, links creates to the operations on what they
created (schemathesis follows them), and documents the webhook route's raw body.
``tests/api/test_openapi.py`` checks the document against the served responses.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from hub.api.auth import route_scope
from hub.api.problems import MEDIA_TYPE

__all__ = ["IDEMPOTENCY_KEY_PATTERN", "document", "install"]

#: What an ``Idempotency-Key`` may be: 1–255 visible ASCII characters or spaces.
IDEMPOTENCY_KEY_PATTERN = r"^[\x20-\x7e]{1,255}$"

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_TITLES = {
    304: "Not modified: the ETag sent in If-None-Match still holds",
    400: "Malformed JSON (not UTF-8, not JSON, NaN/Infinity, or nested too deep)",
    401: "No key, or a key that is unknown or revoked",
    403: "The key's scope does not allow this",
    404: "No such record",
    409: "The records' state refuses it (status, duplicate, insufficient stock, a limit)",
    413: "The body is over HUB_MAX_BODY_BYTES",
    415: "The body is not JSON",
    422: "A field or parameter is invalid; errors[] names each",
    502: "The vendor's API failed or could not be reached",
    503: "Not ready",
}
#: Operations that reach a vendor's API while the request waits.
_VENDOR_CALLS = frozenset({"add_connector", "update_connector", "reconcile", "webhook"})
#: create operation → (link name, target operation, {parameter: response expression}).
_LINKS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "create_product": [
        ("GetProduct", "get_product", {"sku": "$response.body#/sku"}),
        ("UpdateProduct", "update_product", {"sku": "$response.body#/sku"}),
        ("GetStock", "get_stock", {"sku": "$response.body#/sku"}),
    ],
    "create_warehouse": [("GetWarehouse", "get_warehouse", {"code": "$response.body#/code"})],
    "create_supplier": [("GetSupplier", "get_supplier", {"code": "$response.body#/code"})],
    "create_customer": [("GetCustomer", "get_customer", {"code": "$response.body#/code"})],
    "create_purchase_order": [
        (name, op, {"order_id": "$response.body#/id"})
        for name, op in [
            ("GetPurchaseOrder", "get_purchase_order"),
            ("ApprovePurchaseOrder", "approve_purchase_order"),
            ("ReceivePurchaseOrder", "receive_purchase_order"),
            ("CancelPurchaseOrder", "cancel_purchase_order"),
        ]
    ],
    "create_sales_order": [
        (name, op, {"order_id": "$response.body#/id"})
        for name, op in [
            ("GetSalesOrder", "get_sales_order"),
            ("ApproveSalesOrder", "approve_sales_order"),
            ("ShipSalesOrder", "ship_sales_order"),
            ("ReduceSalesOrder", "reduce_sales_order"),
            ("ReturnSalesOrder", "return_sales_order"),
            ("CancelSalesOrder", "cancel_sales_order"),
        ]
    ],
    "create_transfer": [
        ("GetTransfer", "get_transfer", {"transfer_id": "$response.body#/id"}),
        ("ReceiveTransfer", "receive_transfer", {"transfer_id": "$response.body#/id"}),
    ],
    "issue_invoice": [
        ("GetInvoice", "get_invoice", {"invoice_id": "$response.body#/id"}),
        ("VoidInvoice", "void_invoice", {"invoice_id": "$response.body#/id"}),
    ],
    "issue_credit_note": [("GetCreditNote", "get_credit_note", {"note_id": "$response.body#/id"})],
    "receive_payment": [
        ("GetPayment", "get_payment", {"payment_id": "$response.body#/id"}),
        ("AllocatePayment", "allocate_payment", {"payment_id": "$response.body#/id"}),
    ],
    "post_stock_count": [("GetStockCount", "get_stock_count", {"count_id": "$response.body#/id"})],
    "create_bill": [
        ("GetBill", "get_bill", {"bill_id": "$response.body#/id"}),
        ("ApproveBill", "approve_bill", {"bill_id": "$response.body#/id"}),
    ],
    "pay_supplier": [
        ("GetSupplierPayment", "get_supplier_payment", {"payment_id": "$response.body#/id"}),
        ("AllocateSupplierPayment", "allocate_supplier_payment", {"payment_id": "$response.body#/id"}),
    ],
    "record_expense": [("GetExpense", "get_expense", {"expense_id": "$response.body#/id"})],
    "issue_to_production": [("GetProductionIssue", "get_production_issue", {"issue_id": "$response.body#/id"})],
    "receive_from_production": [
        ("GetProductionReceipt", "get_production_receipt", {"receipt_id": "$response.body#/id"})
    ],
    "add_connector": [
        ("GetConnector", "get_connector", {"connector_id": "$response.body#/id"}),
        ("ListRuns", "list_runs", {"connector_id": "$response.body#/id"}),
        ("Reconcile", "reconcile", {"connector_id": "$response.body#/id"}),
    ],
}

_SCHEMAS: dict[str, Any] = {
    "Problem": {
        "type": "object",
        "description": "RFC 9457 problem details; `type` is `urn:jxc-hub:problem:<slug>`",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string", "pattern": "^urn:jxc-hub:problem:[a-z-]+$"},
            "title": {"type": "string"},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "instance": {"type": "string"},
            "errors": {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
            "shortages": {"type": "array", "items": {"$ref": "#/components/schemas/Shortage"}},
        },
    },
    "FieldError": {
        "type": "object",
        "required": ["field", "message"],
        "properties": {
            "field": {"type": "string", "description": "e.g. `lines[0].qty`, a parameter or a header"},
            "message": {"type": "string"},
        },
    },
    "Shortage": {
        "type": "object",
        "required": ["sku", "warehouse", "requested", "available"],
        "properties": {
            "line": {"type": ["integer", "null"]},
            "field": {"type": ["string", "null"]},
            "sku": {"type": "string"},
            "warehouse": {"type": "string"},
            "requested": {"type": "number"},
            "available": {"type": "number"},
        },
    },
}


def _responses(route: APIRoute, op: dict[str, Any], scope: str | None) -> dict[str, Any]:
    statuses: set[int] = set()
    writes = bool((route.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"})
    parameters = op.get("parameters", [])
    if scope is not None:
        statuses |= {401, 403}
    if route.name == "webhook":
        statuses.add(401)  # the vendor's signature stands for the key
    if route.body_field is not None:
        statuses |= {400, 413, 415, 422}
    if writes:
        statuses |= {409, 413}
    if parameters:
        statuses.add(422)
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if route.name in _VENDOR_CALLS:
        statuses.add(502)
    responses: dict[str, Any] = {code: response for code, response in op.get("responses", {}).items() if code != "422"}
    for status in sorted(statuses):
        responses[str(status)] = {
            "description": _TITLES[status],
            "content": {MEDIA_TYPE: {"schema": _PROBLEM_REF}},
        }
    return responses


def _idempotency_key() -> dict[str, Any]:
    return {
        "name": "Idempotency-Key",
        "in": "header",
        "required": False,
        "description": "Repeat the request safely: the same key and body answer the first response again "
        "(`Idempotent-Replayed: true`) with no second effect; the same key with another body is 422.",
        "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
    }


def _webhook(op: dict[str, Any]) -> None:
    op["requestBody"] = {
        "required": True,
        "description": "The vendor's payload, verified against its signature over the raw bytes "
        "(Shopify: `X-Shopify-Hmac-SHA256`, base64 HMAC-SHA256 with the instance's webhook secret).",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
    op.setdefault("parameters", []).extend(
        {"name": name, "in": "header", "required": False, "description": what, "schema": {"type": "string"}}
        for name, what in [
            ("X-Shopify-Hmac-SHA256", "Shopify: the payload's signature"),
            ("X-Shopify-Topic", "Shopify: e.g. orders/create"),
            ("X-Shopify-Webhook-Id", "Shopify: the delivery's id; a repeat is taken once"),
            ("X-Shopify-Shop-Domain", "Shopify: the store"),
        ]
    )
    op["responses"]["401"]["description"] = "The signature is missing or wrong; nothing is written"


def document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` (built once, then cached on the app)."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    routes = {route.name: route for route in app.state.api_routes if isinstance(route, APIRoute)}
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas.update(_SCHEMAS)
    components["securitySchemes"] = {
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "an API key from `hub keys create`"}
    }
    doc["security"] = [{"bearerAuth": []}]
    for item in doc["paths"].values():
        for method, op in item.items():
            route = routes[op["operationId"]]
            scope = route_scope(route.dependant)
            if scope is None:
                op["security"] = []
            else:
                op["description"] = (op.get("description", "") + f"\n\nScope: `{scope}`.").strip()
            if method in ("post", "patch") and scope in ("write", "admin"):
                op.setdefault("parameters", []).append(_idempotency_key())
            op["responses"] = _responses(route, op, scope)
            if route.name == "webhook":
                _webhook(op)
            links = _LINKS.get(route.name)
            if links:
                success = next(code for code in op["responses"] if code.startswith("2"))
                op["responses"][success]["links"] = {
                    name: {"operationId": target, "parameters": params} for name, target, params in links
                }
    app.openapi_schema = doc
    return doc


def install(app: FastAPI) -> None:
    """Serve :func:`document` at ``/openapi.json`` (and behind ``/docs``)."""
    app.openapi = lambda: document(app)  # type: ignore[method-assign]
