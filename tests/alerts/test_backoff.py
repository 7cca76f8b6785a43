"""Retry timing: 1 s doubling to a 5 min cap, equal jitter, and giving up after 24 h."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from integration_health.alerts.backoff import delay_cap, next_attempt

FAILED = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


class Fixed:
    """A source of randomness that always draws ``value``."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        """Return the fixed draw."""
        return self.value


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 64), (8, 128), (9, 256), (10, 300)],
)
def test_the_wait_doubles_from_one_second_to_five_minutes(attempts: int, seconds: int) -> None:
    assert timedelta(seconds=seconds) == delay_cap(attempts)


def test_the_wait_stays_at_five_minutes_however_many_attempts() -> None:
    assert timedelta(minutes=5) == delay_cap(10_000)


def test_attempts_start_at_one() -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        delay_cap(0)


@pytest.mark.parametrize(
    ("attempts", "shortest", "longest"),
    [(1, 0.5, 1), (2, 1, 2), (4, 4, 8), (9, 128, 256), (10, 150, 300), (50, 150, 300)],
)
def test_equal_jitter_keeps_each_wait_between_half_and_all_of_the_cap(
    attempts: int, shortest: float, longest: float
) -> None:
    expected = (FAILED + timedelta(seconds=shortest), FAILED + timedelta(seconds=longest))
    assert expected == (
        next_attempt(attempts, FAILED, FAILED, Fixed(0.0)),
        next_attempt(attempts, FAILED, FAILED, Fixed(1.0)),
    )


def test_seeded_draws_all_land_within_the_bounds() -> None:
    # A seeded generator keeps the test repeatable; jitter needs no cryptographic randomness.
    rng = random.Random(5)  # noqa: S311
    waits = {next_attempt(6, FAILED, FAILED, rng) for _ in range(200)}
    low, high = FAILED + timedelta(seconds=16), FAILED + timedelta(seconds=32)
    assert all(wait is not None and low <= wait <= high for wait in waits)


def test_the_wait_counts_from_now() -> None:
    now = FAILED + timedelta(hours=3)
    assert now + timedelta(seconds=150) == next_attempt(12, FAILED, now, Fixed(0.0))


def test_a_retry_still_inside_24_hours_is_scheduled() -> None:
    now = FAILED + timedelta(hours=24, minutes=-5)
    assert now + timedelta(minutes=5) == next_attempt(300, FAILED, now, Fixed(1.0))


def test_it_gives_up_when_the_next_try_would_fall_past_24_hours() -> None:
    now = FAILED + timedelta(hours=24, minutes=-1)
    assert next_attempt(300, FAILED, now, Fixed(0.0)) is None


def test_it_gives_up_once_24_hours_have_passed() -> None:
    assert next_attempt(1, FAILED, FAILED + timedelta(hours=24), Fixed(0.0)) is None
