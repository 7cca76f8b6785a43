"""Durations as people write them in configuration, and as the product writes them back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from integration_health.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("500ms", timedelta(milliseconds=500)),
        ("10s", timedelta(seconds=10)),
        ("2m", timedelta(minutes=2)),
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
        ("1.5", timedelta(seconds=1.5)),
        ("30", timedelta(seconds=30)),
        (" 2 m ", timedelta(minutes=2)),
        (30, timedelta(seconds=30)),
        (1.5, timedelta(seconds=1.5)),
        (timedelta(seconds=7), timedelta(seconds=7)),
    ],
)
def test_it_parses_a_duration(written: object, expected: timedelta) -> None:
    assert expected == parse_duration(written)


@pytest.mark.parametrize(
    ("written", "reason"),
    [
        ("0", "a duration must be greater than zero"),
        (0, "a duration must be greater than zero"),
        (-1, "a duration must be greater than zero"),
        ("-1", "not a duration"),
        ("abc", "not a duration"),
        ("10x", "not a duration"),
        ("", "not a duration"),
        (True, "not a duration"),
        (None, "not a duration"),
        (float("inf"), "a duration must be greater than zero"),
    ],
)
def test_it_rejects_what_is_not_a_positive_duration(written: object, reason: str) -> None:
    help_text = (
        "use a number with ms, s, m, h or d (500ms, 10s, 2m, 1h, 1d) or a bare number of seconds"
    )
    with pytest.raises(ValueError, match="duration") as raised:
        parse_duration(written)
    assert f"{reason}: {help_text}" == str(raised.value)


@pytest.mark.parametrize(
    ("duration", "expected"),
    [
        (timedelta(0), "0ms"),
        (timedelta(milliseconds=200), "200ms"),
        (timedelta(milliseconds=500), "500ms"),
        (timedelta(milliseconds=999.6), "1s"),
        (timedelta(seconds=1), "1s"),
        (timedelta(seconds=1.5), "1.5s"),
        (timedelta(seconds=10), "10s"),
        (timedelta(seconds=1.25), "1.25s"),
        (timedelta(seconds=9.5), "9.5s"),
        (timedelta(seconds=24.997), "25s"),
        (timedelta(seconds=59.25), "59s"),
        (timedelta(minutes=2), "2m"),
        (timedelta(minutes=2, seconds=5), "2m 5s"),
        (timedelta(hours=1), "1h"),
        (timedelta(hours=1, minutes=3), "1h 3m"),
        (timedelta(days=1), "1d"),
        (timedelta(days=1, hours=2), "1d 2h"),
        (timedelta(days=1, minutes=3), "1d"),
    ],
)
def test_it_formats_a_duration(duration: timedelta, expected: str) -> None:
    assert expected == format_duration(duration)


@pytest.mark.parametrize("written", ["500ms", "10s", "1.5s", "2m", "1h", "1d"])
def test_a_one_unit_duration_formats_back_as_written(written: str) -> None:
    assert written == format_duration(parse_duration(written))
