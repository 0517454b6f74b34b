"""The checks every connector passes (see the package docstring for the list)."""

from __future__ import annotations

import functools
import itertools
import json
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from pydantic import SecretStr

from hub.bootstrap import build
from hub.config import Settings
from hub.connectors.registry import connector_types
from hub.connectors.runtime import InstanceWorker
from hub.connectors.sdk.base import Connector, ConnectorConfig, ConnectorMappings
from hub.connectors.sdk.capabilities import missing_capabilities
from hub.connectors.sdk.errors import AuthenticationError, ConnectorError, FatalAPIError, WebhookRejected
from hub.connectors.sdk.testing.faults import FaultyTransport
from hub.connectors.sdk.testing.harness import Harness, quiet, succeeded
from hub.connectors.sdk.testing.hooks import ConformanceHooks
from hub.core.errors import InvalidInput
from hub.db.migrate import upgrade
from hub.db.work_queue import WorkQueue, enqueue
from hub.outbox.deadletters import list_letters

__all__ = ["ConnectorConformance"]


class ConnectorConformance(ConformanceHooks):
    """Subclass as ``Test<Name>Conformance``, set :attr:`connector`, implement the hooks
    (:class:`ConformanceHooks`); the tests below come with it."""

    # -- the hub the tests run ------------------------------------------------------------------

    @pytest.fixture(scope="class")
    @classmethod
    def hub_database_template(cls, tmp_path_factory: pytest.TempPathFactory) -> Path:
        path = tmp_path_factory.mktemp("conformance") / "hub.db"
        upgrade(f"sqlite+aiosqlite:///{path}")
        return path

    @pytest.fixture
    def hub_database_url(self, hub_database_template: Path, tmp_path: Path) -> str:
        """A migrated, empty database per test (override to use your own fixtures)."""
        path = tmp_path / "hub.db"
        shutil.copy(hub_database_template, path)
        return f"sqlite+aiosqlite:///{path}"

    @pytest_asyncio.fixture
    async def harness(self, hub_database_url: str, vendor: Any) -> AsyncIterator[Harness]:
        settings = Settings(  # type: ignore[call-arg]  # _env_file: pydantic-settings' own
            database_url=hub_database_url, migrate_on_start=False, secret_key=SecretStr("conformance"), _env_file=None
        )
        hub = build(settings)
        faults = FaultyTransport(self.vendor_transport(vendor))
        hub.connectors.env.transport = faults
        try:
            config, mappings = self.valid_config(vendor), self.valid_mappings(vendor)
            yield Harness(hub, vendor, faults, self.connector, self.instance_id, config, mappings)
        finally:
            await hub.close()

    @pytest_asyncio.fixture
    async def added(self, harness: Harness) -> Harness:
        """The harness with the hub seeded and the instance added."""
        await self.seed(harness.vendor, harness.uows)
        await harness.add()
        return harness

    # -- the checks -------------------------------------------------------------------------------

    def test_the_type_is_registered(self) -> None:
        cls = self.connector
        assert connector_types().get(cls.type_name) is cls, (
            f"{cls.__name__} is not registered as {cls.type_name!r} under the hub.connectors entry point group"
        )
        assert issubclass(cls.config_model, ConnectorConfig), "config_model must subclass ConnectorConfig"
        assert issubclass(cls.mappings_model, ConnectorMappings), "mappings_model must subclass ConnectorMappings"
        assert cls.capabilities, "declare the connector's capabilities"

    @pytest.mark.asyncio
    async def test_every_declared_capability_is_provided(self, added: Harness) -> None:
        async with added.live() as connector:
            missing = missing_capabilities(connector)
        assert not missing, "declared but not provided: " + "; ".join(missing)

    @pytest.mark.asyncio
    @pytest.mark.parametrize("status", [429, 503])
    async def test_the_reconciliations_retry_throttled_and_failing_requests(self, added: Harness, status: int) -> None:
        self.add_vendor_records(added.vendor)
        async with added.live() as connector:
            if not connector.reconcilers():
                pytest.skip("the connector has no reconciliations")
        added.faults.fail(status, times=2)
        sent = added.faults.requests
        reports = await added.reconcile()
        succeeded(reports)
        assert added.faults.failures_left == 0, f"the reconciliations sent fewer requests than the {status}s injected"
        assert added.faults.requests - sent > 2, "nothing was sent after the injected failures"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("status", [429, 503])
    async def test_queued_work_retries_throttled_and_failing_requests(self, added: Harness, status: int) -> None:
        async with added.live() as connector:
            work = connector.work()
        if not work:
            pytest.skip("the connector has no queued work")
        kind, key = self.work_item(added.vendor)
        async with added.uows() as uow:
            await uow.work.enqueue(added.id, kind, [key])
            await uow.commit()
        queue = WorkQueue(added.hub.db, max_attempts=3, base_delay=0)
        [row] = await added.hub.connectors.rows()
        worker = InstanceWorker(added.hub.connectors, queue, row)
        added.faults.fail(status, times=2)
        async with added.live() as connector:
            assert await worker._drain(kind, connector.work()[kind]), "the item was not due"
        assert added.faults.failures_left == 0, f"the work sent fewer requests than the {status}s injected"
        assert await queue.depth(added.id) == {}, f"two {status} answers failed the item instead of being retried"

    @pytest.mark.asyncio
    async def test_config_validates_and_a_bad_one_names_the_field(self, harness: Harness) -> None:
        self.connector.config_model.model_validate(harness.config)
        self.connector.mappings_model.model_validate(harness.mappings)
        bad: dict[str, dict[str, Any]] = {"unknown_key": {**harness.config, "unknown_key": 1}}
        for name, field in self.connector.config_model.model_fields.items():
            if field.is_required():
                bad[name] = {key: value for key, value in harness.config.items() if key != name}
        for name, value in self.invalid_values().items():
            bad[name] = {**harness.config, name: value}
        for name, config in bad.items():
            # As POST /v1/connectors answers: 422 naming the field, nothing stored.
            with pytest.raises(InvalidInput) as refused:
                await harness.add(config)
            assert refused.value.field == f"config.{name}", f"{name}: refused naming {refused.value.field}"
        assert await harness.hub.connectors.rows() == [], "an instance with a bad config was stored"

    @pytest.mark.asyncio
    async def test_bad_credentials_raise_authentication_error(self, harness: Harness) -> None:
        await self.seed(harness.vendor, harness.uows)
        connector = harness.build(self.bad_credentials(dict(harness.config)))
        try:
            with pytest.raises(AuthenticationError):
                await connector.check()
        finally:
            await connector.aclose()
        with pytest.raises(InvalidInput):
            await harness.add(self.bad_credentials(dict(harness.config)))
        assert await harness.hub.connectors.rows() == [], "an instance with bad credentials was stored"

    @pytest.mark.asyncio
    async def test_pagination_ends(self, added: Harness) -> None:
        self.add_vendor_records(added.vendor)
        added.faults.allow(1_000)
        async with added.live() as connector:
            await connector.discover()
            assert await self.read_records(connector), "read_records() found no streams"
            for reconciler in connector.reconcilers().values():
                await reconciler.plan(quiet)

    @pytest.mark.asyncio
    async def test_a_repeating_page_token_is_an_error_not_a_loop(self, added: Harness) -> None:
        self.add_vendor_records(added.vendor)
        if not self.loop_pagination(added.vendor, added.faults):
            pytest.skip("the connector reads no paged lists")
        added.faults.allow(1_000)
        stopped: list[str] = []
        async with added.live() as connector:
            reads: dict[str, Callable[[], Awaitable[object]]] = {
                "discover()": connector.discover,
                "read_records()": lambda: self.read_records(connector),
            }
            for entity, reconciler in connector.reconcilers().items():
                reads[f"{entity} reconciliation"] = functools.partial(reconciler.plan, quiet)
            for name, read in reads.items():
                try:
                    await read()
                except ConnectorError as error:
                    # A retriable error would have the worker read the same loop again, forever.
                    assert not error.retriable, f"{name}: a looping page token must be a fatal error: {error!r}"
                    stopped.append(name)
        assert stopped, "no read noticed the page token repeating"

    @pytest.mark.asyncio
    async def test_records_validate(self, added: Harness) -> None:
        self.add_vendor_records(added.vendor)
        async with added.live() as connector:
            json.dumps(await connector.discover())  # shown as is by the API
            records = await self.read_records(connector)
        empty = [stream for stream, found in records.items() if not found]
        assert records and not empty, f"no records to validate in {empty or 'any stream'}: seed the vendor"
        for stream, found in records.items():
            for record in found:
                self.parse_record(stream, record)

    @pytest.mark.asyncio
    async def test_cursors_never_move_backwards(self, added: Harness) -> None:
        seen = [await added.cursors()]
        for _ in range(2):
            self.add_vendor_records(added.vendor)
            succeeded(await added.reconcile())
            seen.append(await added.cursors())
        if not seen[-1]:
            pytest.skip("the connector keeps no cursors")
        for before, after in itertools.pairwise(seen):
            for stream, value in before.items():
                assert after.get(stream, "") >= value, f"cursor {stream} moved back from {value} to {after.get(stream)}"
        assert seen[-1] != seen[1], "new vendor records did not move any cursor forwards"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("status", [429, 500, 503])
    async def test_throttled_and_failing_requests_are_retried(self, added: Harness, status: int) -> None:
        async with added.live() as connector:
            sent = added.faults.requests
            await connector.check()
            plain = added.faults.requests - sent
            added.faults.fail(status, times=2)
            sent = added.faults.requests
            await connector.check()
        retried = added.faults.requests - sent - plain
        assert retried == 2, f"two {status} answers, {retried} requests more than without them"

    @pytest.mark.asyncio
    async def test_the_vendors_own_throttling_is_retried(self, added: Harness) -> None:
        async with added.live() as connector:
            sent = added.faults.requests
            await connector.check()
            plain = added.faults.requests - sent
            if not self.throttle(added.vendor):
                pytest.skip("the vendor throttles with HTTP 429 only")
            sent = added.faults.requests
            await connector.check()
        assert added.faults.requests - sent > plain, "the vendor did not throttle: see throttle()"

    @pytest.mark.asyncio
    @pytest.mark.parametrize("status", [400, 404, 422])
    async def test_refused_requests_are_not_retried(self, added: Harness, status: int) -> None:
        async with added.live() as connector:
            added.faults.fail(status)
            sent = added.faults.requests
            with pytest.raises(FatalAPIError):
                await connector.check()
        sent = added.faults.requests - sent
        assert sent == 1, f"a {status} answer was sent {sent} times"

    @pytest.mark.asyncio
    async def test_5xx_past_the_limit_dead_letters_the_work(self, added: Harness) -> None:
        async with added.live() as connector:
            work = connector.work()
        if not work:
            pytest.skip("the connector has no queued work")
        kind, key = self.work_item(added.vendor)
        async with added.uows() as uow:
            await enqueue(uow.session, added.id, kind, [key])
            await uow.commit()
        queue = WorkQueue(added.hub.db, max_attempts=3, base_delay=0)  # a failed item is due again at once
        [row] = await added.hub.connectors.rows()
        # The worker's own drain step: the runtime's path from a failing batch to a dead
        # letter, without its leadership lease and timers.
        worker = InstanceWorker(added.hub.connectors, queue, row)
        added.faults.fail(503, times=None)
        async with added.live() as connector:
            for _attempt in range(queue.max_attempts):
                sent = added.faults.requests
                assert await worker._drain(kind, connector.work()[kind]), "the item was not due"
                assert added.faults.requests - sent > 1, "a 503 was not retried"
        added.faults.heal()
        assert await queue.depth(added.id) == {}, "the item is still queued past the limit"
        letters = [
            (letter.type, letter.aggregate_id, "503" in letter.error)
            for letter in await list_letters(added.hub.db)
            if letter.subscriber == f"connector:{added.id}"
        ]
        assert letters == [(kind, key, True)], f"dead letters (kind, key, 503 in the error): {letters}"

    @pytest.mark.asyncio
    async def test_a_second_reconciliation_makes_no_writes(self, added: Harness) -> None:
        self.add_vendor_records(added.vendor)
        first = await added.reconcile()
        if not first:
            pytest.skip("the connector has no reconciliations")
        succeeded(first)
        assert sum(report.writes for report in first.values()), "the first reconciliation wrote nothing: see seed()"
        # Watched on the wire, not only as the connector counts: the second run sends
        # exactly the requests a dry run (reads only) sends.
        sent = added.faults.requests
        succeeded(await added.reconcile(dry_run=True))
        reads = added.faults.requests - sent
        sent = added.faults.requests
        second = await added.reconcile()
        succeeded(second)
        for entity, report in second.items():
            planned = report.plan.writes if report.plan else []
            assert report.writes == 0 and not planned, f"{entity}: {report.writes} writes again, planned {planned}"
        assert added.faults.requests - sent == reads, (
            f"the second reconciliation sent {added.faults.requests - sent} requests where reading takes {reads}"
        )

    @pytest.mark.asyncio
    async def test_a_webhook_with_a_bad_signature_is_refused(self, added: Harness) -> None:
        if self.connector.webhook_verify is Connector.webhook_verify:
            pytest.skip("the connector takes no webhooks")

        def received(headers: Mapping[str, str]) -> dict[str, str]:
            return {name.lower(): value for name, value in headers.items()}  # as the webhook route passes them

        headers, body = await self.signed_webhook(added.vendor)
        bad_headers, bad_body = await self.badly_signed_webhook(added.vendor)
        async with added.live() as connector:
            connector.webhook_verify(received(headers), body)
            for refused_headers, refused_body in ((bad_headers, bad_body), (headers, body + b"\n")):
                with pytest.raises(WebhookRejected):
                    connector.webhook_verify(received(refused_headers), refused_body)
