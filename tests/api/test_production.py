"""Production: materials issued to production at average cost, goods received at their cost."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.support import assert_problem, create, events, no_new_events, sell, stock, walk, writes_nothing

ISSUES, RECEIPTS = "/v1/production/issues", "/v1/production/receipts"


def issue_body(*lines: tuple[str, Any], warehouse: str = "SH") -> dict[str, Any]:
    return {"warehouse": warehouse, "lines": [{"sku": s, "qty": q} for s, q in lines]}


def receipt_body(*lines: tuple[str, Any], issues: list[Any], warehouse: str = "SH") -> dict[str, Any]:
    return issue_body(*lines, warehouse=warehouse) | {"from_issues": issues}


async def postings(api: httpx.AsyncClient, source_type: str, source_id: int) -> dict[str, tuple[str, str]]:
    """role → (debit, credit) of the journal entry the document posted."""
    params = {"source_type": source_type, "source_id": source_id}
    [entry] = (await api.get("/v1/journal", params=params)).json()["items"]
    return {line["role"]: (line["debit"], line["credit"]) for line in entry["lines"]}


async def test_materials_go_in_at_average_cost_and_goods_come_out_worth_them(seed: httpx.AsyncClient) -> None:
    await create(seed, "/v1/products", {"sku": "GIFT", "name": "Gift box"})
    issue = await create(seed, ISSUES, issue_body(("TEA", 4), ("RICE", 2.5)))
    assert (issue["warehouse"], issue["receipt_id"], issue["cost"]) == ("SH", None, "15.50")
    assert issue["lines"] == [{"sku": "TEA", "qty": 4, "cost": "8.00"}, {"sku": "RICE", "qty": 2.5, "cost": "7.50"}]
    assert (await seed.get(f"{ISSUES}/{issue['id']}")).json() == issue
    assert (await stock(seed, "TEA"))["on_hand"] == 16
    assert (await seed.get("/v1/stock/TEA")).json()["stock_value"] == "32.00"
    moves = await walk(seed, "/v1/moves", cursor_param="after")
    assert [(m["sku"], m["from_location"], m["to_location"], m["value"]) for m in moves[-2:]] == [
        ("TEA", "SH", "production", "8.00"),
        ("RICE", "SH", "production", "7.50"),
    ]
    feed = await events(seed)
    assert await postings(seed, "production_issue", issue["id"]) == {
        "production_wip": ("15.50", "0.00"),
        "inventory": ("0.00", "15.50"),
    }
    [issued] = [e["payload"] for e in feed if e["type"] == "production.issued"]
    assert (issued["issue_id"], issued["cost"], issued["lines"]) == (issue["id"], "15.50", issue["lines"])

    receipt = await create(seed, RECEIPTS, receipt_body(("MUG", 2), ("GIFT", 1), issues=[issue["id"]]))
    assert (receipt["from_issues"], receipt["cost"]) == ([issue["id"]], "15.50")
    # 15.50 split by quantity: 2/3 and the rest, so the shares add up to the cent.
    assert receipt["lines"] == [
        {"sku": "MUG", "qty": 2, "cost": "10.333333"},
        {"sku": "GIFT", "qty": 1, "cost": "5.166667"},
    ]
    assert (await seed.get(f"{RECEIPTS}/{receipt['id']}")).json() == receipt
    assert (await seed.get(f"{ISSUES}/{issue['id']}")).json()["receipt_id"] == receipt["id"]
    mug = (await seed.get("/v1/stock/MUG")).json()
    assert (mug["on_hand"], mug["stock_value"], mug["average_cost"]) == (2, "10.333333", "5.166666")
    feed = await events(seed)
    assert await postings(seed, "production_receipt", receipt["id"]) == {
        "inventory": ("15.50", "0.00"),
        "production_wip": ("0.00", "15.50"),
    }
    [received] = [e["payload"] for e in feed if e["type"] == "production.received"]
    assert (received["receipt_id"], received["from_issues"], received["cost"]) == (
        receipt["id"],
        [issue["id"]],
        "15.50",
    )
    assert [i["id"] for i in await walk(seed, ISSUES)] == [issue["id"]]
    assert [r["id"] for r in await walk(seed, RECEIPTS, warehouse="SH")] == [receipt["id"]]
    assert await walk(seed, RECEIPTS, warehouse="BJ") == []

    # An issue is consumed once.
    async with writes_nothing(seed):
        body = assert_problem(
            await seed.post(RECEIPTS, json=receipt_body(("MUG", 1), issues=[issue["id"]])), 409, "from_issues[0]"
        )
        assert f"receipt {receipt['id']}" in body["detail"]


async def test_a_receipt_can_consume_several_issues(seed: httpx.AsyncClient) -> None:
    first = await create(seed, ISSUES, issue_body(("TEA", 1)))
    second = await create(seed, ISSUES, issue_body(("TEA", 2)))
    receipt = await create(seed, RECEIPTS, receipt_body(("MUG", 3), issues=[second["id"], first["id"]]))
    assert (receipt["from_issues"], receipt["cost"]) == ([second["id"], first["id"]], "6.00")
    listed = await walk(seed, ISSUES, limit=1)
    assert [i["id"] for i in listed] == [second["id"], first["id"]]  # newest first, paged
    assert {i["receipt_id"] for i in listed} == {receipt["id"]}


async def test_production_cannot_take_reserved_or_missing_stock(seed: httpx.AsyncClient) -> None:
    await sell(seed, ("TEA", 18, "5"))
    async with writes_nothing(seed):
        body = assert_problem(await seed.post(ISSUES, json=issue_body(("RICE", 1), ("TEA", 3))), 409, "lines[1].qty")
        assert body["shortages"] == [
            {"line": 1, "field": "lines[1].qty", "sku": "TEA", "warehouse": "SH", "requested": 3, "available": 2}
        ]
        assert_problem(await seed.post(ISSUES, json=issue_body(("MUG", 1))), 409, "lines[0].qty")
        assert await walk(seed, ISSUES) == []


BAD_ISSUES: list[tuple[dict[str, Any], str]] = [
    (issue_body(("TEA", 1), warehouse="NOPE"), "warehouse"),
    (issue_body(("TEA", 1), warehouse="production"), "warehouse"),
    (issue_body(("TEA", 1), ("NOPE", 1)), "lines[1].sku"),
    (issue_body(("TEA", 1), ("TEA", 1)), "lines[1].sku"),
    (issue_body(("TEA", 0)), "lines[0].qty"),
    (issue_body(("TEA", -1)), "lines[0].qty"),
    (issue_body(("TEA", "1")), "lines[0].qty"),
    (issue_body(), "lines"),
    ({"lines": [{"sku": "TEA", "qty": 1}]}, "warehouse"),
]


async def test_bad_issues_are_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    async with writes_nothing(seed):
        for body, field in BAD_ISSUES:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post(ISSUES, json=body), 422, field)


async def test_bad_receipts_are_refused(seed: httpx.AsyncClient, subtests: pytest.Subtests) -> None:
    issue = await create(seed, ISSUES, issue_body(("TEA", 1)))
    ok = issue["id"]
    bad: list[tuple[dict[str, Any], str]] = [
        (receipt_body(("MUG", 1), issues=[ok + 100]), "from_issues[0]"),
        (receipt_body(("MUG", 1), issues=[ok, ok]), "from_issues[1]"),
        (receipt_body(("MUG", 1), issues=[]), "from_issues"),
        (receipt_body(("MUG", 1), issues=[0]), "from_issues[0]"),
        (receipt_body(("MUG", 1), issues=[2**31]), "from_issues[0]"),
        (receipt_body(("MUG", 1), issues=[str(ok)]), "from_issues[0]"),
        (receipt_body(("MUG", 1), issues=[True]), "from_issues[0]"),
        (issue_body(("MUG", 1)), "from_issues"),
        (receipt_body(("MUG", 1), issues=[ok], warehouse="NOPE"), "warehouse"),
        (receipt_body(("NOPE", 1), issues=[ok]), "lines[0].sku"),
        (receipt_body(("MUG", 1), ("MUG", 2), issues=[ok]), "lines[1].sku"),
        (receipt_body(("MUG", 0), issues=[ok]), "lines[0].qty"),
        (receipt_body(issues=[ok]), "lines"),
    ]
    async with writes_nothing(seed):
        for body, field in bad:
            with subtests.test(field=field, body=body):
                async with no_new_events(seed):
                    assert_problem(await seed.post(RECEIPTS, json=body), 422, field)
    assert (await seed.get(f"{ISSUES}/{ok}")).json()["receipt_id"] is None


async def test_a_repeated_request_with_its_key_issues_and_receives_once(seed: httpx.AsyncClient) -> None:
    headers = {"Idempotency-Key": "issue-1"}
    first = await seed.post(ISSUES, json=issue_body(("TEA", 2)), headers=headers)
    assert first.status_code == 201
    async with writes_nothing(seed):
        again = await seed.post(ISSUES, json=issue_body(("TEA", 2)), headers=headers)
    assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (201, first.content, "true")
    assert_problem(await seed.post(ISSUES, json=issue_body(("TEA", 3)), headers=headers), 422, "Idempotency-Key")
    assert (await stock(seed, "TEA"))["on_hand"] == 18

    body = receipt_body(("MUG", 1), issues=[first.json()["id"]])
    headers = {"Idempotency-Key": "receipt-1"}
    made = await seed.post(RECEIPTS, json=body, headers=headers)
    assert made.status_code == 201
    async with writes_nothing(seed):
        again = await seed.post(RECEIPTS, json=body, headers=headers)
    assert (again.status_code, again.content, again.headers["Idempotent-Replayed"]) == (201, made.content, "true")
    assert (await stock(seed, "MUG"))["on_hand"] == 1


async def test_unknown_production_documents_are_404(seed: httpx.AsyncClient) -> None:
    for path in (f"{ISSUES}/99", f"{RECEIPTS}/99"):
        assert_problem(await seed.get(path), 404)
