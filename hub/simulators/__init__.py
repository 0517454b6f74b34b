"""Simulators of the vendors the connectors talk to: test equipment, not the runtime.

Each enforces its vendor's contract (``../shared/specs``, the vendor's documentation):
a request the real service would refuse, the simulator refuses. Tests, ``hub demo``
and the benchmarks use them; no module of the hub's runtime (``hub.connectors``,
``hub.core``, ``hub.api``, ``hub.db``, ``hub.outbox``) imports them, so a production
image may leave this package out (``tests/connectors/test_connector_imports.py``).
"""
