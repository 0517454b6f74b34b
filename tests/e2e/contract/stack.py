"""A hub as users run it (`hub serve`, a real socket) beside a Shopify simulator, for contract runs.

Shared by the schemathesis test and ``bench/fuzz_api.py``. The hub's outbound HTTP is held
to this machine: ``HTTP(S)_PROXY`` names a loopback port where nothing listens and
``NO_PROXY`` exempts only loopback, so whatever ``shop_url`` a fuzzer invents, the hub can
reach the simulator and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

BIN = Path(sys.executable).parent
TOKEN = "shpat_contract_0123456789"
SECRET = "shpss_contract_9876543210"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    base_url: str
    key: str
    simulator_url: str
    hub: subprocess.Popen[bytes]
    log_path: Path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def hub_alive(self) -> bool:
        return self.hub.poll() is None

    def simulator_counters(self) -> dict[str, Any]:
        counters: dict[str, Any] = httpx.get(f"{self.simulator_url}/_simulator/counters").json()
        return counters

    def connector_example(self, connector_id: str) -> dict[str, Any]:
        """A body for ``POST /v1/connectors`` that the simulator accepts."""
        locations = httpx.get(f"{self.simulator_url}/_simulator/state").json()["locations"]
        return {
            "id": connector_id,
            "type": "shopify",
            "config": {
                "shop_url": self.simulator_url,
                "access_token": TOKEN,
                "webhook_secret": SECRET,
                "poll_interval_seconds": 3600,
            },
            "mappings": {"locations": {str(locations[0]["id"]): "SH"}, "allocation": {"percent": 50}},
        }

    def document(self) -> dict[str, Any]:
        """The served OpenAPI document, with the connector example pointed at the simulator."""
        document: dict[str, Any] = httpx.get(f"{self.base_url}/openapi.json").json()
        document["components"]["schemas"]["ConnectorIn"]["examples"] = [self.connector_example("shop-2")]
        return document


def _wait(url: str, process: subprocess.Popen[bytes], log: Path, what: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not come up:\n{log.read_text(errors='replace')}")
        time.sleep(0.1)


@contextlib.contextmanager
def running_stack(database_url: str, work: Path) -> Iterator[Stack]:
    """A simulator and `hub serve` on ``database_url``, seeded with what the document's examples
    name (warehouses SH and BJ, LONGJING, TEAHOUSE, 1,000 × TEA-LJ-250 in SH) and one connector
    instance, ``shop``, so example requests reach the business rules; both stopped afterwards."""
    work.mkdir(parents=True, exist_ok=True)
    sim_port, hub_port = free_port(), free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    sim_log, hub_log = work / "simulator.log", work / "hub.log"
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens: any off-machine request fails here
    env = {
        **os.environ,
        "HUB_DATABASE_URL": database_url,
        "HUB_SECRET_KEY": "contract-tests-secret-key-0123456789",
        "HUB_LOG_LEVEL": "warning",
        "HTTP_PROXY": dead,
        "HTTPS_PROXY": dead,
        "ALL_PROXY": dead,
        "NO_PROXY": "127.0.0.1,localhost",
    }
    with contextlib.ExitStack() as stack:
        sim_out = stack.enter_context(sim_log.open("wb"))
        simulator = subprocess.Popen(
            [str(BIN / "python"), "-m", "hub.simulators.shopify", "--port", str(sim_port), "--sample",
             "--token", TOKEN, "--webhook-secret", SECRET],
            stdout=sim_out, stderr=subprocess.STDOUT, cwd=work,
        )  # fmt: skip
        stack.callback(_stop, simulator)
        sim_url = f"http://127.0.0.1:{sim_port}"
        _wait(f"{sim_url}/_simulator/counters", simulator, sim_log, "the Shopify simulator")
        subprocess.run([str(BIN / "hub"), "migrate"], env=env, cwd=work, check=True, capture_output=True)
        key = subprocess.run(
            [str(BIN / "hub"), "keys", "create", "--scope", "admin"],
            env=env, cwd=work, check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip
        hub_out = stack.enter_context(hub_log.open("wb"))
        hub = subprocess.Popen(
            [str(BIN / "hub"), "serve", "--port", str(hub_port)], env=env, cwd=work, stdout=hub_out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        stack.callback(_stop, hub)
        _wait(f"{hub_url}/healthz", hub, hub_log, "hub serve")
        running = Stack(base_url=hub_url, key=key, simulator_url=sim_url, hub=hub, log_path=hub_log)
        with httpx.Client(base_url=hub_url, headers=running.auth, timeout=30) as http:
            _seed(http)
            http.post("/v1/connectors", json=running.connector_example("shop")).raise_for_status()
        yield running


def _seed(http: httpx.Client) -> None:
    for path, body in [
        ("/v1/warehouses", {"code": "SH", "name": "Shanghai DC"}),
        ("/v1/warehouses", {"code": "BJ", "name": "Beijing DC"}),
        ("/v1/suppliers", {"code": "LONGJING", "name": "Longjing Tea Co."}),
        ("/v1/customers", {"code": "TEAHOUSE", "name": "Teahouse Ltd"}),
        ("/v1/products", {"sku": "TEA-LJ-250", "name": "Longjing 250 g", "unit": "tin"}),
    ]:
        http.post(path, json=body).raise_for_status()
    lines = [{"sku": "TEA-LJ-250", "qty": 1000, "unit_cost": "38.00"}]
    order = http.post("/v1/purchase-orders", json={"supplier": "LONGJING", "warehouse": "SH", "lines": lines})
    order_id = order.raise_for_status().json()["id"]
    http.post(f"/v1/purchase-orders/{order_id}/approve").raise_for_status()
    receipt = {"lines": [{"sku": "TEA-LJ-250", "accepted": 1000}]}
    http.post(f"/v1/purchase-orders/{order_id}/receipts", json=receipt).raise_for_status()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
