"""Shared fixtures: databases (SQLite and PostgreSQL), a built hub, an API client, keys.

PostgreSQL: ``HUB_TEST_POSTGRES_URL`` names a server to use (default: the local one at
127.0.0.1:5432, trust auth). One database per test session is created there, migrated,
emptied before each test and dropped at the end. When the server is unreachable the
PostgreSQL tests skip — or fail, when ``HUB_REQUIRE_POSTGRES=1`` (CI sets it).

Kafka: one broker per test session (see tests/brokers.py: ``HUB_TEST_KAFKA_BOOTSTRAP``,
else Apache Kafka in Docker, else Tansu); ``kafka`` gives it with the hub's topics
emptied. Without a broker the Kafka tests skip — or fail, when ``HUB_REQUIRE_KAFKA=1``.
The run ends by saying which PostgreSQL server and which broker it used ("not used"
when no test needed one).

Hypothesis: ``HYPOTHESIS_PROFILE`` picks a profile — ``ci`` (the default: few examples,
derandomized so every run replays the same ones), ``dev`` (more, random, remembered in
.hypothesis/) or ``slow`` (a long exploration).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import hypothesis
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from hub.api.app import create_app
from hub.bootstrap import Hub, build
from hub.config import Settings
from hub.db.migrate import upgrade
from hub.db.tables import metadata
from tests import openapi_conformance
from tests.brokers import BrokerUnavailable, empty_hub_topics, session_broker

SERVER_URL = os.environ.get("HUB_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres")

# No deadlines anywhere: the machines running the suite are shared and their timings noisy.
hypothesis.settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=40,
    derandomize=True,  # the same examples every run: a red CI replays on any machine
    database=None,
    deadline=None,
    print_blob=True,
)
hypothesis.settings.register_profile("dev", max_examples=150, stateful_step_count=40, deadline=None)
hypothesis.settings.register_profile("slow", max_examples=1000, stateful_step_count=80, deadline=None)
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
hypothesis.settings.load_profile(HYPOTHESIS_PROFILE)

#: What the session's PostgreSQL and Kafka fixtures used, for the closing summary.
_SERVICES: dict[str, str] = {}


def pytest_report_header(config: pytest.Config) -> list[str]:
    return [
        f"hypothesis profile: {HYPOTHESIS_PROFILE} (HYPOTHESIS_PROFILE: ci, dev or slow)",
        f"PostgreSQL server: {_server()} (HUB_TEST_POSTGRES_URL)",
        "Kafka: started on first use, see the end of the run (HUB_TEST_KAFKA_BOOTSTRAP names a broker)",
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # The broker starts lazily (a session fixture), so only the end of the run can say.
    terminalreporter.write_sep("-", "services")
    for service in ("PostgreSQL", "Kafka"):
        terminalreporter.write_line(f"{service}: {_SERVICES.get(service, 'not used')}")


def _server() -> str:
    return make_url(SERVER_URL).render_as_string(hide_password=True)


def _require(env: str) -> bool:
    return os.environ.get(env, "").strip().lower() in ("1", "true", "yes")


async def _admin(sql: str) -> None:
    engine = create_async_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text(sql)), timeout=10)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A migrated PostgreSQL database of this test session's own."""
    name = f"hub_test_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # any failure to reach the server means "no PostgreSQL here"
        message = f"PostgreSQL unreachable at {_server()}: {error!r}"
        _SERVICES["PostgreSQL"] = f"unreachable at {_server()}, its tests skipped or failed"
        if _require("HUB_REQUIRE_POSTGRES"):
            pytest.fail(f"{message} (HUB_REQUIRE_POSTGRES=1)")
        pytest.skip(message)
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    _SERVICES["PostgreSQL"] = f"the server at {_server()} (database {name}, dropped at the end)"
    try:
        upgrade(url)
        yield url
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Bootstrap servers of a Kafka-compatible broker shared by this test session."""
    with contextlib.ExitStack() as stack:
        try:
            bootstrap, what = stack.enter_context(session_broker(tmp_path_factory.mktemp("kafka")))
        except BrokerUnavailable as error:
            message = f"no Kafka broker: {error}"
            _SERVICES["Kafka"] = f"none available, its tests skipped or failed: {error}"
            if _require("HUB_REQUIRE_KAFKA"):
                pytest.fail(f"{message} (HUB_REQUIRE_KAFKA=1)")
            pytest.skip(message)
        _SERVICES["Kafka"] = what
        yield bootstrap


@pytest.fixture
def kafka(kafka_bootstrap: str) -> str:
    """The session's broker with none of the hub's topics: a test sees only its own events."""
    asyncio.run(empty_hub_topics(kafka_bootstrap))
    return kafka_bootstrap


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "hub.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    return path


async def _empty_postgres(url: str) -> None:
    # DELETE beats TRUNCATE on tables this small (~6x); ids are not restarted, so no
    # test may rely on their values.
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            for table in reversed(metadata.sorted_tables):
                await conn.execute(table.delete())
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "hub.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(_empty_postgres(url))
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "hub.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, migrate_on_start=False, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def hub(settings: Settings) -> AsyncIterator[Hub]:
    built = build(settings)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
async def client(hub: Hub) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the API, without a key."""
    transport = httpx.ASGITransport(app=create_app(hub_=hub), raise_app_exceptions=False)
    hooks = {"response": [openapi_conformance.check]}
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test", event_hooks=hooks) as http:
        yield http


async def _key(hub: Hub, scope: str) -> str:
    _record, secret = await hub.keys.create({scope}, name=f"test {scope}")
    return secret


@pytest.fixture
async def api(hub: Hub, client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The API client, authorised with a ``write`` key (reads everything, writes the books)."""
    client.headers["Authorization"] = f"Bearer {await _key(hub, 'write')}"
    return client


@pytest.fixture
async def make_key(hub: Hub):  # type: ignore[no-untyped-def]
    """``await make_key("stock:read")`` → a fresh key with that scope."""

    async def make(scope: str) -> str:
        return await _key(hub, scope)

    return make
