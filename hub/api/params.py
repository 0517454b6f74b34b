"""Path and query parameters that name records: held to the same rules as the bodies that create them.

A value no record could have (a control character in a SKU, a connector id in capitals)
is refused with 422 naming the parameter, rather than looked up — the answer is the
same on every database, and PostgreSQL never sees text it cannot store.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

from hub.core.fields import Code, ExternalId

__all__ = [
    "CONNECTOR_ID_PATTERN",
    "MAX_SEQ",
    "CodeFilter",
    "CodePath",
    "ConnectorId",
    "ConnectorPath",
    "ExternalIdFilter",
    "Position",
]

#: Lowercase letters, digits, ``-`` and ``_``, 1–64: it names a connector instance everywhere
#: (channel of its orders, webhook URL, queue, dead letters).
CONNECTOR_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
ConnectorId = Annotated[str, StringConstraints(pattern=CONNECTOR_ID_PATTERN)]

#: A SKU or code in the path (``{sku:path}``: it may hold ``/``, sent as ``%2F``).
CodePath = Annotated[Code, Path(description="a SKU or code: 1–64 visible characters")]
#: An optional filter by SKU or code.
CodeFilter = Annotated[Code | None, Query()]
#: An optional filter by a channel's own order id.
ExternalIdFilter = Annotated[ExternalId | None, Query()]
#: A connector instance (or channel) id in the path.
ConnectorPath = Annotated[ConnectorId, Path(description="the connector instance's id")]

#: Moves, journal entries and events are numbered with 64-bit integers.
MAX_SEQ = 2**63 - 1


def _empty_is_none(value: object) -> object:
    return None if value == "" else value


#: A position in the ledger or the outbox; empty means "from the start".
Position = Annotated[
    Annotated[int, Field(ge=0, le=MAX_SEQ)] | None,
    BeforeValidator(_empty_is_none),
    Query(description="id of the last one already seen; empty or absent: from the start"),
    WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 0, "maximum": MAX_SEQ}, {"type": "string", "maxLength": 0}]}
    ),
]
