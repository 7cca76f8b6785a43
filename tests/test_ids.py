"""Stored rows get version 7 UUIDs: valid, unique, and ordered by time across milliseconds."""

from __future__ import annotations

import time
import uuid

from integration_health.ids import new_id


def test_it_is_a_version_7_rfc_4122_uuid() -> None:
    made = new_id()

    assert (7, uuid.RFC_4122) == (made.version, made.variant)


def test_it_carries_the_current_time_in_milliseconds() -> None:
    before = time.time_ns() // 1_000_000
    made = new_id()
    after = time.time_ns() // 1_000_000

    assert before <= made.int >> 80 <= after


def test_ids_made_in_later_milliseconds_sort_later() -> None:
    first = new_id()
    time.sleep(0.002)
    second = new_id()

    assert first < second


def test_ids_are_unique() -> None:
    assert 10_000 == len({new_id() for _ in range(10_000)})
