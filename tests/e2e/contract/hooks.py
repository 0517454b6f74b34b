"""A schemathesis check of our own, loaded with ``SCHEMATHESIS_HOOKS=tests.e2e.contract.hooks``.

``positive_data_acceptance`` must allow 422 here: a schema-valid body can still name a SKU
that does not exist, reuse an ``Idempotency-Key`` with another body, or pass a cursor the
endpoint never gave out — refusals no schema can foresee. So that allowance cannot hide a
schema that promises more than the hub accepts, this check validates every schema-valid
body that got a 422 against the endpoint's own pydantic model: the model may refuse it only
for a rule across fields (``value_error``: ``reorder_max`` below ``reorder_point``, a receipt
line of zero) or a limit across lines (``InvalidInput``: a line's value, an order's total);
any other refusal means the published schema and the validation disagree.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import schemathesis
from pydantic import TypeAdapter, ValidationError

from hub.core.errors import DomainError

#: Refusals the document states in words (descriptions, README) but a JSON Schema cannot express.
CROSS_FIELD = frozenset({"value_error"})


@cache
def _bodies() -> dict[tuple[str, str], TypeAdapter[Any]]:
    from fastapi.routing import APIRoute

    from hub.api.app import create_app

    adapters: dict[tuple[str, str], TypeAdapter[Any]] = {}
    for route in create_app().state.api_routes:
        if isinstance(route, APIRoute) and route.body_field is not None:
            path = route.path.replace(":path}", "}")
            for method in route.methods:
                adapters[(method, path)] = TypeAdapter(route.body_field.field_info.annotation)
    return adapters


@schemathesis.check
def body_agrees_with_model(ctx: Any, response: Any, case: Any) -> bool | None:
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    adapter = _bodies().get((case.method.upper(), case.operation.path))
    if adapter is None or not isinstance(case.body, dict):
        return None
    try:
        adapter.validate_python(case.body)
    except ValidationError as error:
        surprises = [e for e in error.errors() if e["type"] not in CROSS_FIELD]
        if surprises:
            fields = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in surprises)
            raise AssertionError(f"the schema calls this body valid, the model refuses it: {fields}") from None
    except DomainError:
        pass  # a limit across lines (hub.core.commands.within_amount_limit)
    return None
