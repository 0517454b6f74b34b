"""Read-side queries of the books: tax rates, the chart of accounts, the journal."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.core.journal import DEFAULT_CHART, FAMILIES, JournalEntry
from hub.core.tax import TaxRate
from hub.db import tables as t
from hub.db.queries import Page, keyset_page

__all__ = ["Books"]


class Books:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def tax_rate(self, code: str) -> TaxRate | None:
        return await self.session.scalar(select(TaxRate).where(t.tax_rates.c.code == code))

    async def tax_rates(self, *, after: str | None, limit: int) -> Page[TaxRate]:
        stmt = select(TaxRate).order_by(t.tax_rates.c.code).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(t.tax_rates.c.code > after)
        return keyset_page(list(await self.session.scalars(stmt)), limit, lambda rate: rate.code)

    async def accounts(self) -> list[tuple[str, str, str]]:
        """Every role with its chart code and name: the defaults, the business's codes over them,
        and every family member (``expenses:freight``) that was mapped, sorted by role."""
        mapped = dict((await self.session.execute(select(t.account_codes.c.role, t.account_codes.c.code))).all())
        roles = sorted(set(DEFAULT_CHART) | set(mapped))
        found = []
        for role in roles:
            family, _, member = role.partition(":")
            code = mapped.get(role) or mapped.get(family) or DEFAULT_CHART[family][0]
            name = DEFAULT_CHART[family][1]
            if member:
                name = f"{name}: {member}"
            elif role in FAMILIES:
                name = f"{name} (any without its own code)"
            found.append((role, code, name))
        return found

    async def entry(self, entry_id: int) -> JournalEntry | None:
        return await self.session.scalar(select(JournalEntry).where(t.journal_entries.c.id == entry_id))

    async def entries(
        self, *, after: int | None, limit: int, source_type: str | None, source_id: int | None
    ) -> Page[JournalEntry]:
        stmt = select(JournalEntry).order_by(t.journal_entries.c.id).limit(limit + 1)
        if after is not None:
            stmt = stmt.where(t.journal_entries.c.id > after)
        if source_type is not None:
            stmt = stmt.where(t.journal_entries.c.source_type == source_type)
        if source_id is not None:
            stmt = stmt.where(t.journal_entries.c.source_id == source_id)
        return keyset_page(list(await self.session.scalars(stmt)), limit, lambda entry: entry.id)
