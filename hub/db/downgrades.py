"""What a downgrade migration checks before it changes anything.

A downgrade that would have to throw records away stops first, with a message that says
what is in the way and what to do, rather than delete finance records (an invoice whose
lines no longer add up to its total) or fail half-way: Alembic runs SQLite's DDL
outside a transaction, so a statement failing late would leave some tables downgraded
and others not. Alembic prints a :class:`~alembic.util.CommandError` as ``FAILED: …``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context, op
from alembic.util import CommandError

__all__ = ["refuse_while"]


def refuse_while(revision: str, checks: dict[str, str], advice: str) -> None:
    """Stop the downgrade below ``revision`` while any of ``checks`` (what → a ``SELECT
    count(*)``) finds rows. Offline (``--sql``) there are no rows to look at: the script
    is written as it is."""
    if context.is_offline_mode():
        return
    bind = op.get_bind()
    found = {what: bind.execute(sa.text(query)).scalar_one() for what, query in checks.items()}
    blocking = ", ".join(f"{count} {what}" for what, count in found.items() if count)
    if blocking:
        raise CommandError(
            f"cannot downgrade below revision {revision}: the database holds {blocking}, "
            f"which the older schema cannot keep. {advice} Nothing was changed."
        )
