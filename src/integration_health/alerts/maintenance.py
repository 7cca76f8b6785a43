"""Maintenance windows as concrete occurrences in time: when alerts stay quiet, and until when.

Pure rules, no I/O: every method takes ``now``. An occurrence covers ``start <= t < end``.
A weekly window's wall-clock times follow PEP 495 with ``fold=0``: a time skipped by a
spring-forward change moves forward by the gap (02:30 becomes 03:30), and a time that occurs
twice when clocks go back means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UPCOMING = timedelta(days=7)
"""How far ahead ``upcoming`` looks unless told otherwise."""

_REACH = timedelta(days=31)
"""How far ``suppressed_until`` follows windows that touch or overlap one another."""


@dataclass(frozen=True, slots=True)
class OneOff:
    """A single window between two aware instants."""

    start: datetime
    end: datetime

    def occurrences(self, since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield ``(start, end)`` in UTC if it ends after ``since`` and starts by ``until``."""
        if self.end > since and self.start <= until:
            yield self.start.astimezone(UTC), self.end.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Weekly:
    """A window on some weekdays (0 is Monday) between two wall-clock times in ``zone``.

    An ``end`` at or before ``start`` is on the next day: the window belongs to the day it starts.
    """

    days: frozenset[int]
    start: time
    end: time
    zone: ZoneInfo

    def occurrences(self, since: datetime, until: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Yield each ``(start, end)`` in UTC that ends after ``since`` and starts by ``until``."""
        # Begin a day early: yesterday's window may cross midnight into ``since``.
        day = since.astimezone(self.zone).date() - timedelta(days=1)
        last = until.astimezone(self.zone).date()
        while day <= last:
            if day.weekday() in self.days:
                start, end = self._on(day)
                if end > since and start <= until:
                    yield start, end
            day += timedelta(days=1)

    def _on(self, day: date) -> tuple[datetime, datetime]:
        end_day = day if self.end > self.start else day + timedelta(days=1)
        start = datetime.combine(day, self.start, tzinfo=self.zone)
        end = datetime.combine(end_day, self.end, tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)


Window = OneOff | Weekly


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One concrete maintenance window; ``integration`` is None for a global one."""

    start: datetime
    end: datetime
    integration: str | None = None

    def covers(self, now: datetime) -> bool:
        """Return whether ``now`` falls inside this occurrence."""
        return self.start <= now < self.end


class MaintenanceCalendar:
    """Global windows and each integration's own windows, asked about one moment at a time."""

    def __init__(
        self,
        global_windows: Sequence[Window] = (),
        per_integration: Mapping[str, Sequence[Window]] | None = None,
    ) -> None:
        self._global = tuple(global_windows)
        self._own = {name: tuple(windows) for name, windows in (per_integration or {}).items()}

    def active(self, integration: str, now: datetime) -> Occurrence | None:
        """Return the occurrence muting ``integration`` at ``now`` (the one ending last), if any."""
        current = [item for item in self._for(integration, now, now) if item.covers(now)]
        return max(current, key=lambda item: item.end, default=None)

    def suppressed_until(self, integration: str, now: datetime) -> datetime | None:
        """Return when alerts for ``integration`` may open again, or None if they may now.

        Windows that overlap or touch count as one, so back-to-back windows end at the last.
        """
        current = self.active(integration, now)
        if current is None:
            return None
        until = current.end
        for item in sorted(self._for(integration, now, now + _REACH), key=_by_start):
            if item.start <= until:
                until = max(until, item.end)
        return until

    def upcoming(self, now: datetime, horizon: timedelta = UPCOMING) -> list[Occurrence]:
        """Return every occurrence active at ``now`` or starting within ``horizon``, by start."""
        found = list(_expand(self._global, None, now, now + horizon))
        for name, windows in self._own.items():
            found += _expand(windows, name, now, now + horizon)
        return sorted(found, key=_by_start)

    def _for(self, integration: str, since: datetime, until: datetime) -> list[Occurrence]:
        found = list(_expand(self._global, None, since, until))
        found += _expand(self._own.get(integration, ()), integration, since, until)
        return found


def _expand(
    windows: Sequence[Window], integration: str | None, since: datetime, until: datetime
) -> Iterator[Occurrence]:
    for window in windows:
        for start, end in window.occurrences(since, until):
            yield Occurrence(start, end, integration)


def _by_start(item: Occurrence) -> tuple[datetime, datetime, str]:
    return item.start, item.end, item.integration or ""
