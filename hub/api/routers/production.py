"""/v1/production: materials issued to production, finished goods received from it."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter
from hub.api.routing import HubRoute
from hub.api.schemas import Page, ProductionIssueOut, ProductionReceiptOut
from hub.core import handlers
from hub.core.commands import NewProductionIssue, NewProductionReceipt
from hub.core.errors import NotFound
from hub.core.production import ProductionIssue, ProductionReceipt
from hub.db.queries import Queries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1/production", tags=["production"])


@router.post("/issues", status_code=201, response_model=ProductionIssueOut)
async def issue_to_production(body: NewProductionIssue, ctx: Writer) -> Response:
    """Issue materials (生产领料): warehouse → production at average cost, all lines or none
    (409 ``insufficient-stock`` names each short line)."""

    async def action(uow: SqlUnitOfWork) -> ProductionIssueOut:
        return ProductionIssueOut.of(await handlers.issue_to_production(body, uow))

    return await ctx.write(action)


@router.get("/issues", response_model=Page[ProductionIssueOut])
async def list_production_issues(
    ctx: Reader, warehouse: CodeFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[ProductionIssueOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await Queries(uow.session).production(
            ProductionIssue, before=decode(cursor, int), limit=limit, warehouse=warehouse
        )
    return Page(items=[ProductionIssueOut.of(issue) for issue in page.items], next_cursor=encode(page.next_key))


@router.get("/issues/{issue_id}", response_model=ProductionIssueOut)
async def get_production_issue(issue_id: DocumentId, ctx: Reader) -> ProductionIssueOut:
    async with ctx.reader() as uow:
        issue = await uow.production_issues.get(issue_id)
        if issue is None:
            raise NotFound(f"production issue {issue_id} does not exist")
        return ProductionIssueOut.of(issue)


@router.post("/receipts", status_code=201, response_model=ProductionReceiptOut)
async def receive_from_production(body: NewProductionReceipt, ctx: Writer) -> Response:
    """Receive finished goods (生产入库): production → warehouse, worth the total cost of the
    issues named in ``from_issues`` (split over the lines by quantity). An issue is consumed
    by one receipt only (409 otherwise)."""

    async def action(uow: SqlUnitOfWork) -> ProductionReceiptOut:
        return ProductionReceiptOut.of(await handlers.receive_from_production(body, uow))

    return await ctx.write(action)


@router.get("/receipts", response_model=Page[ProductionReceiptOut])
async def list_production_receipts(
    ctx: Reader, warehouse: CodeFilter = None, cursor: Cursor = None, limit: Limit = 50
) -> Page[ProductionReceiptOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await Queries(uow.session).production(
            ProductionReceipt, before=decode(cursor, int), limit=limit, warehouse=warehouse
        )
    return Page(items=[ProductionReceiptOut.of(r) for r in page.items], next_cursor=encode(page.next_key))


@router.get("/receipts/{receipt_id}", response_model=ProductionReceiptOut)
async def get_production_receipt(receipt_id: DocumentId, ctx: Reader) -> ProductionReceiptOut:
    async with ctx.reader() as uow:
        receipt = await uow.production_receipts.get(receipt_id)
        if receipt is None:
            raise NotFound(f"production receipt {receipt_id} does not exist")
        return ProductionReceiptOut.of(receipt)
