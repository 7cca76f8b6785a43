"""Maintenance windows asked about one moment at a time, with the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from integration_health.alerts.config import MaintenanceWindow, maintenance_calendar
from integration_health.alerts.maintenance import MaintenanceCalendar, Occurrence, OneOff, Weekly

BERLIN = ZoneInfo("Europe/Berlin")
SAT, SUN, FRI = 5, 6, 4
WEEKEND = Weekly(frozenset({SAT, SUN}), time(2, 0), time(4, 0), BERLIN)
FRIDAY_NIGHT = Weekly(frozenset({FRI}), time(22, 0), time(2, 0), BERLIN)
UPGRADE = OneOff(datetime(2025, 6, 3, 8, 0, tzinfo=UTC), datetime(2025, 6, 3, 9, 30, tzinfo=UTC))


def utc(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


def test_a_one_off_window_is_active_from_its_start_until_just_before_its_end() -> None:
    calendar = MaintenanceCalendar([UPGRADE])
    expected = [
        None,
        Occurrence(UPGRADE.start, UPGRADE.end),
        Occurrence(UPGRADE.start, UPGRADE.end),
        None,
    ]
    assert expected == [
        calendar.active("jira", utc(2025, 6, 3, 7, 59)),
        calendar.active("jira", utc(2025, 6, 3, 8, 0)),
        calendar.active("jira", utc(2025, 6, 3, 9, 29)),
        calendar.active("jira", utc(2025, 6, 3, 9, 30)),
    ]


def test_a_weekend_window_in_winter_is_two_hours_of_central_european_time() -> None:
    calendar = MaintenanceCalendar([WEEKEND])
    expected = Occurrence(utc(2025, 1, 4, 1, 0), utc(2025, 1, 4, 3, 0))
    assert expected == calendar.active("jira", berlin(2025, 1, 4, 2, 30))


def test_a_weekend_window_is_not_active_on_a_weekday() -> None:
    assert MaintenanceCalendar([WEEKEND]).active("jira", berlin(2025, 1, 6, 2, 30)) is None


def test_on_the_spring_forward_night_the_window_starts_when_clocks_jump_and_lasts_one_hour() -> (
    None
):
    calendar = MaintenanceCalendar([WEEKEND])
    expected = [
        Occurrence(utc(2025, 3, 29, 1, 0), utc(2025, 3, 29, 3, 0)),
        Occurrence(utc(2025, 3, 30, 1, 0), utc(2025, 3, 30, 2, 0)),
    ]
    assert expected == calendar.upcoming(utc(2025, 3, 28, 12, 0), timedelta(days=2))


def test_on_the_fall_back_night_the_window_covers_the_repeated_hour_and_lasts_three_hours() -> None:
    calendar = MaintenanceCalendar([WEEKEND])
    expected = [
        Occurrence(utc(2025, 10, 25, 0, 0), utc(2025, 10, 25, 2, 0)),
        Occurrence(utc(2025, 10, 26, 0, 0), utc(2025, 10, 26, 3, 0)),
    ]
    assert expected == calendar.upcoming(utc(2025, 10, 24, 12, 0), timedelta(days=2))


def test_a_window_crossing_midnight_belongs_to_the_day_it_starts() -> None:
    calendar = MaintenanceCalendar([FRIDAY_NIGHT])
    friday_night = Occurrence(berlin(2025, 6, 6, 22, 0), berlin(2025, 6, 7, 2, 0))
    expected = [friday_night, friday_night, None, None]
    assert expected == [
        calendar.active("jira", berlin(2025, 6, 6, 23, 0)),
        calendar.active("jira", berlin(2025, 6, 7, 1, 59)),
        calendar.active("jira", berlin(2025, 6, 7, 2, 0)),
        # Early Friday is the tail of Thursday's window, and Thursday has none.
        calendar.active("jira", berlin(2025, 6, 6, 1, 0)),
    ]


def test_a_global_window_mutes_every_integration() -> None:
    calendar = MaintenanceCalendar([UPGRADE], {"jira": [FRIDAY_NIGHT]})
    now = utc(2025, 6, 3, 8, 30)
    expected = Occurrence(UPGRADE.start, UPGRADE.end)
    assert (expected, expected) == (calendar.active("jira", now), calendar.active("postman", now))


def test_an_integrations_own_window_mutes_only_that_integration() -> None:
    calendar = MaintenanceCalendar([], {"jira": [UPGRADE]})
    now = utc(2025, 6, 3, 8, 30)
    expected = (Occurrence(UPGRADE.start, UPGRADE.end, "jira"), None)
    assert expected == (calendar.active("jira", now), calendar.active("postman", now))


def test_of_overlapping_windows_the_active_one_is_the_one_ending_last() -> None:
    longer = OneOff(utc(2025, 6, 3, 7, 0), utc(2025, 6, 3, 12, 0))
    calendar = MaintenanceCalendar([UPGRADE], {"jira": [longer]})
    expected = Occurrence(longer.start, longer.end, "jira")
    assert expected == calendar.active("jira", utc(2025, 6, 3, 8, 30))


def test_alerts_are_suppressed_until_the_window_ends() -> None:
    calendar = MaintenanceCalendar([UPGRADE])
    assert UPGRADE.end == calendar.suppressed_until("jira", utc(2025, 6, 3, 8, 30))


def test_nothing_is_suppressed_outside_a_window() -> None:
    assert MaintenanceCalendar([UPGRADE]).suppressed_until("jira", utc(2025, 6, 3, 10, 0)) is None


def test_back_to_back_windows_suppress_until_the_last_one_ends() -> None:
    follow_up = OneOff(UPGRADE.end, UPGRADE.end + timedelta(hours=1))
    later = OneOff(UPGRADE.end + timedelta(hours=2), UPGRADE.end + timedelta(hours=3))
    calendar = MaintenanceCalendar([UPGRADE, later], {"jira": [follow_up]})
    expected = (follow_up.end, UPGRADE.end)
    now = utc(2025, 6, 3, 8, 30)
    assert expected == (
        calendar.suppressed_until("jira", now),
        calendar.suppressed_until("postman", now),
    )


def test_upcoming_lists_active_and_coming_windows_of_everyone_by_start() -> None:
    calendar = MaintenanceCalendar([UPGRADE], {"jira": [WEEKEND], "postman": [FRIDAY_NIGHT]})
    expected = [
        Occurrence(UPGRADE.start, UPGRADE.end),
        Occurrence(berlin(2025, 6, 6, 22, 0), berlin(2025, 6, 7, 2, 0), "postman"),
        Occurrence(berlin(2025, 6, 7, 2, 0), berlin(2025, 6, 7, 4, 0), "jira"),
        Occurrence(berlin(2025, 6, 8, 2, 0), berlin(2025, 6, 8, 4, 0), "jira"),
    ]
    assert expected == calendar.upcoming(utc(2025, 6, 3, 9, 0))


def test_upcoming_stops_at_the_horizon() -> None:
    calendar = MaintenanceCalendar([WEEKEND])
    expected = [Occurrence(berlin(2025, 6, 7, 2, 0), berlin(2025, 6, 7, 4, 0))]
    assert expected == calendar.upcoming(utc(2025, 6, 3, 9, 0), timedelta(days=4))


def test_the_calendar_is_built_from_configured_windows() -> None:
    weekend = MaintenanceWindow.model_validate(
        {"days": ["sat", "sun"], "from": "02:00", "to": "04:00", "timezone": "Europe/Berlin"}
    )
    upgrade = MaintenanceWindow.model_validate(
        {"start": "2025-06-03T10:00:00+02:00", "end": "2025-06-03T11:30:00+02:00"}
    )
    calendar = maintenance_calendar([weekend], {"jira": [upgrade]})
    expected = (
        Occurrence(UPGRADE.start, UPGRADE.end, "jira"),
        Occurrence(utc(2025, 6, 7, 0, 0), utc(2025, 6, 7, 2, 0)),
    )
    assert expected == (
        calendar.active("jira", utc(2025, 6, 3, 8, 30)),
        calendar.active("postman", utc(2025, 6, 7, 1, 0)),
    )
