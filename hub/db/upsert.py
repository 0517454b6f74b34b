"""``INSERT … ON CONFLICT`` for the dialect at hand: the one place that picks it.

PostgreSQL and SQLite spell upserts the same way in SQLAlchemy, but through their own
``insert`` constructs; every upsert in ``hub.db`` asks here rather than choosing again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["insert_for", "upsert_insert"]


def insert_for(dialect: str) -> Any:
    """The ``insert`` construct that has ``on_conflict_do_*`` on ``dialect``."""
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


def upsert_insert(session: AsyncSession, table: Any) -> Any:
    """``insert(table)`` with ``on_conflict_do_*``, for the session's database."""
    return insert_for(session.get_bind().dialect.name)(table)
