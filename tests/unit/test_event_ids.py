"""Event ids are UUIDv7: standard UUIDs that sort by the millisecond they were made."""

from __future__ import annotations

import time
import uuid

from hub.outbox.envelope import new_event_id


def test_an_event_id_is_a_version_7_uuid_carrying_the_millisecond_it_was_made() -> None:
    before = time.time_ns() // 1_000_000
    ids = [uuid.UUID(new_event_id()) for _ in range(1000)]
    after = time.time_ns() // 1_000_000

    assert {(u.version, u.variant) for u in ids} == {(7, uuid.RFC_4122)}
    assert all(before <= u.int >> 80 <= after for u in ids)
    assert len(set(ids)) == 1000


def test_ids_made_in_later_milliseconds_sort_after_earlier_ones() -> None:
    first = new_event_id()
    start = time.time_ns() // 1_000_000
    while time.time_ns() // 1_000_000 <= start + 1:  # into a later millisecond, whatever the clock's grain
        pass
    assert new_event_id() > first
