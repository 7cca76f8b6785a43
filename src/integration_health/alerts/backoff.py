"""When to try a failed notification again: 1 s doubling to 5 min, with jitter, for up to 24 h."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

FIRST_DELAY = timedelta(seconds=1)
MAX_DELAY = timedelta(minutes=5)
GIVE_UP_AFTER = timedelta(hours=24)


class Random(Protocol):
    """A source of uniform floats in [0, 1), such as ``random.Random``."""

    def random(self) -> float:
        """Return the next float in [0, 1)."""
        ...


def delay_cap(attempts: int) -> timedelta:
    """Return the longest wait after ``attempts`` failed attempts (1 or more), before jitter."""
    if attempts < 1:
        raise ValueError("attempts counts failed attempts and starts at 1")
    # Past 2**9 s the cap has long been reached; a bounded exponent keeps the number small.
    return min(FIRST_DELAY * (1 << min(attempts - 1, 16)), MAX_DELAY)


def next_attempt(
    attempts: int, first_failure: datetime, now: datetime, rng: Random
) -> datetime | None:
    """Return when to try again after ``attempts`` failures, or None to give up (after 24 h)."""
    cap = delay_cap(attempts)
    # Equal jitter: half the wait is fixed so retries still back off, half spreads them out.
    wait = cap / 2 + cap / 2 * rng.random()
    at = now + wait
    if at - first_failure > GIVE_UP_AFTER:
        return None
    return at
