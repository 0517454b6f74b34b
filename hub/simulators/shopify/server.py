"""Run the simulator on a real port: in-process for e2e tests and ``hub demo``, or standalone.

In-process::

    async with serve(sim) as base_url:   # http://127.0.0.1:<free port>
        ...                              # point the connector at base_url

Standalone::

    python -m hub.simulators.shopify --port 8787 --sample \\
        --webhook-url http://127.0.0.1:8000/v1/webhooks/shopify/main --webhook-secret s3cret
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import uvicorn

from hub.simulators.shopify.app import ShopifySimulator

__all__ = ["SAMPLE_SEED", "main", "serve"]

#: A small catalog to start from: two warehouses, three SKUs.
SAMPLE_SEED: dict[str, Any] = {
    "locations": ["Shanghai DC", "Hangzhou Store"],
    "products": [
        {
            "title": "Jasmine Tea 250g",
            "variants": [
                {"sku": "TEA-JAS-250", "price": "12.50", "inventory": {"Shanghai DC": 120, "Hangzhou Store": 15}}
            ],
        },
        {
            "title": "Celadon Cup",
            "variants": [
                {"sku": "CUP-CEL-S", "title": "Small", "price": "18.00", "inventory": {"Shanghai DC": 40}},
                {"sku": "CUP-CEL-L", "title": "Large", "price": "22.00", "inventory": {"Shanghai DC": 25}},
            ],
        },
    ],
}


@contextlib.asynccontextmanager
async def serve(
    sim: ShopifySimulator | None = None, *, host: str = "127.0.0.1", port: int = 0, startup_timeout: float = 10.0
) -> AsyncIterator[str]:
    """Serve ``sim`` with uvicorn on ``host:port`` (0: a free port) and yield its base URL."""
    sim = sim if sim is not None else ShopifySimulator()
    # Name the protocol: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and
    # without it every answer waits out the client's delayed ACK (~40 ms on loopback).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    bound = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(sim.app, log_level="warning", lifespan="off", access_log=False))
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"shopify-simulator:{bound}")
    try:
        async with asyncio.timeout(startup_timeout):
            while not server.started:
                if task.done():
                    task.result()  # re-raise why it could not start
                    raise RuntimeError("the simulator's server stopped while starting")
                await asyncio.sleep(0.01)
        yield f"http://{host}:{bound}"
    finally:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()
        await sim.aclose()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m hub.simulators.shopify", description="Shopify Admin GraphQL API simulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--token", default="shpat_simulator", help="the X-Shopify-Access-Token to accept")
    parser.add_argument("--seed", type=Path, help="JSON file: {locations: [...], products: [...]}")
    parser.add_argument("--sample", action="store_true", help="start with a small sample catalog")
    parser.add_argument("--bucket-size", type=float, default=1000.0)
    parser.add_argument("--restore-rate", type=float, default=100.0, help="points/s (Standard 100, Plus 1000)")
    parser.add_argument("--webhook-url")
    parser.add_argument("--webhook-secret", default="shpss_simulator")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    sim = ShopifySimulator(
        access_token=args.token,
        bucket_size=args.bucket_size,
        restore_rate=args.restore_rate,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
    )
    if args.sample:
        sim.store.seed(SAMPLE_SEED)
    if args.seed:
        sim.store.seed(json.loads(args.seed.read_text(encoding="utf-8")))

    async def run() -> None:
        async with serve(sim, host=args.host, port=args.port) as url:
            print(f"Shopify simulator at {url}{sim.graphql_path()} (token {args.token})", flush=True)
            await asyncio.Event().wait()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run())


if __name__ == "__main__":
    main()
