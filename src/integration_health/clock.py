"""The wall clock, in one place so tests can pass their own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Return the current time as an aware UTC datetime."""


def utcnow() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)
