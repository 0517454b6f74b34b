"""Handlers for the books: tax rates, the chart of accounts, and posting to the journal."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.core.commands import AccountCodes, NewTaxRate
from hub.core.errors import DuplicateRecord, InvalidInput
from hub.core.events import JournalLinePosted, JournalPosted, TaxRateUpserted
from hub.core.journal import JournalEntry
from hub.core.ports import UnitOfWork
from hub.core.tax import TaxRate

__all__ = ["create_tax_rate", "known_tax_rate", "post_entry", "set_account_codes", "today"]


def today() -> datetime:
    return datetime.now(UTC)


async def create_tax_rate(cmd: NewTaxRate, uow: UnitOfWork) -> TaxRate:
    if await uow.tax_rates.get(cmd.code) is not None:
        raise DuplicateRecord(f"tax rate {cmd.code} already exists", field="code")
    rate = TaxRate(code=cmd.code, name=cmd.name, rate=cmd.rate)
    await uow.tax_rates.add(rate)
    uow.emit(TaxRateUpserted(code=rate.code, name=rate.name, rate=f"{rate.rate.normalize():f}"))
    return rate


async def known_tax_rate(uow: UnitOfWork, code: str, field: str) -> TaxRate:
    rate = await uow.tax_rates.get(code)
    if rate is None:
        raise InvalidInput(f"unknown tax code {code!r}", field=field)
    return rate


async def set_account_codes(cmd: AccountCodes, uow: UnitOfWork) -> None:
    await uow.accounts.set_codes(dict(cmd.root))


async def post_entry(uow: UnitOfWork, entry: JournalEntry) -> JournalEntry:
    """Append a balanced entry to the journal and announce it (``journal.posted``)."""
    await uow.journal.add(entry)
    assert entry.id is not None
    uow.emit(
        JournalPosted(
            entry_id=entry.id,
            date=entry.date.isoformat(),
            currency=entry.currency,
            source_type=entry.source_type,
            source_id=entry.source_id,
            lines=[
                JournalLinePosted(
                    account=line.account,
                    role=line.role,
                    debit=line.debit,
                    credit=line.credit,
                    tax_code=line.tax_code,
                    party=line.party,
                )
                for line in entry.lines
            ],
        )
    )
    return entry
