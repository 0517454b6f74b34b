"""Calculated query cost and the leaky bucket, after Shopify's published rules.

Cost of a field, by what it returns (shopify.dev, "GraphQL Admin API rate limits"):
scalar or enum 0; object 1; interface or union the dearest of its possible selections;
a connection is sized by ``first``/``last``: 2 for the connection itself plus that many
times the cost of one node (the node 1, plus its selection); a top-level mutation field
10 (its payload's own selection added). A plain list of objects is sized by ``first``,
or by the list argument it is built from (``nodes(ids:)``, ``quantities(names:)``),
else taken as one. ``pageInfo``, edges' ``cursor`` and introspection are free.

The *requested* cost is computed from the document before running it; the *actual*
cost walks the same document over the returned data, counting the nodes that came back,
and never exceeds the requested one. The bucket charges the requested cost up front and
refunds the difference afterwards, as Shopify does.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLCompositeType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
    parse,
)
from graphql.execution import VariableValues, get_argument_values, get_variable_values

__all__ = ["MUTATION_COST", "QueryCost", "requested_cost"]

MUTATION_COST = 10
_Missing = object()  # requested mode: no data to walk


class QueryCost:
    """Cost of one operation of a validated document, with its coerced variables."""

    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: VariableValues
    ) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def requested(self, operation: OperationDefinitionNode) -> int:
        return self._operation(operation, _Missing)

    def actual(self, operation: OperationDefinitionNode, data: Any) -> int:
        """From what came back; the caller caps it at the requested cost."""
        return self._operation(operation, data) if data is not None else 0

    def _operation(self, operation: OperationDefinitionNode, data: Any) -> int:
        root = self.schema.get_root_type(operation.operation)
        assert root is not None
        mutation = operation.operation == OperationType.MUTATION
        total = 0
        for key, node in self._fields(root, operation.selection_set):
            value = _get(data, key)
            cost = self._field(root, node, value)
            # a mutation field costs 10 instead of the 1 its payload object would
            total += (cost - (1 if value is not None else 0) + MUTATION_COST) if mutation else cost
        return total

    # -- walking -------------------------------------------------------------------------

    def _fields(
        self, parent: GraphQLCompositeType, selections: SelectionSetNode | None, only: str | None = None
    ) -> list[tuple[str, FieldNode]]:
        """(response key, field) pairs applying to ``parent`` (to concrete type ``only`` if given)."""
        found: list[tuple[str, FieldNode]] = []
        for selection in selections.selections if selections else ():
            condition: str | None
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    found.append(((selection.alias or selection.name).value, selection))
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is None:
                    continue
                condition, inner = fragment.type_condition.name.value, fragment.selection_set
            else:
                assert isinstance(selection, InlineFragmentNode)
                condition = selection.type_condition.name.value if selection.type_condition else None
                inner = selection.selection_set
            if condition is None or self._applies(condition, only or parent.name):
                found.extend(self._fields(parent, inner, only))
        return found

    def _applies(self, condition: str, type_name: str) -> bool:
        if condition == type_name:
            return True
        target, cond = self.schema.get_type(type_name), self.schema.get_type(condition)
        if isinstance(target, GraphQLObjectType) and isinstance(cond, (GraphQLInterfaceType, GraphQLUnionType)):
            return self.schema.is_sub_type(cond, target)
        return False

    def _selection(self, parent: GraphQLCompositeType, selections: SelectionSetNode | None, data: Any) -> int:
        """Cost of a selection on one object (its children; the object's own 1 is the caller's)."""
        if isinstance(parent, (GraphQLInterfaceType, GraphQLUnionType)):
            # the dearest of the concrete types the selection names; absent fields cost 0
            candidates = [t for t in self.schema.get_possible_types(parent) if t.name in self._conditions(selections)]
            if candidates:
                return max(self._sum(t, self._fields(parent, selections, only=t.name), data) for t in candidates)
        return self._sum(parent, self._fields(parent, selections), data)

    def _conditions(self, selections: SelectionSetNode | None) -> set[str]:
        names: set[str] = set()
        for selection in selections.selections if selections else ():
            if isinstance(selection, InlineFragmentNode):
                if selection.type_condition:
                    names.add(selection.type_condition.name.value)
                names |= self._conditions(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in self.fragments:
                fragment = self.fragments[selection.name.value]
                names.add(fragment.type_condition.name.value)
                names |= self._conditions(fragment.selection_set)
        return names

    def _sum(self, parent: GraphQLCompositeType, fields: list[tuple[str, FieldNode]], data: Any) -> int:
        total = 0
        for key, node in fields:
            owner = parent if not isinstance(parent, GraphQLUnionType) else None
            if owner is None or node.name.value not in owner.fields:
                continue
            total += self._field(owner, node, _get(data, key))
        return total

    def _field(self, parent: GraphQLObjectType | GraphQLInterfaceType, node: FieldNode, value: Any) -> int:
        definition: GraphQLField = parent.fields[node.name.value]
        named = get_named_type(definition.type)
        if is_leaf_type(named) or value is None:
            return 0
        assert isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))
        args = get_argument_values(definition, node, self.variables)
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType) and "nodes" in named.fields:
            return 2 + self._connection(named, node, args, value)
        if isinstance(get_nullable_type(definition.type), GraphQLList):
            if value is _Missing:
                return _list_size(args) * (1 + self._selection(named, node.selection_set, _Missing))
            return sum(1 + self._selection(named, node.selection_set, v) for v in value if v is not None)
        return 1 + self._selection(named, node.selection_set, value)

    def _connection(self, connection: GraphQLObjectType, node: FieldNode, args: dict[str, Any], value: Any) -> int:
        item_type = get_named_type(connection.fields["nodes"].type)
        assert isinstance(item_type, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType))
        per_shape: list[int] = []
        for key, child in self._fields(connection, node.selection_set):
            if child.name.value == "nodes":
                items = _Missing if value is _Missing else _get(value, key) or []
                per_shape.append(self._items(item_type, child.selection_set, items, args))
            elif child.name.value == "edges":
                edges = _Missing if value is _Missing else _get(value, key) or []
                edge_type = get_named_type(connection.fields["edges"].type)
                assert isinstance(edge_type, GraphQLObjectType)
                for node_key, inner in self._fields(edge_type, child.selection_set):
                    if inner.name.value == "node":
                        items = _Missing if edges is _Missing else [_get(e, node_key) for e in edges]
                        per_shape.append(self._items(item_type, inner.selection_set, items, args))
        return max(per_shape, default=0)

    def _items(
        self, item_type: GraphQLCompositeType, selections: SelectionSetNode | None, items: Any, args: dict[str, Any]
    ) -> int:
        if items is _Missing:
            size = args.get("first") or args.get("last") or 0
            return int(size) * (1 + self._selection(item_type, selections, _Missing))
        return sum(1 + self._selection(item_type, selections, item) for item in items if item is not None)


def _list_size(args: Mapping[str, Any]) -> int:
    if args.get("first") is not None:
        return int(args["first"])
    sized = [len(v) for v in args.values() if isinstance(v, list)]
    return max(sized, default=1)


def _get(data: Any, key: str) -> Any:
    if data is _Missing:
        return _Missing
    return data.get(key) if isinstance(data, Mapping) else None


@lru_cache(maxsize=256)
def _parsed(document: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    parsed = parse(document)
    operation = get_operation_ast(parsed)
    if operation is None:
        raise ValueError("a document with exactly one operation is needed")
    fragments = {d.name.value: d for d in parsed.definitions if isinstance(d, FragmentDefinitionNode)}
    return operation, fragments


def requested_cost(document: str, variables: Mapping[str, Any], schema: GraphQLSchema | None = None) -> int:
    """What Shopify will charge up front for ``document`` with these ``variables``."""
    from hub.connectors.shopify.schema import admin_schema

    schema = schema or admin_schema()
    operation, fragments = _parsed(document)
    coerced = get_variable_values(schema, operation.variable_definitions or (), dict(variables))
    if isinstance(coerced, list):
        raise ValueError("; ".join(error.message for error in coerced))
    return QueryCost(schema, fragments, coerced).requested(operation)
