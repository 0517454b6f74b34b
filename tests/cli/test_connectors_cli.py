"""``hub connectors add | list | show | remove`` and ``hub reconcile`` against a real
(simulated) Shopify store and a SQLite hub.

The commands run in-process (typer's CliRunner), each with its own event loop, so the
simulator is served from a thread of its own, on a real port, the way a store is
reached over the network.
"""

from __future__ import annotations

import asyncio
import io
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from hub.bootstrap import build
from hub.cli import app
from hub.config import Settings
from hub.simulators.shopify import ShopifySimulator, serve
from hub.core import handlers
from hub.core.commands import CountLine, NewProduct, NewStockCount, NewWarehouse

TOKEN = "shpat_cli_test_token_5f3a"
HOOK_SECRET = "shpss_cli_test_secret_91c2"

SEED = {
    "locations": ["Shanghai DC", "Hangzhou Store"],
    "products": [
        {
            "title": "Jasmine Tea",
            "variants": [{"sku": "TEA-1", "price": "12.50", "inventory": {"Shanghai DC": 100, "Hangzhou Store": 10}}],
        },
        {
            "title": "Celadon Cup",
            "variants": [
                {"sku": "CUP-S", "title": "Small", "price": "18.00", "inventory": {"Shanghai DC": 40}},
                {"sku": "CUP-L", "title": "Large", "price": "22.00", "inventory": {"Shanghai DC": 25}},
            ],
        },
    ],
}
#: Runs ``hub ARGS…`` in-process.
Cli = Callable[..., Result]

#: What the hub holds: warehouse → SKU → on hand. CUP-L at SH is already right.
HUB_STOCK = {"SH": {"TEA-1": 30, "CUP-S": 7, "CUP-L": 25}, "HZ": {"TEA-1": 4}}


@dataclass
class Store:
    sim: ShopifySimulator
    url: str

    def location(self, name: str) -> str:
        return self.sim.store.location(name).id

    def levels(self) -> dict[tuple[str, str], int]:
        return {(row["sku"], row["location"]): row["available"] for row in self.sim.store.inventory()}

    def config(self, token: str = TOKEN) -> dict[str, Any]:
        return {"shop_url": self.url, "access_token": token, "webhook_secret": HOOK_SECRET}

    def mappings(self, hangzhou: str = "HZ") -> dict[str, Any]:
        # A location by numeric id or by GID: both are accepted (and kept as GIDs).
        shanghai = self.sim.store.location("Shanghai DC").legacy_resource_id
        return {"locations": {shanghai: "SH", self.location("Hangzhou Store"): hangzhou}}


@pytest.fixture
def store() -> Iterator[Store]:
    """The simulator on a free port, served by a thread with its own event loop."""
    sim = ShopifySimulator(access_token=TOKEN, webhook_secret=HOOK_SECRET)
    sim.store.seed(SEED)
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    urls: list[str] = []
    started = threading.Event()

    async def main() -> None:
        async with serve(sim) as url:
            urls.append(url)
            started.set()
            await stop.wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), name="simulator")
    thread.start()
    try:
        assert started.wait(10), "the simulator did not start"
        yield Store(sim, urls[0])
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        loop.close()


async def _stock_the_hub(url: str) -> None:
    hub = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        async with hub.uow() as uow:
            for code, name in (("SH", "Shanghai DC"), ("HZ", "Hangzhou store")):
                await handlers.create_warehouse(NewWarehouse(code=code, name=name), uow)
            for sku in ("TEA-1", "CUP-S", "CUP-L"):
                await handlers.create_product(NewProduct(sku=sku, name=sku), uow)
            for code, counts in HUB_STOCK.items():
                lines = [CountLine(sku=sku, counted=Decimal(n)) for sku, n in counts.items()]
                await handlers.post_stock_count(NewStockCount(warehouse=code, lines=lines), uow)
            await uow.commit()
    finally:
        await hub.close()


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    """``cli(*args)``: run ``hub *args`` against a stocked SQLite hub; answers click's Result."""
    asyncio.run(_stock_the_hub(sqlite_url))
    monkeypatch.chdir(tmp_path)  # no stray .env
    env = {
        "HUB_DATABASE_URL": sqlite_url,
        "HUB_MIGRATE_ON_START": "0",
        "HUB_SECRET_KEY": "cli-test-key",
        "COLUMNS": "250",
    }
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env)

    yield invoke


def _add(
    cli: Cli, store: Store, *, config: dict[str, Any] | None = None, mappings: dict[str, Any] | None = None
) -> Result:
    return cli(
        "connectors", "add", "shop", "--type", "shopify",
        "--config", json.dumps(config or store.config()),
        "--mappings", json.dumps(mappings or store.mappings()),
    )  # fmt: skip


def _status(cli: Cli) -> dict[str, Any]:
    result = cli("connectors", "show", "shop", "--json")
    assert result.exit_code == 0, result.output
    status: dict[str, Any] = json.loads(result.stdout)
    return status


def _one_line_error(result: Result) -> str:
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_add_checks_the_credentials_and_list_and_show_never_print_secrets(
    cli: Cli, store: Store, tmp_path: Path
) -> None:
    config = tmp_path / "shop.json"
    config.write_text(json.dumps(store.config()))
    added = cli(
        "connectors", "add", "shop", "--type", "shopify",
        "--config", f"@{config}", "--mappings", json.dumps(store.mappings()),
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert "connector shop added (shopify: orders_in, shipments_out, stock_out)" in added.stderr
    assert "hub reconcile shop" in added.stderr
    assert store.sim.counters.requests >= 1, "the credentials were checked with the store"

    listing = cli("connectors", "list")
    assert listing.exit_code == 0, listing.output
    assert _row(listing.stdout, "shop") == ["shop", "shopify", "active", "never", "0"]

    shown = cli("connectors", "show", "shop")
    assert shown.exit_code == 0, shown.output
    settings = {cells[0]: cells[1] for line in shown.stdout.splitlines() if len(cells := _cells(line)) == 2}
    assert settings["config.shop_url"] == store.url
    assert settings["config.access_token"] == settings["config.webhook_secret"] == "**********"
    assert settings[f"mappings.locations.{store.location('Shanghai DC')}"] == "SH"
    assert "last sync: never" in shown.stdout and "orders on hold: none" in shown.stdout

    status = _status(cli)
    assert status["config"]["access_token"] == status["config"]["webhook_secret"] == "**********"
    assert status["mappings"]["locations"][store.location("Hangzhou Store")] == "HZ"
    assert status["capabilities"] == ["orders_in", "shipments_out", "stock_out"]

    for result in (added, listing, shown):
        assert TOKEN not in result.output and HOOK_SECRET not in result.output
    assert TOKEN not in json.dumps(status) and HOOK_SECRET not in json.dumps(status)


def test_refused_credentials_or_mappings_save_nothing(cli: Cli, store: Store) -> None:
    line = _one_line_error(_add(cli, store, config=store.config(token="shpat_wrong")))
    assert line.startswith("hub connectors add: Shopify refused the credentials")
    assert "shpat_wrong" not in line

    requests = store.sim.counters.requests
    line = _one_line_error(_add(cli, store, mappings=store.mappings(hangzhou="NOPE")))
    assert line == (f"hub connectors add: location {store.location('Hangzhou Store')} maps to unknown warehouse 'NOPE'")
    assert store.sim.counters.requests == requests, "mappings are checked before the store is asked"

    mappings = store.mappings()
    unknown = {**mappings, "locations": {**mappings["locations"], "gid://shopify/Location/999999": "SH"}}
    line = _one_line_error(_add(cli, store, mappings=unknown))
    assert line == "hub connectors add: location gid://shopify/Location/999999 is not an active location of the store"

    line = _one_line_error(_add(cli, store, config={**store.config(), "shop_url": "not a url"}))
    assert line.startswith("hub connectors add: config.shop_url: String should match pattern")

    listing = cli("connectors", "list")
    assert listing.exit_code == 0 and " shop " not in listing.stdout
    assert _one_line_error(cli("connectors", "show", "shop")) == "hub connectors show: connector shop does not exist"


def test_config_that_is_not_json_is_a_usage_error(cli: Cli, store: Store, tmp_path: Path) -> None:
    config = tmp_path / "shop.json"
    config.write_text(json.dumps(store.config()))
    for value, said in [
        ("{shop_url:", "--config: not JSON (Expecting property name enclosed in double quotes, line 1 column 2)"),
        (str(config), f"; to read the file, write @{config}"),
        ("@missing.json", "--config: cannot read missing.json: No such file or directory"),
        ("[1, 2]", "--config: must be a JSON object, not list"),
    ]:
        result = cli("connectors", "add", "shop", "--type", "shopify", "--config", value)
        assert result.exit_code == 2, result.output
        assert said in result.stderr
    result = cli("connectors", "add", "Shop!", "--type", "shopify", "--config", json.dumps(store.config()))
    assert result.exit_code == 2 and "id: String should match pattern" in result.stderr
    assert store.sim.counters.requests == 0


def test_reconcile_dry_run_shows_the_plan_and_writes_nothing(cli: Cli, store: Store) -> None:
    assert _add(cli, store).exit_code == 0
    store.sim.store.add_product("Gift box", [{"sku": "GIFT-[/b]", "inventory": {"Shanghai DC": 3}}])
    before, mutations = store.levels(), store.sim.counters.mutations_applied

    result = cli("reconcile", "shop", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "plan (dry run: nothing written)" in result.stdout
    stock = _row(result.stdout, "stock")
    assert stock[2:8] == ["0", "3", "3", "1", "0", "0"]  # create, update, unchanged, conflict, writes, errors
    sh, hz = store.location("Shanghai DC"), store.location("Hangzhou Store")
    changes = _rows(result.stdout, "update")
    assert changes == {
        f"TEA-1@{sh}": ["30", "100"],
        f"TEA-1@{hz}": ["4", "10"],
        f"CUP-S@{sh}": ["7", "40"],
    }
    # The cups are not stocked at Hangzhou, where the hub offers none of them: unchanged.
    # A SKU the hub does not know is a conflict (printed as it is, brackets and all).
    assert set(_rows(result.stdout, "conflict")) == {"GIFT-[/b]"}

    assert store.sim.counters.mutations_applied == mutations and store.levels() == before
    assert _status(cli)["last_sync"]["stock"]["dry_run"] is True

    shorter = cli("reconcile", "shop", "--dry-run", "--entity", "stock", "--limit", "2")
    assert len(_rows(shorter.stdout, "update") | _rows(shorter.stdout, "conflict")) == 2
    assert "… and 2 more stock items (--limit to see more)" in shorter.stdout
    assert store.sim.counters.mutations_applied == mutations and store.levels() == before


def test_reconcile_writes_the_difference_and_a_second_run_writes_nothing(cli: Cli, store: Store) -> None:
    assert _add(cli, store).exit_code == 0

    first = cli("reconcile", "shop")
    assert first.exit_code == 0, first.output
    stock = _row(first.stdout, "stock")
    assert stock[2:6] == ["0", "3", "3", "0"] and int(stock[6]) >= 1 and stock[7:9] == ["0", "succeeded"]
    assert _row(first.stdout, "orders")[-1] == "succeeded"
    levels = store.levels()
    assert levels[("TEA-1", "Shanghai DC")] == 30 and levels[("TEA-1", "Hangzhou Store")] == 4
    assert levels[("CUP-S", "Shanghai DC")] == 7 and levels[("CUP-L", "Shanghai DC")] == 25
    mutations = store.sim.counters.mutations_applied
    assert mutations >= 1

    second = cli("reconcile", "shop", "--entity", "stock")
    assert second.exit_code == 0, second.output
    assert _row(second.stdout, "stock")[2:9] == ["0", "0", "6", "0", "0", "0", "succeeded"]
    assert "orders" not in second.stdout and _rows(second.stdout, "update") == {}
    assert store.sim.counters.mutations_applied == mutations, "the second run wrote to the store"

    last = _status(cli)["last_sync"]["stock"]
    assert (last["trigger"], last["writes"], last["dry_run"]) == ("cli", 0, False)
    listing = cli("connectors", "list")
    assert "stock succeeded" in listing.stdout


def test_progress_bars_show_on_a_terminal_and_stay_out_of_piped_output(
    cli: Cli, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _add(cli, store).exit_code == 0
    for stdout_is_a_terminal in (True, False):
        screen, stdout = io.StringIO(), io.StringIO()
        monkeypatch.setattr("hub.cli.connectors.err", Console(file=screen, force_terminal=True, width=120))
        monkeypatch.setattr("hub.cli.connectors.out", Console(file=stdout, force_terminal=stdout_is_a_terminal))

        result = cli("reconcile", "shop", "--entity", "stock", "--dry-run")
        assert result.exit_code == 0, result.output
        assert ("stock: planning" in screen.getvalue()) is stdout_is_a_terminal
        assert "plan (dry run" in stdout.getvalue() and "stock: planning" not in stdout.getvalue()


def test_a_failed_run_exits_1_and_says_why(cli: Cli, store: Store) -> None:
    assert _add(cli, store).exit_code == 0
    store.sim.configure(access_token="shpat_rotated")  # the merchant revoked the app's token

    result = cli("reconcile", "shop", "--entity", "stock")
    assert result.exit_code == 1, result.output
    assert _row(result.stdout, "stock")[-3:] == ["0", "1", "failed"]  # writes, errors, status
    [error] = [row for row in result.stdout.splitlines() if "AuthenticationError" in row]
    assert "Shopify answered 401" in error
    assert result.stderr == "error: reconciliation of shop stock failed\n", "one line, no traceback"
    assert TOKEN not in result.output


def test_remove_and_unknown_ids(cli: Cli, store: Store) -> None:
    assert _add(cli, store).exit_code == 0
    line = _one_line_error(cli("reconcile", "shop", "--entity", "invoices"))
    assert line == "hub reconcile: shop reconciles orders, stock, not 'invoices'"

    removed = cli("connectors", "remove", "shop")
    assert removed.exit_code == 0 and removed.stderr.strip() == "connector shop removed"
    assert " shop " not in cli("connectors", "list").stdout
    for command, args in [
        ("connectors remove", ["connectors", "remove", "shop"]),
        ("connectors show", ["connectors", "show", "shop"]),
        ("reconcile", ["reconcile", "shop", "--dry-run"]),
    ]:
        assert _one_line_error(cli(*args)) == f"hub {command}: connector shop does not exist"
    assert _one_line_error(cli("connectors", "show", "[/b]")) == "hub connectors show: connector [/b] does not exist"


def test_a_database_without_the_schema_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "HUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}",
        "HUB_MIGRATE_ON_START": "0",
        "COLUMNS": "250",
    }
    result = CliRunner().invoke(app, ["connectors", "list"], env=env)
    line = _one_line_error(result)
    assert "has no hub schema" in line and "run `hub migrate` first" in line


def _cells(line: str) -> list[str]:
    """A table row's cells (the run summary has no vertical lines, and one word a cell)."""
    if "│" in line:
        return [cell.strip() for cell in line.split("│")[1:-1]]
    return line.split()


def _row(table: str, first: str) -> list[str]:
    """The table row whose first cell is ``first``."""
    [row] = [_cells(line) for line in table.splitlines() if _cells(line)[:1] == [first]]
    return row


def _rows(table: str, action: str) -> dict[str, list[str]]:
    """Plan items with ``action``: key → [desired, actual]."""
    return {cells[0]: cells[2:4] for line in table.splitlines() if (cells := _cells(line))[1:2] == [action]}


def test_update_replaces_mappings_keeps_the_config_and_saves_nothing_it_refuses(cli: Cli, store: Store) -> None:
    assert _add(cli, store).exit_code == 0
    line = _one_line_error(
        cli("connectors", "update", "shop", "--mappings", json.dumps(store.mappings(hangzhou="NOPE")))
    )
    assert (
        line == f"hub connectors update: location {store.location('Hangzhou Store')} maps to unknown warehouse 'NOPE'"
    )
    wrong = json.dumps(store.config(token="shpat_wrong"))
    line = _one_line_error(cli("connectors", "update", "shop", "--config", wrong))
    assert line.startswith("hub connectors update: Shopify refused the credentials")
    assert cli("connectors", "update", "shop").exit_code == 2

    mappings = store.mappings()
    only_shanghai = {"locations": {k: v for k, v in mappings["locations"].items() if v == "SH"}}
    updated = cli("connectors", "update", "shop", "--mappings", json.dumps(only_shanghai))
    assert updated.exit_code == 0, updated.output
    assert updated.stderr.strip() == "connector shop updated (active)"
    status = _status(cli)
    assert list(status["mappings"]["locations"].values()) == ["SH"]
    assert status["config"]["shop_url"] == store.url and status["config"]["access_token"] == "**********"
    # The stored token still works: nothing was lost with the config left out.
    assert cli("reconcile", "shop", "--entity", "stock", "--dry-run").exit_code == 0


def test_secrets_rotate_reencrypts_with_the_new_key_once(
    cli: Cli, store: Store, sqlite_url: str, tmp_path: Path
) -> None:
    assert _add(cli, store).exit_code == 0
    runner = CliRunner()
    base = {"HUB_DATABASE_URL": sqlite_url, "HUB_MIGRATE_ON_START": "0", "COLUMNS": "250"}
    new_key = {**base, "HUB_SECRET_KEY": "cli-test-key-2"}
    with_old = {**new_key, "HUB_SECRET_KEY_OLD": "cli-test-key"}

    assert _one_line_error(runner.invoke(app, ["connectors", "show", "shop"], env=new_key)).startswith(
        "hub connectors show: a connector config cannot be decrypted"
    )
    assert runner.invoke(app, ["connectors", "show", "shop"], env=with_old).exit_code == 0, "the old key opens"
    first = runner.invoke(app, ["secrets", "rotate"], env=with_old)
    assert first.exit_code == 0, first.output
    assert first.stderr.strip() == "1 of 1 stored secrets re-encrypted with the current key"
    again = runner.invoke(app, ["secrets", "rotate"], env=with_old)
    assert again.stderr.strip() == "0 of 1 stored secrets re-encrypted with the current key"
    shown = runner.invoke(app, ["connectors", "show", "shop", "--json"], env=new_key)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["config"]["shop_url"] == store.url
