"""Tax and dates on purchase orders: a line's tax code, prices that include tax, the expected date."""

from __future__ import annotations

import httpx

from tests.api.payables import PO, tax_rate
from tests.api.support import assert_problem, create, writes_nothing


async def test_tax_code_prices_include_tax_and_expected_date_are_kept(seed: httpx.AsyncClient) -> None:
    await tax_rate(seed, "VAT13", "0.13")
    body = {
        "supplier": "ACME",
        "warehouse": "SH",
        "prices_include_tax": True,
        "expected_date": "2026-12-24",
        "lines": [
            {"sku": "TEA", "qty": 2, "unit_cost": "1.13", "tax_code": "VAT13"},
            {"sku": "RICE", "qty": 1, "unit_cost": "3"},
        ],
    }
    order = await create(seed, PO, body)
    assert (order["prices_include_tax"], order["expected_date"]) == (True, "2026-12-24")
    assert [line["tax_code"] for line in order["lines"]] == ["VAT13", None]
    assert [line["billed"] for line in order["lines"]] == [0, 0]
    assert (await seed.get(f"{PO}/{order['id']}")).json() == order


async def test_defaults_are_exclusive_prices_and_no_date(seed: httpx.AsyncClient) -> None:
    body = {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "unit_cost": "1"}]}
    order = await create(seed, PO, body)
    assert (order["prices_include_tax"], order["expected_date"], order["lines"][0]["tax_code"]) == (False, None, None)


async def test_bad_tax_code_flag_or_date_is_refused_naming_the_field(seed: httpx.AsyncClient) -> None:
    await tax_rate(seed, "VAT13", "0.13")
    line = {"sku": "TEA", "qty": 1, "unit_cost": "1"}
    base = {"supplier": "ACME", "warehouse": "SH", "lines": [line]}
    async with writes_nothing(seed):
        for change, field in [
            ({"lines": [line, {"sku": "RICE", "qty": 1, "unit_cost": "1", "tax_code": "NOPE"}]}, "lines[1].tax_code"),
            ({"lines": [line | {"tax_code": ""}]}, "lines[0].tax_code"),
            ({"prices_include_tax": "yes"}, "prices_include_tax"),
            ({"prices_include_tax": 1}, "prices_include_tax"),
            ({"expected_date": "2026-02-30"}, "expected_date"),
            ({"expected_date": "2026-12-24T10:00:00Z"}, "expected_date"),
            ({"expected_date": 20261224}, "expected_date"),
        ]:
            assert_problem(await seed.post(PO, json=base | change), 422, field)
