"""``hub demo``: a small tea and teaware business, loaded through the service layer.

    business.py   the sample business as commands (what happens, day by day)
    load.py       replays it through hub.core.handlers, one unit of work per step
    report.py     reads back what is there and prints where to look
    shop.py       the simulated Shopify store it sells through, and its connector
    live.py       the hub running with that store, narrated (``hub demo`` without --no-store)

The demo loads only into a database without master data: sample records — and the
outbox events that would carry them to connected systems — must never mix with real
books. It knows its own data by the warehouse :data:`MARKER`, so a second run changes
nothing and only shows the hints again (with a fresh key).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from hub.bootstrap import Hub
from hub.demo.business import MARKER
from hub.demo.live import run_store
from hub.demo.load import DemoError, State, load, state
from hub.demo.report import DemoReport, Summary, show, summarize

__all__ = ["MARKER", "DemoError", "DemoReport", "Summary", "check_url", "run_demo", "run_store", "show", "summarize"]

_NEW_DATABASE = "`make demo` (./demo.db), or HUB_DATABASE_URL=sqlite+aiosqlite:///./demo.db .venv/bin/hub demo"


def check_url(url: str) -> None:
    """Refuse, before connecting, a database URL the demo cannot use — saying why."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise DemoError(f"HUB_DATABASE_URL {url!r} is not a database URL") from error
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DemoError(f"unsupported database {backend!r}: use sqlite+aiosqlite:///FILE or postgresql+asyncpg://…")
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise DemoError(f"an in-memory SQLite database vanishes when `hub demo` ends; name a file: {_NEW_DATABASE}")
        folder = Path(parsed.database).expanduser().resolve().parent
        if not folder.is_dir():
            raise DemoError(f"the folder for the SQLite file does not exist: {folder}")


async def run_demo(hub: Hub) -> DemoReport:
    """Load the demo unless it is there already; then summarise it and make an admin key."""
    found = await state(hub)
    if found is State.FOREIGN:
        raise DemoError(
            "this database already holds other data (products, warehouses or partners) and the demo only loads "
            f"into an empty one. Point HUB_DATABASE_URL at a new database, e.g. {_NEW_DATABASE}"
        )
    if found is State.PARTIAL:
        raise DemoError(
            "this database holds part of the demo: an earlier `hub demo` stopped half way (or is running now). "
            f"Load it into a new database, e.g. {_NEW_DATABASE}"
        )
    if found is State.EMPTY:
        await load(hub)
    summary = await summarize(hub)
    record, key = await hub.keys.create({"admin"}, name="hub demo")
    return DemoReport(loaded=found is State.EMPTY, summary=summary, key=key, key_id=record.id)
