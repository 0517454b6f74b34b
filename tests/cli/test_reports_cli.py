"""``hub report NAME``: the API's figures as a table, or CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.bootstrap import build
from hub.cli import app
from hub.config import Settings
from hub.core import handlers
from hub.core.commands import CountLine, NewProduct, NewStockCount, NewWarehouse


async def _stock(url: str) -> None:
    hub = build(Settings(database_url=url, _env_file=None))  # type: ignore[call-arg]
    try:
        async with hub.uow() as uow:
            await handlers.create_warehouse(NewWarehouse(code="SH", name="Shanghai"), uow)
            await handlers.create_product(NewProduct(sku="TEA", name="Tea"), uow)
            await handlers.post_stock_count(
                NewStockCount(warehouse="SH", lines=[CountLine(sku="TEA", counted=Decimal(7))]), uow
            )
            await uow.commit()
    finally:
        await hub.close()


@pytest.fixture
def runner(sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    asyncio.run(_stock(sqlite_url))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUB_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("COLUMNS", "200")
    return CliRunner()


def test_a_report_prints_as_a_table_and_as_csv(runner: CliRunner) -> None:
    shown = runner.invoke(app, ["report", "inventory"])
    assert shown.exit_code == 0, shown.output
    assert "inventory" in shown.stdout and "TEA" in shown.stdout and "days_of_cover" in shown.stdout
    as_csv = runner.invoke(app, ["report", "inventory", "--csv"])
    assert as_csv.exit_code == 0, as_csv.output
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0][:3] == ["sku", "on_hand", "value"] and rows[1][:2] == ["TEA", "7"]
    trial = runner.invoke(app, ["report", "trial-balance", "--csv"])
    assert trial.exit_code == 0 and trial.stdout.splitlines()[0].startswith("currency,account,role,kind,debit")
    sheet = runner.invoke(app, ["report", "balance-sheet"])
    assert sheet.exit_code == 0 and "assets: none" in sheet.stdout, sheet.output  # nothing posted yet
    for name, party in (("ar-aging", "customer"), ("ap-aging", "supplier")):
        aged = runner.invoke(app, ["report", name, "--at", "2026-12-01", "--csv"])
        assert aged.exit_code == 0, aged.output
        assert aged.stdout.splitlines()[0].split(",")[:3] == [party, "currency", "current"]


def test_bad_report_options_end_with_a_reason(runner: CliRunner) -> None:
    for args, reason in [
        (["report", "sales", "--group-by", "colour"], "groups by"),
        (["report", "sales", "--from", "soon"], "not a date"),
        (["report", "ar-aging", "--at", "soon"], "not a date"),
        (["report", "demand"], "--sku"),
        (["report", "demand", "--sku", "NOPE"], "unknown SKU"),
        (["report", "inventory", "--warehouse", "NOPE"], "unknown warehouse"),
    ]:
        result = runner.invoke(app, args)
        assert result.exit_code != 0 and reason in result.output, (args, result.output)
