"""Durations as people write them in configuration (``500ms``, ``10s``, ``2m``) and read them."""

from __future__ import annotations

import math
import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_PATTERN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_HELP = "use a number with ms, s, m, h or d (500ms, 10s, 2m, 1h, 1d) or a bare number of seconds"


def parse_duration(value: object) -> timedelta:
    """Return the duration written as ``value``; raise ValueError saying how to write one."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        # pydantic reports ValueError as a validation error; a TypeError would escape it.
        raise ValueError(f"not a duration: {_HELP}")  # noqa: TRY004
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str) and (match := _PATTERN.match(value)):
        seconds = float(match.group(1)) * _UNITS[match.group(2) or "s"]
    else:
        # Never quote the value: a misplaced ${VAR} can put a secret here.
        raise ValueError(f"not a duration: {_HELP}")
    if not math.isfinite(seconds) or seconds <= 0:
        raise ValueError(f"a duration must be greater than zero: {_HELP}")
    return timedelta(seconds=seconds)


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
"""A positive ``timedelta`` read from ``500ms``, ``10s``, ``2m``, ``1h``, ``1d`` or seconds."""


def format_duration(value: timedelta) -> str:
    """Return a short human duration: ``500ms``, ``10s``, ``1.5s``, ``2m``, ``2m 5s``, ``1h 3m``."""
    total_ms = round(value.total_seconds() * 1000)
    if total_ms < 1000:
        return f"{total_ms}ms"
    if total_ms < 10_000:
        return f"{total_ms / 1000:g}s"
    # Past ten seconds, fractions are noise: 24.997s reads as 25s.
    seconds = round(total_ms / 1000)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m" if seconds == 0 else f"{minutes}m {seconds}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h" if minutes == 0 else f"{hours}h {minutes}m"
    days, hours = divmod(hours, 24)
    return f"{days}d" if hours == 0 else f"{days}d {hours}h"
