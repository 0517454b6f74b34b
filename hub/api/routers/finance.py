"""The books: /v1/tax-rates, /v1/accounts (roles → chart codes), /v1/journal."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from hub.api.deps import Admin, Reader, Writer
from hub.api.pagination import Cursor, Limit, decode, encode
from hub.api.params import MAX_SEQ, CodePath, Position
from hub.api.routing import HubRoute
from hub.api.schemas import AccountOut, Accounts, JournalEntryOut, Page, TaxRateOut
from hub.core import handlers
from hub.core.commands import AccountCodes, NewTaxRate
from hub.core.errors import NotFound
from hub.db.books import Books
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1")

#: What posted an entry: ``receipt``, ``shipment``, ``invoice`` …
SourceType = Annotated[str | None, Query(pattern=r"^[a-z_]{1,32}$", description="the kind of document that posted it")]
SourceId = Annotated[int | None, Query(ge=1, le=MAX_SEQ, description="the id of the document that posted it")]


@router.post("/tax-rates", status_code=201, response_model=TaxRateOut, tags=["tax rates"])
async def create_tax_rate(body: NewTaxRate, ctx: Writer) -> Response:
    """A rate of tax that products and document lines name by ``code``; 409 if the code is taken."""

    async def action(uow: SqlUnitOfWork) -> TaxRateOut:
        return TaxRateOut.model_validate(await handlers.create_tax_rate(body, uow))

    return await ctx.write(action)


@router.get("/tax-rates", response_model=Page[TaxRateOut], tags=["tax rates"])
async def list_tax_rates(ctx: Reader, cursor: Cursor = None, limit: Limit = 50) -> Page[TaxRateOut]:
    """By code."""
    async with ctx.reader() as uow:
        page = await Books(uow.session).tax_rates(after=decode(cursor, str), limit=limit)
    return Page(items=[TaxRateOut.model_validate(rate) for rate in page.items], next_cursor=encode(page.next_key))


@router.get("/tax-rates/{code}", response_model=TaxRateOut, tags=["tax rates"])
async def get_tax_rate(code: CodePath, ctx: Reader) -> TaxRateOut:
    async with ctx.reader() as uow:
        rate = await Books(uow.session).tax_rate(code)
    if rate is None:
        raise NotFound(f"tax rate {code} does not exist")
    return TaxRateOut.model_validate(rate)


async def _accounts(ctx: Reader | Admin) -> Accounts:
    async with ctx.reader() as uow:
        rows = await Books(uow.session).accounts()
    return Accounts(items=[AccountOut(role=role, code=code, name=name) for role, code, name in rows])


@router.get("/accounts", response_model=Accounts, tags=["accounts"])
async def list_accounts(ctx: Reader) -> Accounts:
    """Every account role with the chart code it posts to (the default unless mapped)."""
    return await _accounts(ctx)


@router.put("/accounts", response_model=Accounts, tags=["accounts"])
async def set_accounts(body: AccountCodes, ctx: Admin) -> Response:
    """Map roles to the business's chart codes: ``{"revenue": "200", "expenses:freight": "425"}``.

    Roles not named keep their codes. Entries already posted keep the code they were posted
    with (the journal is immutable); new entries use the new codes. Answers the whole chart.
    """

    async def action(uow: SqlUnitOfWork) -> Accounts:
        await handlers.set_account_codes(body, uow)
        rows = await Books(uow.session).accounts()
        return Accounts(items=[AccountOut(role=role, code=code, name=name) for role, code, name in rows])

    return await ctx.write(action, status=200)


@router.get("/journal", response_model=Page[JournalEntryOut], tags=["journal"])
async def list_journal(
    ctx: Reader,
    after: Position = None,
    limit: Limit = 100,
    source_type: SourceType = None,
    source_id: SourceId = None,
) -> Page[JournalEntryOut]:
    """The journal, oldest first. ``next_cursor`` is the ``after`` for the next page."""
    async with ctx.reader() as uow:
        page = await Books(uow.session).entries(after=after, limit=limit, source_type=source_type, source_id=source_id)
    next_after = None if page.next_key is None else str(page.next_key)
    return Page(items=[JournalEntryOut.of(entry) for entry in page.items], next_cursor=next_after)


@router.get("/journal/{entry_id}", response_model=JournalEntryOut, tags=["journal"])
async def get_journal_entry(
    entry_id: Annotated[int, Path(ge=1, le=MAX_SEQ, description="the entry's id")], ctx: Reader
) -> JournalEntryOut:
    async with ctx.reader() as uow:
        entry = await Books(uow.session).entry(entry_id)
    if entry is None:
        raise NotFound(f"journal entry {entry_id} does not exist")
    return JournalEntryOut.of(entry)
