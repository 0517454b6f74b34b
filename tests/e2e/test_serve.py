"""The hub as a user runs it: `hub keys create`, `hub serve`, then HTTP over a real socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

HUB = str(Path(sys.executable).with_name("hub"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(database_url: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    env = {**os.environ, "HUB_DATABASE_URL": database_url}
    key = subprocess.run(
        [HUB, "keys", "create", "--scope", "write"], env=env, cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert key.count("\n") == 1 and key.startswith("jxc_"), "the key alone on stdout"
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [HUB, "serve", "--port", str(port)], env=env, cwd=tmp_path, stdout=sink, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"hub serve did not come up:\n{log.read_text()}")
            time.sleep(0.1)
        yield base, {"Authorization": f"Bearer {key.strip()}"}
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_readme_walkthrough_over_http(server: tuple[str, dict[str, str]]) -> None:
    base, auth = server
    with httpx.Client(base_url=base, headers=auth) as http:
        assert http.get("/readyz").json()["database"] == "ok"
        assert http.get("/v1/stock", headers={"Authorization": ""}).status_code == 401
        for path, body in [
            ("/v1/warehouses", {"code": "SH", "name": "Shanghai DC"}),
            ("/v1/suppliers", {"code": "LONGJING", "name": "Longjing Tea Co."}),
            ("/v1/customers", {"code": "TEAHOUSE", "name": "Teahouse Ltd"}),
            ("/v1/products", {"sku": "TEA-LJ-250", "name": "Longjing 250 g", "unit": "tin"}),
        ]:
            assert http.post(path, json=body).status_code == 201
        po = http.post(
            "/v1/purchase-orders",
            json={
                "supplier": "LONGJING",
                "warehouse": "SH",
                "lines": [{"sku": "TEA-LJ-250", "qty": 100, "unit_cost": "38.00"}],
            },
        ).json()
        http.post(f"/v1/purchase-orders/{po['id']}/approve")
        receipt = http.post(
            f"/v1/purchase-orders/{po['id']}/receipts",
            json={"lines": [{"sku": "TEA-LJ-250", "accepted": 96, "rejected": 4}]},
        ).json()
        assert receipt["status"] == "partially_received" and receipt["lines"][0]["outstanding"] == 4
        order = http.post(
            "/v1/sales-orders",
            headers={"Idempotency-Key": "order-1"},
            json={
                "customer": "TEAHOUSE",
                "warehouse": "SH",
                "lines": [{"sku": "TEA-LJ-250", "qty": 30, "unit_price": "59.00"}],
            },
        )
        again = http.post(
            "/v1/sales-orders",
            headers={"Idempotency-Key": "order-1"},
            json={
                "customer": "TEAHOUSE",
                "warehouse": "SH",
                "lines": [{"sku": "TEA-LJ-250", "qty": 30, "unit_price": "59.00"}],
            },
        )
        assert again.json() == order.json() and again.headers["Idempotent-Replayed"] == "true"
        shipped = http.post(
            f"/v1/sales-orders/{order.json()['id']}/shipments",
            json={"lines": [{"sku": "TEA-LJ-250", "qty": 30}], "carrier": "SF Express", "tracking": "SF1234567890"},
        ).json()
        assert shipped["status"] == "shipped"
        stock = http.get("/v1/stock/TEA-LJ-250").json()
        assert stock["on_hand"] == 66 and stock["reserved"] == 0 and stock["average_cost"] == "38.00"
        assert stock["stock_value"] == "2508.00"
        moves = http.get("/v1/stock/moves", params={"sku": "TEA-LJ-250"}).json()["items"]
        assert [(m["from_location"], m["to_location"], m["qty"]) for m in moves] == [
            ("supplier", "SH", 96),
            ("SH", "customer", 30),
        ]
