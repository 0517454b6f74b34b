"""One Admin GraphQL request, start to finish, as Shopify answers it.

parse → validate against the vendor schema (errors carry graphql-ruby's codes, HTTP 200)
→ coerce variables → price the operation → ``MAX_COST_EXCEEDED`` / ``THROTTLED`` or
charge the bucket → execute over the store → refund to the actual cost → respond with
``extensions.cost`` (and ``extensions.search`` warnings, like Shopify's).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationType,
    execute_sync,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution import get_variable_values

from hub.connectors.shopify.cost import QueryCost
from hub.connectors.shopify.schema import admin_schema
from hub.simulators.shopify import mutations, nodes  # noqa: F401  # register their resolvers
from hub.simulators.shopify.resolvers import RequestContext, field_resolver, type_resolver
from hub.simulators.shopify.store import ShopifyStore
from hub.simulators.shopify.throttle import LeakyBucket

__all__ = ["run_graphql"]

DOCUMENTATION = "https://shopify.dev/api/usage/rate-limits"

#: graphql-core's validation rules → the codes graphql-ruby (Shopify) reports for them
_RULE_CODES = {
    "FieldsOnCorrectTypeRule": "undefinedField",
    "KnownArgumentNamesRule": "argumentNotAccepted",
    "ProvidedRequiredArgumentsRule": "missingRequiredArguments",
    "KnownTypeNamesRule": "undefinedType",
    "ScalarLeafsRule": "selectionMismatch",
    "ValuesOfCorrectTypeRule": "argumentLiteralsIncompatible",
    "VariablesInAllowedPositionRule": "variableMismatch",
    "NoUndefinedVariablesRule": "variableNotDefined",
    "NoUnusedVariablesRule": "variableNotUsed",
    "KnownDirectivesRule": "undefinedDirective",
    "KnownFragmentNamesRule": "undefinedFragment",
    "NoUnusedFragmentsRule": "useAndDefineFragment",
    "UniqueArgumentNamesRule": "argumentNotUnique",
    "OverlappingFieldsCanBeMergedRule": "fieldConflict",
}


@lru_cache(maxsize=512)
def _checked(query: str) -> tuple[DocumentNode | None, tuple[dict[str, Any], ...]]:
    """Parse and validate once per distinct document: connectors send the same few."""
    schema = admin_schema()
    try:
        document = parse(query)
    except GraphQLError as error:
        return None, (_format(error, "parseError"),)
    if not validate(schema, document):
        return document, ()
    found: list[dict[str, Any]] = []
    for rule in specified_rules:  # once per rule, so each error gets its rule's code
        code = _RULE_CODES.get(rule.__name__, "GRAPHQL_VALIDATION_FAILED")
        found.extend(_format(error, code) for error in validate(schema, document, [rule]))
    return document, tuple(found)


def _format(error: GraphQLError, code: str | None = None) -> dict[str, Any]:
    formatted: dict[str, Any] = dict(error.formatted)
    if code is not None:
        formatted["extensions"] = {**formatted.get("extensions", {}), "code": code}
    return formatted


def _cost(bucket: LeakyBucket, requested: int, actual: int | None) -> dict[str, Any]:
    return {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": bucket.status()}


def _failure(
    bucket: LeakyBucket, errors: list[dict[str, Any]], requested: int = 0, actual: int | None = 0
) -> tuple[int, dict[str, Any]]:
    return 200, {"errors": errors, "extensions": {"cost": _cost(bucket, requested, actual)}}


def run_graphql(store: ShopifyStore, bucket: LeakyBucket, body: Any, api_version: str) -> tuple[int, dict[str, Any]]:
    """Answer one request body; returns (HTTP status, JSON body)."""
    counters = store.counters
    counters.requests += 1
    counters.api_versions[api_version] = counters.api_versions.get(api_version, 0) + 1
    if not isinstance(body, dict) or not isinstance(body.get("query"), str):
        return 400, {"errors": {"query": "Required parameter missing or invalid"}}
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        return 400, {"errors": {"variables": "Variables must be a JSON object"}}
    document, errors = _checked(body["query"])
    if document is None or errors:
        return _failure(bucket, list(errors))
    operation_name = body.get("operationName")
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        message = (
            f"No operation named {operation_name!r}"
            if operation_name
            else "An operation name is required when the document holds several operations"
        )
        return _failure(bucket, [{"message": message, "extensions": {"code": "OPERATION_NOT_FOUND"}}])
    schema = admin_schema()
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return _failure(bucket, [_format(error, "INVALID_VARIABLE") for error in coerced])
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    pricing = QueryCost(schema, fragments, coerced)
    requested = pricing.requested(operation)
    if requested > bucket.single_query_limit:
        counters.max_cost_exceeded += 1
        limit = int(bucket.single_query_limit)
        return _failure(
            bucket,
            [
                {
                    "message": f"Query cost is {requested}, which exceeds the single query max cost limit ({limit}).",
                    "extensions": {
                        "code": "MAX_COST_EXCEEDED",
                        "cost": requested,
                        "maxCost": limit,
                        "documentation": DOCUMENTATION,
                    },
                }
            ],
            requested,
            None,
        )
    if not bucket.try_take(requested):
        counters.throttled += 1
        return _failure(
            bucket,
            [{"message": "Throttled", "extensions": {"code": "THROTTLED", "documentation": DOCUMENTATION}}],
            requested,
            None,
        )
    context = RequestContext(store, api_version)
    result = execute_sync(
        schema,
        document,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        field_resolver=field_resolver,
        type_resolver=type_resolver,
    )
    actual = min(requested, pricing.actual(operation, result.data))
    if operation.operation == OperationType.MUTATION and result.data is None:
        actual = requested  # a mutation that blew up still ran
    bucket.give_back(requested - actual)
    counters.points_requested += requested
    counters.points_spent += actual
    response: dict[str, Any] = {"data": result.data}
    if result.errors:
        response["errors"] = [_format(error) for error in result.errors]
    response["extensions"] = {"cost": _cost(bucket, requested, actual)}
    if context.search:
        response["extensions"]["search"] = context.search
    return 200, response
