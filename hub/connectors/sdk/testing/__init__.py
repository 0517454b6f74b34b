"""The conformance kit: the tests every connector passes, for the price of a few hooks.

A connector's test module subclasses :class:`ConnectorConformance` (name the subclass
``Test…`` so pytest collects it) and says how to reach a fake of the vendor::

    class TestAcmeConformance(ConnectorConformance):
        connector = AcmeConnector

        @pytest.fixture
        def vendor(self): ...                       # a simulator, a respx router …
        def vendor_transport(self, vendor): ...     # how HTTP reaches it
        def valid_config(self, vendor): ...
        …

Every test then runs against a real hub (a migrated SQLite database, the connector
service, the work queue, the reconciliation engine) with the connector's HTTP going
through a :class:`FaultyTransport` in front of the vendor, which injects failures
(429, 5xx, a refused request) and ends runaway loops. The checks:

    the type is registered under the ``hub.connectors`` entry point group
    config validates; a bad config is refused naming the field
    bad credentials: check() raises AuthenticationError, nothing is stored
    pagination ends; a page token that repeats is an error, not a loop
    records the streams read parse into the connector's models
    cursors never move backwards
    429, 5xx and the vendor's own throttling are retried and succeed; other 4xx are not
    5xx past the retry limit: the queued work item becomes a dead letter
    a second reconciliation makes no writes
    a webhook with a bad signature is refused

Hooks a connector does not need (no webhooks, no queued work, no reconcilers) skip the
tests that use them: the connector's own declarations decide, not the hooks.

    hooks.py        what a connector's test implements (ConformanceHooks)
    conformance.py  the checks (ConnectorConformance)
    harness.py      the hub they run on and the instance under test (Harness)
    faults.py       FaultyTransport, and FakeTime for unit tests of pacing

This package imports pytest: tests use it, the hub never imports it.
"""

from hub.connectors.sdk.testing.conformance import ConnectorConformance
from hub.connectors.sdk.testing.faults import FakeTime, FaultyTransport, RequestBudgetExceeded
from hub.connectors.sdk.testing.harness import Harness
from hub.connectors.sdk.testing.hooks import ConformanceHooks

__all__ = [
    "ConformanceHooks",
    "ConnectorConformance",
    "FakeTime",
    "FaultyTransport",
    "Harness",
    "RequestBudgetExceeded",
]
