"""Alert settings: the channels notifications go to, and the maintenance windows that mute them.

A channel URL is a secret (it carries tokens), so it is a ``SecretStr``, and no message here
quotes it: ``hide_input_in_errors`` keeps it out of ``str(ValidationError)`` as well.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import apprise
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from integration_health.alerts.maintenance import MaintenanceCalendar, OneOff, Weekly
from integration_health.durations import parse_duration
from integration_health.names import Name

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_ZERO = re.compile(r"^\s*0+(\.0+)?\s*(ms|s|m|h|d)?\s*$")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_INSTANT_HELP = "must be an RFC 3339 time with an offset, e.g. 2025-06-01T02:00:00+02:00"
_RECURRING = ("days", "from", "to", "timezone")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)


@contextmanager
def _apprise_silenced() -> Iterator[None]:
    """Drop Apprise's log lines from this thread only, for as long as the block runs."""
    this_thread = threading.get_ident()

    def other_threads(record: logging.LogRecord) -> bool:
        return record.thread != this_thread

    logger = logging.getLogger("apprise")
    logger.addFilter(other_threads)
    try:
        yield
    finally:
        logger.removeFilter(other_threads)


def is_apprise_url(url: str) -> bool:
    """Return whether Apprise can build a service from ``url``, without logging any of it."""
    # Apprise logs a URL it rejects, masked only in part ("slack://bad" comes out whole).
    with _apprise_silenced():
        return apprise.Apprise.instantiate(url) is not None


class ChannelConfig(_Strict):
    """One place notifications go: any Apprise URL, or our signed JSON ``webhook``."""

    name: Name
    type: Literal["apprise", "webhook"] = "apprise"
    url: SecretStr
    secret: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        url = value.get_secret_value()
        kind = info.data.get("type")
        if kind == "webhook":
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError("a webhook url must be an http:// or https:// URL with a host")
        elif kind == "apprise" and not is_apprise_url(url):
            raise ValueError(
                "not a URL Apprise can use; check it against the service's page in the "
                "Apprise wiki (https://github.com/caronc/apprise/wiki)"
            )
        return value

    @field_validator("secret")
    @classmethod
    def _check_secret(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is not None and info.data.get("type") != "webhook":
            raise ValueError(
                "only a webhook channel takes a secret; an Apprise URL carries its own credentials"
            )
        if value is not None and not value.get_secret_value():
            raise ValueError("is empty; set it, or remove the key to send unsigned")
        return value


def _repeat_every(value: object) -> timedelta:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == 0:
        return timedelta(0)
    if isinstance(value, str) and _ZERO.match(value):
        return timedelta(0)
    try:
        return parse_duration(value)
    except ValueError as error:
        raise ValueError(f"{error}; or 0 for no reminders") from None


class AlertSettings(_Strict):
    """Where alerts go, and how often an alert that stays open is repeated (0: never)."""

    channels: tuple[ChannelConfig, ...] = ()
    repeat_every: Annotated[timedelta, BeforeValidator(_repeat_every)] = timedelta(0)

    @field_validator("channels")
    @classmethod
    def _check_unique(cls, value: tuple[ChannelConfig, ...]) -> tuple[ChannelConfig, ...]:
        seen: set[str] = set()
        for channel in value:
            if channel.name in seen:
                raise ValueError(f"duplicate channel name '{channel.name}'")
            seen.add(channel.name)
        return value

    def select(self, names: Sequence[str] | None) -> tuple[ChannelConfig, ...]:
        """Return the channels ``names`` lists, or every channel for None; reject unknown names."""
        if names is None:
            return self.channels
        known = {channel.name: channel for channel in self.channels}
        for name in names:
            if name not in known:
                listed = ", ".join(known) or "none are configured"
                raise ValueError(f"unknown alert channel '{name}'; known channels: {listed}")
        return tuple(known[name] for name in names)

    def reminder_due(self, last_sent: datetime, now: datetime) -> bool:
        """Return whether an alert last notified at ``last_sent`` needs a reminder at ``now``."""
        return self.repeat_every > timedelta(0) and now - last_sent >= self.repeat_every


def _day(value: object) -> str:
    day = value.strip().lower() if isinstance(value, str) else ""
    if day not in WEEKDAYS:
        raise ValueError("days are mon, tue, wed, thu, fri, sat or sun")
    return day


def _clock(value: object, latest: str) -> str:
    if isinstance(value, int):
        # YAML 1.1 reads an unquoted 22:30 as the base-60 number 1350.
        raise ValueError('write the time in quotes, e.g. "22:30"')  # noqa: TRY004
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match:
        text = f"{int(match[1]):02d}:{match[2]}"
        if text <= latest and int(match[2]) < 60:
            return text
    raise ValueError(f'must be a time "HH:MM" from "00:00" to "{latest}"')


def _from(value: object) -> str:
    return _clock(value, "23:59")


def _to(value: object) -> str:
    return _clock(value, "24:00")


def _instant(value: object) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    except ValueError:
        raise ValueError(_INSTANT_HELP) from None
    if not isinstance(parsed, datetime) or parsed.utcoffset() is None:
        raise ValueError(_INSTANT_HELP)
    return parsed


def _zone(value: object) -> str:
    try:
        if isinstance(value, str):
            ZoneInfo(value)
            return value
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    raise ValueError("unknown time zone; use an IANA name such as Europe/Berlin or UTC")


def _time(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours) % 24, int(minutes))


class MaintenanceWindow(_Strict):
    """A window with no alerts: once (``start``, ``end``) or weekly (days, from, to, timezone).

    A weekly window whose ``to`` is at or before ``from`` ends the next day; ``to: "24:00"``
    is midnight at the end of the day.
    """

    start: Annotated[datetime, BeforeValidator(_instant)] | None = None
    end: Annotated[datetime, BeforeValidator(_instant)] | None = None
    days: tuple[Annotated[str, BeforeValidator(_day)], ...] | None = None
    from_: Annotated[str, BeforeValidator(_from)] | None = Field(default=None, alias="from")
    to: Annotated[str, BeforeValidator(_to)] | None = None
    timezone: Annotated[str, BeforeValidator(_zone)] | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        self.window()
        return self

    def window(self) -> OneOff | Weekly:
        """Return the window this entry describes; raise ValueError saying what is wrong."""
        recurring = [self.days, self.from_, self.to, self.timezone]
        if self.start is not None or self.end is not None:
            if any(value is not None for value in recurring):
                raise ValueError(
                    "a window is one-off (start, end) or recurring (days, from, to, timezone), "
                    "not both"
                )
            if self.start is None or self.end is None:
                raise ValueError("a one-off window needs both start and end")
            if self.end <= self.start:
                raise ValueError("end must be after start")
            return OneOff(self.start.astimezone(UTC), self.end.astimezone(UTC))
        if self.days is None or self.from_ is None or self.to is None or self.timezone is None:
            missing = [
                key for key, value in zip(_RECURRING, recurring, strict=True) if value is None
            ]
            raise ValueError(
                "a window needs start and end (one-off) or days, from, to and timezone "
                f"(recurring); missing {', '.join(missing)}"
            )
        if not self.days:
            raise ValueError("days must list at least one day")
        if self.from_ == self.to:
            raise ValueError('from and to must differ; use to: "24:00" for a whole day')
        days = frozenset(WEEKDAYS.index(day) for day in self.days)
        return Weekly(days, _time(self.from_), _time(self.to), ZoneInfo(self.timezone))


def maintenance_calendar(
    global_windows: Sequence[MaintenanceWindow],
    per_integration: Mapping[str, Sequence[MaintenanceWindow]],
) -> MaintenanceCalendar:
    """Return the calendar of the configured global and per-integration windows."""
    return MaintenanceCalendar(
        [window.window() for window in global_windows],
        {
            name: [window.window() for window in windows]
            for name, windows in per_integration.items()
        },
    )
