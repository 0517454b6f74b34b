"""Stage timestamps: where an event's time goes between its commit and its handler.

Off unless asked for. The relay, the local dispatchers and the Kafka subscribers take
an optional :class:`Trace`; without one they pay an ``is not None`` test per batch
(per message on Kafka) and nothing else. ``bench/relay.py`` passes one to time each
stage of the path an event takes::

    commit ─▶ relay.woken ─▶ relay.read ─▶ relay.acked ─▶ consumer.fetched ─▶ handler
                                                  └─▶ relay.marked (beside the path)

On the ``local`` transport the subscribers read the outbox themselves, so their path
is ``commit ─▶ consumer.woken ─▶ consumer.fetched ─▶ handler``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

__all__ = ["Stage", "Trace"]

Stage = Literal["relay.woken", "relay.read", "relay.acked", "relay.marked", "consumer.woken", "consumer.fetched"]


class Trace(Protocol):
    """Told, as it happens, that events reached a stage; it reads the clock itself."""

    def __call__(self, stage: Stage, event_ids: Sequence[str], /) -> None:
        """``event_ids`` reached ``stage`` just now; a wake-up (``*.woken``) names none."""
        ...
