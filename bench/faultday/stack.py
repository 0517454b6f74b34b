"""The system under test as real processes: ``hub serve`` + ``hub relay`` + ``hub worker``.

Each runs as a subprocess on one database (README "Command line"), logging to a file of
its own; a fault is a SIGKILL, and the process is started again a moment later. The
broker (Kafka transport) is a Tansu of the run's own; PostgreSQL faults come through an
admin connection that terminates the hub's backends, found by database name.

Why the broker is frozen (SIGSTOP) rather than stopped: Tansu here keeps topics in
memory, so a restarted broker comes back empty. Events the relay had published (and
marked) but a consumer had not yet read would be gone — a loss no hub can prevent, and
not the outage the harness means to test (Apache Kafka keeps its log on disk). A frozen
broker is an outage with the log kept: connections hang, nothing answers, then it
resumes with everything.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from hub.outbox.tansu import free_port

__all__ = ["HUB", "Processes", "terminate_backends"]

HUB = str(Path(sys.executable).with_name("hub"))
COMMANDS = {"api": ["serve"], "relay": ["relay"], "worker": ["worker"]}


class Processes:
    """The hub's processes; ``kill`` is SIGKILL, ``start`` (re)starts one."""

    def __init__(self, env: dict[str, str], where: Path) -> None:
        self.env, self.where = env, where
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.starts: dict[str, int] = {}

    def run(self, *args: str) -> str:
        """A one-off ``hub`` command (migrate, keys create, dlq …); its stdout."""
        done = subprocess.run([HUB, *args], env=self.env, cwd=self.where, capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"hub {' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
        return done.stdout

    def start(self, name: str) -> None:
        args = [*COMMANDS[name], *(["--port", str(self.port)] if name == "api" else [])]
        self.starts[name] = self.starts.get(name, 0) + 1
        with (self.where / f"{name}.log").open("ab") as sink:
            self.running[name] = subprocess.Popen(
                [HUB, *args], env=self.env, cwd=self.where, stdout=sink, stderr=subprocess.STDOUT
            )

    def kill(self, name: str) -> None:
        process = self.running.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    def alive(self, name: str) -> bool:
        process = self.running.get(name)
        return process is not None and process.poll() is None

    async def api_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.base_url, timeout=2) as http:
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if not self.alive("api") or time.monotonic() > deadline:
                    log = (self.where / "api.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"hub serve did not come up:\n{log}")
                await asyncio.sleep(0.1)

    def close(self) -> None:
        for name in list(self.running):
            process = self.running.pop(name)
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


async def terminate_backends(database_url: str, *, settle: float = 5.0) -> tuple[int, int]:
    """``pg_terminate_backend`` the hub's connections, preferring ones inside a transaction:
    watches (tightly: the hub's transactions last milliseconds) up to ``settle`` seconds for
    one to be in a transaction, then cuts those — or, if none was, every connection.
    Returns (terminated, of which inside a transaction)."""
    url = make_url(database_url)
    admin = await asyncpg.connect(
        url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    )
    try:
        deadline = time.monotonic() + settle
        while True:
            rows = await admin.fetch(
                "SELECT pid, xact_start IS NOT NULL AS in_transaction FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                url.database,
            )
            busy = [r["pid"] for r in rows if r["in_transaction"]]
            if busy or time.monotonic() > deadline:
                break
        victims = busy or [r["pid"] for r in rows]
        cut = 0
        for pid in victims:
            cut += bool(await admin.fetchval("SELECT pg_terminate_backend($1)", pid))
        return cut, cut if busy else 0
    finally:
        await admin.close()


def hub_env(database_url: str, transport: str, bootstrap: str | None, where: Path) -> dict[str, str]:
    """The environment every hub process of the run shares."""
    return {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_TRANSPORT": transport,
        "HUB_KAFKA_BOOTSTRAP": bootstrap or "127.0.0.1:9",
        "HUB_KAFKA_PARTITIONS": "2",
        "HUB_MIGRATE_ON_START": "0",
        "HUB_SECRET_KEY": "fault-harness-secret-key",
        "HUB_POLL_INTERVAL": "0.2",
        "HUB_CONNECTOR_REFRESH": "0.5",
        "HUB_CONSUMER_RETRY_DELAY": "0.1",
        "HUB_LOG_LEVEL": "info",
        "HUB_DB_POOL_SIZE": "5",
    }
