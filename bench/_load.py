"""A small HTTP/1.1 load generator: a fixed number of GETs over N keep-alive connections.

Run as its own process (``python bench/_load.py …``) so that it does not share an event
loop — or, on a 2-CPU machine, a CPU — with the server it measures. It prints one JSON
object: requests, seconds, requests/s, latency p50/p99 in ms, and the status codes seen.
Raw asyncio streams rather than an HTTP client library: httpx spends ~0.3 ms of CPU per
request, as much as the servers it would be measuring.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections import Counter


async def _connection(
    host: str, port: int, request: bytes, count: int, latencies: list[float], statuses: Counter[int]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length:
                await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
    finally:
        writer.close()


async def load(
    host: str, port: int, path: str, headers: list[str], requests: int, connections: int
) -> dict[str, object]:
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}", *headers, "", ""]
    request = "\r\n".join(lines).encode("latin-1")
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    shares = [requests // connections + (1 if i < requests % connections else 0) for i in range(connections)]
    started = time.perf_counter()
    await asyncio.gather(*(_connection(host, port, request, n, latencies, statuses) for n in shares if n))
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "seconds": seconds,
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(ordered) * 1000,
        "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
        "statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", required=True)
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    result = asyncio.run(load(args.host, args.port, args.path, args.header, args.requests, args.connections))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
