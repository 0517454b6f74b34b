"""/v1/credit-notes: give back part of an invoice (units or an amount), read."""

from __future__ import annotations

from fastapi import APIRouter, Response

from hub.api.deps import Reader, Writer
from hub.api.pagination import Cursor, DocumentId, Limit, decode, encode
from hub.api.params import CodeFilter
from hub.api.receivable_schemas import CreditNoteOut
from hub.api.routers.invoices import DocumentFilter
from hub.api.routing import HubRoute
from hub.api.schemas import Page
from hub.core import handlers
from hub.core.errors import NotFound
from hub.core.receivable_commands import NewCreditNote
from hub.db.receivables import ReceivableQueries
from hub.db.uow import SqlUnitOfWork

router = APIRouter(route_class=HubRoute, prefix="/v1/credit-notes", tags=["credit notes"])


async def view(uow: SqlUnitOfWork, note_id: int) -> CreditNoteOut:
    note = await ReceivableQueries(uow.session).credit_note(note_id)
    if note is None:
        raise NotFound(f"credit note {note_id} does not exist")
    return CreditNoteOut.model_validate(note)


@router.post("", status_code=201, response_model=CreditNoteOut)
async def issue_credit_note(body: NewCreditNote, ctx: Writer) -> Response:
    """Never more than was invoiced less already credited; applied to the invoice's amount
    due, the rest left as customer credit. Returns issue theirs by themselves."""

    async def action(uow: SqlUnitOfWork) -> CreditNoteOut:
        note = await handlers.issue_credit_note(body, uow)
        return await view(uow, note.id or 0)

    return await ctx.write(action)


@router.get("", response_model=Page[CreditNoteOut])
async def list_credit_notes(
    ctx: Reader,
    customer: CodeFilter = None,
    invoice: DocumentFilter = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[CreditNoteOut]:
    """Newest first."""
    async with ctx.reader() as uow:
        page = await ReceivableQueries(uow.session).credit_notes(
            before=decode(cursor, int), limit=limit, customer=customer, invoice=invoice
        )
        items = [CreditNoteOut.model_validate(note) for note in page.items]
    return Page(items=items, next_cursor=encode(page.next_key))


@router.get("/{note_id}", response_model=CreditNoteOut)
async def get_credit_note(note_id: DocumentId, ctx: Reader) -> CreditNoteOut:
    async with ctx.reader() as uow:
        return await view(uow, note_id)
