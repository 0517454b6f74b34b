"""The whole API against its own OpenAPI document, with schemathesis, over a real socket.

Every check is on (server errors, status codes, content types, response schemas and
headers, negative data rejected, valid data accepted — with our ``body_agrees_with_model``
— ignored auth, ``Allow`` headers, use after free …), through the examples, coverage,
fuzzing and stateful phases, with a fixed seed, on SQLite and PostgreSQL: 0 failures.

Connector instances are added against a Shopify simulator (the document's example for
``POST /v1/connectors`` is pointed at it). The hub under test reaches no other host: its
HTTP goes through a proxy address on loopback where nothing listens, except to loopback
itself, so a fuzzed ``shop_url`` can never send a request off this machine.
``bench/fuzz_api.py`` runs the same for longer with a random seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.contract.stack import Stack, running_stack

ROOT = Path(__file__).resolve().parents[3]
ST = str(Path(sys.executable).with_name("st"))
SEED = 20261207
#: Positive cases may be refused by state (unknown SKU, reused Idempotency-Key, a cursor from
#: elsewhere): 422 joins schemathesis' defaults, and hooks.body_agrees_with_model keeps it honest.
#: The channel the stack added, for the one operation no link leads to.
CONFIG = """
[checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]

[parameters]
"path.channel_id" = "shop"
"""

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def run_schemathesis(stack: Stack, work: Path, *, seed: int, max_examples: int) -> subprocess.CompletedProcess[str]:
    """``st run`` over every operation, every check and phase; the completed process."""
    document = stack.document()
    (work / "openapi.json").write_text(json.dumps(document), encoding="utf-8")
    (work / "schemathesis.toml").write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.contract.hooks", "PYTHONPATH": str(ROOT)}
    command = [
        ST,
        "--config-file",
        str(work / "schemathesis.toml"),
        "run",
        str(work / "openapi.json"),
        "--url",
        stack.base_url,
        "-H",
        f"Authorization: Bearer {stack.key}",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--seed",
        str(seed),
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--no-color",
        "--generation-database",
        "none",
    ]
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=840, check=False)


@pytest.mark.parametrize("database", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_api_keeps_its_documented_contract(database: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url = (
        f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
        if database == "sqlite"
        else request.getfixturevalue("database_url_postgres")
    )
    with running_stack(url, tmp_path) as stack:
        result = run_schemathesis(stack, tmp_path, seed=SEED, max_examples=25)
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-150:])
        assert result.returncode == 0, f"schemathesis found failures (seed {SEED}):\n{tail}"
        assert stack.hub_alive(), f"hub serve died during the run:\n{stack.log()}"
        # The run reached the hub's business, not only its refusals: the simulator was written to.
        assert stack.simulator_counters()["requests"] > 0
