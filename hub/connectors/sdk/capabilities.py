"""What each declared capability obliges a connector to provide — checked by the kit on
the live connector, so a connector that says ``stock_out`` but pushes nothing fails.

- ``stock_out``: a channel allocation from its mappings, ``stock.level_changed`` among
  the events it listens to, ``stock`` work and a ``stock`` reconciliation;
- ``orders_in``, ``products_in``, ``stock_in``, ``payments_in``: a reconciliation (the
  poll that brings records in) or queued work to pull them;
- ``shipments_out``, ``invoices_out``: events it listens to, and queued work or a
  reconciliation that writes.
"""

from __future__ import annotations

from typing import Any

from hub.connectors.sdk.base import Capability, Connector

__all__ = ["missing_capabilities"]

_IN = {Capability.ORDERS_IN, Capability.PRODUCTS_IN, Capability.STOCK_IN, Capability.PAYMENTS_IN}
_OUT = {Capability.SHIPMENTS_OUT, Capability.INVOICES_OUT}


def missing_capabilities(connector: Connector[Any, Any]) -> list[str]:
    """What the connector declares but does not provide, one line each (empty: nothing)."""
    cls = type(connector)
    work, reconcilers = connector.work(), connector.reconcilers()
    missing: list[str] = []
    for capability in sorted(cls.capabilities):
        if capability is Capability.STOCK_OUT:
            if cls.allocation(connector.mappings) is None:
                missing.append("stock_out: allocation(mappings) is None (make the mappings a ChannelMappings)")
            if "stock.level_changed" not in cls.listens_to:
                missing.append("stock_out: listens_to lacks stock.level_changed, so no stock change is pushed")
            if "stock" not in work:
                missing.append("stock_out: no 'stock' work to push changed SKUs")
            if "stock" not in reconcilers:
                missing.append("stock_out: no 'stock' reconciliation to repair drift")
        elif capability in _IN:
            if not work and not reconcilers:
                missing.append(f"{capability}: neither a reconciliation nor queued work brings records in")
        elif capability in _OUT:
            if not cls.listens_to:
                missing.append(f"{capability}: listens to no hub event, so nothing is ever sent")
            if not work and not reconcilers:
                missing.append(f"{capability}: neither queued work nor a reconciliation writes")
    return missing
