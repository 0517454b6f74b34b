"""The event catalogue: ``hub events schema`` writes schemas that the hub's real events satisfy."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.core.events import EVENT_TYPES, EVENT_VERSIONS, StockLevelChanged
from hub.outbox.catalogue import CATALOGUE, TOPICS, DeadLetterMessage, spec
from hub.outbox.delivery import DeadLetter, Delivery, Message, Poison, decode
from hub.outbox.envelope import envelope_for
from hub.outbox.kafka import ALL_TOPICS, kafka_broker
from tests.api.support import create, events, purchase, sales_body, sell

SO = "/v1/sales-orders"


def write_schemas(out: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run ``hub events schema --out OUT`` with no reachable database; every file written, parsed."""
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:9/none")
    result = CliRunner().invoke(app, ["events", "schema", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = {line.strip() for line in result.stdout.splitlines() if line.strip()}
    files = {str(path.relative_to(out)): json.loads(path.read_text()) for path in out.rglob("*.json")}
    assert written == {str(out / name) for name in files}, "prints exactly what it wrote"
    return files


async def business(api: httpx.AsyncClient) -> None:
    """Every kind of event the core emits, through the API (on top of ``seed``)."""
    await create(api, "/v1/tax-rates", {"code": "VAT13", "name": "VAT 13%", "rate": "0.13"})
    await create(api, "/v1/products", {"sku": "PEN", "name": "Pen", "reorder_point": 5, "reorder_max": 20})
    await purchase(api, [("PEN", 3, "1.00")])  # below the band: low_stock raised
    await purchase(api, [("PEN", 10, "1.00")])  # back in the band: cleared
    cancelled_po = await create(
        api,
        "/v1/purchase-orders",
        {"supplier": "ACME", "warehouse": "SH", "lines": [{"sku": "TEA", "qty": 1, "unit_cost": "1"}]},
    )
    await create(api, f"/v1/purchase-orders/{cancelled_po['id']}/cancel", status=200)
    order = await sell(api, ("TEA", 3, "5"), external_id="web-1", channel="web")
    await create(api, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 2}], "carrier": "SF"})
    await create(api, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
    await create(api, f"{SO}/{order['id']}/cancel", status=200)
    held = await create(api, SO, sales_body(("TEA", 10, "50"), customer="C2"))
    assert held["status"] == "on_hold"
    await create(api, f"{SO}/{held['id']}/reduce", {"lines": [{"sku": "TEA", "qty": 5}]}, status=200)
    transfer = await create(
        api, "/v1/transfers", {"from_warehouse": "SH", "to_warehouse": "BJ", "lines": [{"sku": "RICE", "qty": 1.5}]}
    )
    await create(api, f"/v1/transfers/{transfer['id']}/receive", status=200)
    await create(api, "/v1/stock-counts", {"warehouse": "SH", "lines": [{"sku": "RICE", "counted": 10}]})
    await payables(api)


async def payables(api: httpx.AsyncClient) -> None:
    """Bills (one open, one held then approved), a supplier payment, a landed expense."""
    received = await purchase(api, [("TEA", 10, "2.00")])
    bill = {"purchase_order": received["id"], "date": "2026-12-01"}
    open_ = await create(
        api, "/v1/bills", bill | {"supplier_reference": "C-1", "lines": [{"sku": "TEA", "qty": 5, "unit_cost": "2"}]}
    )
    held = await create(
        api, "/v1/bills", bill | {"supplier_reference": "C-2", "lines": [{"sku": "TEA", "qty": 5, "unit_cost": "3"}]}
    )
    await create(api, f"/v1/bills/{held['id']}/approve", status=200)
    payment = {"supplier": "ACME", "amount": "12.00", "currency": "USD", "date": "2026-12-02", "method": "bank"}
    paid = await create(
        api, "/v1/supplier-payments", payment | {"allocations": [{"bill": open_["id"], "amount": "5.00"}]}
    )
    later = {"allocations": [{"bill": open_["id"], "amount": "5.00"}]}
    await create(api, f"/v1/supplier-payments/{paid['id']}/allocations", later, status=200)
    freight = {"category": "freight", "amount": "4.00", "date": "2026-12-02", "supplier": "ACME"}
    await create(api, "/v1/expenses", freight | {"landed_on_receipt": received["receipts"][-1]["id"]})
    issue = await create(api, "/v1/production/issues", {"warehouse": "SH", "lines": [{"sku": "RICE", "qty": 2}]})
    await create(
        api,
        "/v1/production/receipts",
        {"warehouse": "SH", "lines": [{"sku": "MUG", "qty": 1}], "from_issues": [issue["id"]]},
    )
    await receivables(api)


async def receivables(api: httpx.AsyncClient) -> None:
    """Invoices (with shipping and discount lines), a void, credit notes (explicit and from a
    return), a payment and a later allocation."""
    body = sales_body(("TEA", 4, "5"))
    body["lines"][0]["tax_code"] = "VAT13"
    body["charges"] = [
        {"kind": "shipping", "description": "Courier", "amount": "3.00", "tax_code": "VAT13"},
        {"kind": "discount", "description": "SPRING", "amount": "2.00"},
    ]
    order = await create(api, SO, body)
    await create(api, f"{SO}/{order['id']}/shipments", {"lines": [{"sku": "TEA", "qty": 4}]})
    voided = await create(api, "/v1/invoices", {"sales_order": order["id"]})
    await create(api, f"/v1/invoices/{voided['id']}/void", status=200)
    invoice = await create(api, "/v1/invoices", {"sales_order": order["id"]})
    await create(api, "/v1/credit-notes", {"invoice": invoice["id"], "amount": "1.00", "reason": "goodwill"})
    await create(api, f"{SO}/{order['id']}/returns", {"lines": [{"sku": "TEA", "qty": 1, "restock": True}]})
    allocation = {"invoice": invoice["id"], "amount": "5.00"}
    payment = {"customer": "C1", "amount": "10.00", "currency": "USD", "method": "cash", "allocations": [allocation]}
    paid = await create(api, "/v1/payments", payment)
    await create(api, f"/v1/payments/{paid['id']}/allocations", {"allocations": [allocation]})


async def test_every_event_the_hub_emits_matches_its_written_schema(
    seed: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = write_schemas(tmp_path / "out", monkeypatch)
    assert {f"schemas/{type_}.v{cls.version}.json" for type_, cls in EVENT_TYPES.items()} <= files.keys()
    await business(seed)
    feed = await events(seed)
    assert {e["type"] for e in feed} == EVENT_TYPES.keys(), "the business covers every event type"
    envelope = files["schemas/envelope.json"]
    for event in feed:
        # What /v1/events lists is the outbox row; the message is the same minus the bookkeeping.
        message = {k: v for k, v in event.items() if k not in ("seq", "published_at")}
        schema = files[f"schemas/{event['type']}.v{event['version']}.json"]
        jsonschema.validate(message, schema, format_checker=jsonschema.FormatChecker())
        jsonschema.validate(message, envelope)


def test_a_schema_rejects_what_its_event_would_not_carry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema = write_schemas(tmp_path, monkeypatch)["schemas/stock.level_changed.v1.json"]
    good = {
        "event_id": "0b7f6c51-7a47-4a39-9f0e-8a8f0c4d3b1e",
        "type": "stock.level_changed",
        "version": 1,
        "aggregate_type": "stock",
        "aggregate_id": "TEA",
        "tenant": "default",
        "occurred_at": "2026-01-02T03:04:05.123456Z",
        "correlation_id": None,
        "causation_id": None,
        "payload": {"sku": "TEA", "warehouse": "SH", "on_hand": 5, "reserved": 1, "available": 4, "in_transit": 0.5},
    }
    jsonschema.validate(good, schema)
    for bad in (
        good | {"version": 2},
        good | {"type": "stock.moved"},
        good | {"payload": good["payload"] | {"on_hand": "5"}},  # quantities travel as numbers
        good | {"payload": {k: v for k, v in good["payload"].items() if k != "in_transit"}},
        good | {"payload": good["payload"] | {"colour": "red"}},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_the_asyncapi_document_lists_every_topic_and_its_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = write_schemas(tmp_path, monkeypatch)["asyncapi.json"]
    assert document["asyncapi"] == "3.0.0" and document["info"]["title"] == "jxc-hub events"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert addresses == set(ALL_TOPICS)
    schemas = document["components"]["schemas"]
    for topic, specs in TOPICS.items():
        [message] = document["channels"][topic]["messages"].values()
        payload = document["components"]["messages"][message["$ref"].rsplit("/", 1)[1]]["payload"]
        named = schemas[payload["$ref"].rsplit("/", 1)[1]]
        refs = [ref["$ref"] for ref in named.get("anyOf", [payload])]
        assert sorted(ref.rsplit("/", 1)[1] for ref in refs) == sorted(f"{s.event.__name__}Envelope" for s in specs)
    assert set(DeadLetterMessage.model_fields) <= set(schemas["DeadLetterMessage"]["properties"])


def test_the_catalogue_keeps_versions_apart() -> None:
    assert set(CATALOGUE) == set(EVENT_VERSIONS)
    level = spec("stock.level_changed", 1)
    assert (level.key, level.topic) == ("stock.level_changed.v1", "hub.stock.v1")
    assert level.payload_schema()["properties"].keys() == {
        "sku",
        "warehouse",
        "on_hand",
        "reserved",
        "available",
        "in_transit",
    }
    assert level.envelope_schema()["properties"]["version"]["const"] == 1
    with pytest.raises(KeyError):
        spec("stock.level_changed", 2)


def test_a_second_version_of_an_event_is_read_beside_the_first(monkeypatch: pytest.MonkeyPatch) -> None:
    class StockLevelChangedV2(StockLevelChanged):
        version = 2
        unit: str

    monkeypatch.setitem(EVENT_VERSIONS, ("stock.level_changed", 2), StockLevelChangedV2)
    v1 = envelope_for(StockLevelChanged(**LEVEL), tenant="t").model_dump(mode="json")
    v2 = v1 | {"version": 2, "payload": v1["payload"] | {"unit": "kg"}}
    assert type(decode(json.dumps(v1).encode()).event) is StockLevelChanged
    assert decode(json.dumps(v2).encode()).event == StockLevelChangedV2(**LEVEL, unit="kg")
    with pytest.raises(Poison, match=re.escape("version 3 is not known (this hub reads 1, 2)")):
        decode(json.dumps(v1 | {"version": 3}).encode())
    with pytest.raises(Poison, match="unknown event type"):
        decode(json.dumps(v1 | {"type": "stock.vanished"}).encode())


LEVEL = {"sku": "TEA", "warehouse": "SH", "on_hand": 5, "reserved": 1, "available": 4, "in_transit": 0}


async def test_the_dead_letter_notice_has_the_documented_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    delivery = Delivery(None, max_attempts=1, retry_delay=0)  # type: ignore[arg-type]  # never handles here
    broker = kafka_broker("127.0.0.1:9", [], delivery)
    sent: list[tuple[bytes, str]] = []

    async def publish(body: bytes, topic: str, **_: Any) -> None:
        sent.append((body, topic))

    monkeypatch.setattr(broker, "publish", publish)
    assert delivery.on_dead_letter is not None
    letter = DeadLetter(7, "audit", None, None, "kafka:hub.stock.v1/0@3", "Poison: not an event envelope", 0)
    await delivery.on_dead_letter(letter, Message(b"\xffnot json", letter.source))
    [(body, topic)] = sent
    assert topic == "hub.dlq.v1"
    jsonschema.validate(json.loads(body), DeadLetterMessage.model_json_schema())


async def test_a_placed_orders_events_list_its_charges(
    seed: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schemas = write_schemas(tmp_path, monkeypatch)
    charges = [
        {"kind": "shipping", "description": "Courier", "amount": "3.00", "tax_code": None},
        {"kind": "discount", "description": "SPRING", "amount": "2.00", "tax_code": None},
    ]
    body = sales_body(("TEA", 1, "5"), charges=[{k: v for k, v in c.items() if v is not None} for c in charges])
    await create(seed, SO, body)
    await create(seed, SO, sales_body(("TEA", 20, "5"), customer="C2", charges=body["charges"]))  # over its limit
    placed = {e["type"]: e for e in await events(seed) if e["type"] in ("sales_order.confirmed", "sales_order.on_hold")}
    for type_ in ("sales_order.confirmed", "sales_order.on_hold"):
        message = {k: v for k, v in placed[type_].items() if k not in ("seq", "published_at")}
        assert message["payload"]["charges"] == charges
        schema = schemas[f"schemas/{type_}.v1.json"]
        jsonschema.validate(message, schema)
        # Additive: a message from before the charges were listed still conforms.
        jsonschema.validate(
            message | {"payload": {k: v for k, v in message["payload"].items() if k != "charges"}}, schema
        )
        with pytest.raises(jsonschema.ValidationError):
            bad = [charges[0] | {"kind": "handling"}]
            jsonschema.validate(message | {"payload": message["payload"] | {"charges": bad}}, schema)
