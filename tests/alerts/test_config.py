"""Alert settings: channels, reminders and maintenance windows; no mistake quotes a secret."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr, ValidationError

from integration_health.alerts.config import AlertSettings, ChannelConfig, MaintenanceWindow
from integration_health.alerts.maintenance import OneOff, Weekly

SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"
SLACK_TOKEN = "TIiajkdnlazkcOXrIdevi7FQ"
HOOK_SECRET = "hook-secret-7f3a"
RECURRING = {"days": ["sat", "sun"], "from": "02:00", "to": "04:00", "timezone": "Europe/Berlin"}


def first_error(model: type[Any], data: dict[str, Any]) -> tuple[tuple[int | str, ...], str]:
    """Return the location and message of the first validation error for ``data``."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    error = caught.value.errors()[0]
    return error["loc"], error["msg"].removeprefix("Value error, ")


def test_a_channel_is_an_apprise_url_unless_typed_otherwise() -> None:
    channel = ChannelConfig.model_validate({"name": "team-chat", "url": SLACK})
    assert ("apprise", SLACK, None) == (
        channel.type,
        channel.url.get_secret_value(),
        channel.secret,
    )


def test_a_webhook_channel_takes_a_secret() -> None:
    data = {
        "name": "ops-hook",
        "type": "webhook",
        "url": "https://ops.example.com/hooks/integration-health",
        "secret": HOOK_SECRET,
    }
    channel = ChannelConfig.model_validate(data)
    assert SecretStr(HOOK_SECRET) == channel.secret


def test_a_channel_shows_no_secret_when_printed() -> None:
    channel = ChannelConfig.model_validate(
        {
            "name": "ops-hook",
            "type": "webhook",
            "url": f"https://x.test/{SLACK_TOKEN}",
            "secret": HOOK_SECRET,
        }
    )
    assert (False, False) == (SLACK_TOKEN in repr(channel), HOOK_SECRET in repr(channel))


def test_a_channel_name_follows_the_integration_name_rule() -> None:
    expected = (
        ("name",),
        "a name is 1-64 characters of lowercase letters, digits, '.', '_' or '-'",
    )
    assert expected == first_error(ChannelConfig, {"name": "Team Chat", "url": SLACK})


def test_a_url_apprise_cannot_use_is_refused() -> None:
    expected = (
        ("url",),
        "not a URL Apprise can use; check it against the service's page in the Apprise wiki "
        "(https://github.com/caronc/apprise/wiki)",
    )
    assert expected == first_error(ChannelConfig, {"name": "chat", "url": "slack://secret-bad"})


def test_checking_an_apprise_url_logs_nothing_of_it(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValidationError):
        ChannelConfig.model_validate({"name": "chat", "url": "slack://secret-bad"})
    assert [] == [record for record in caplog.records if "secret-bad" in record.getMessage()]


def test_a_secret_on_an_apprise_channel_is_refused() -> None:
    expected = (
        ("secret",),
        "only a webhook channel takes a secret; an Apprise URL carries its own credentials",
    )
    data = {"name": "chat", "url": SLACK, "secret": HOOK_SECRET}
    assert expected == first_error(ChannelConfig, data)


def test_an_empty_webhook_secret_is_refused() -> None:
    data = {"name": "hook", "type": "webhook", "url": "https://x.test/h", "secret": ""}
    expected = (("secret",), "is empty; set it, or remove the key to send unsigned")
    assert expected == first_error(ChannelConfig, data)


@pytest.mark.parametrize(
    "url", ["ftp://x.test/h", "https://", "ops.example.com/hook", f"slack://{SLACK_TOKEN}"]
)
def test_a_webhook_url_must_be_http_with_a_host(url: str) -> None:
    expected = (("url",), "a webhook url must be an http:// or https:// URL with a host")
    assert expected == first_error(ChannelConfig, {"name": "hook", "type": "webhook", "url": url})


def test_an_unknown_channel_type_is_refused() -> None:
    loc, _ = first_error(ChannelConfig, {"name": "hook", "type": "email", "url": SLACK})
    assert ("type",) == loc


@pytest.mark.parametrize(
    "data",
    [
        {"name": "chat", "url": f"slack://{SLACK_TOKEN}"},
        {"name": "chat", "url": SLACK, "secret": HOOK_SECRET},
        {"name": "hook", "type": "webhook", "url": f"ftp://x.test/{SLACK_TOKEN}"},
        {"name": "Bad Name", "type": "webhook", "url": f"https://x.test/{SLACK_TOKEN}"},
        {"name": "hook", "type": "webhook", "url": SLACK, "secret": 5},
        {"name": "chat", "url": SLACK, "extra": HOOK_SECRET},
    ],
)
def test_no_validation_error_quotes_a_url_or_secret(data: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        ChannelConfig.model_validate(data)
    text = str(caught.value)
    assert (False, False) == (SLACK_TOKEN in text, HOOK_SECRET in text)


def test_reminders_are_off_by_default() -> None:
    assert timedelta(0) == AlertSettings().repeat_every


@pytest.mark.parametrize("value", [0, 0.0, "0", "0s", "0m"])
def test_a_zero_repeat_every_means_never(value: object) -> None:
    assert timedelta(0) == AlertSettings.model_validate({"repeat_every": value}).repeat_every


def test_repeat_every_reads_a_duration() -> None:
    assert timedelta(hours=4) == AlertSettings.model_validate({"repeat_every": "4h"}).repeat_every


@pytest.mark.parametrize("value", ["-5m", "often", True])
def test_a_repeat_every_that_is_no_duration_says_how_to_write_one(value: object) -> None:
    _, message = first_error(AlertSettings, {"repeat_every": value})
    assert message.endswith("; or 0 for no reminders")


def test_a_reminder_is_due_once_repeat_every_has_passed() -> None:
    settings = AlertSettings.model_validate({"repeat_every": "1h"})
    sent = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    expected = (False, True)
    assert expected == (
        settings.reminder_due(sent, sent + timedelta(minutes=59)),
        settings.reminder_due(sent, sent + timedelta(hours=1)),
    )


def test_no_reminder_is_ever_due_with_repeat_every_zero() -> None:
    sent = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    assert not AlertSettings().reminder_due(sent, sent + timedelta(days=30))


def test_channel_names_are_unique() -> None:
    data = {"channels": [{"name": "chat", "url": SLACK}, {"name": "chat", "url": SLACK}]}
    assert (("channels",), "duplicate channel name 'chat'") == first_error(AlertSettings, data)


def test_select_returns_every_channel_for_none_and_the_named_ones_otherwise() -> None:
    settings = AlertSettings.model_validate(
        {"channels": [{"name": "chat", "url": SLACK}, {"name": "pager", "url": SLACK}]}
    )
    expected = (("chat", "pager"), ("pager",))
    assert expected == (
        tuple(channel.name for channel in settings.select(None)),
        tuple(channel.name for channel in settings.select(["pager"])),
    )


def test_select_names_the_known_channels_when_one_is_unknown() -> None:
    settings = AlertSettings.model_validate({"channels": [{"name": "chat", "url": SLACK}]})
    with pytest.raises(ValueError, match=r"^unknown alert channel 'pager'; known channels: chat$"):
        settings.select(["pager"])


def test_a_one_off_window_keeps_its_instants_in_utc() -> None:
    window = MaintenanceWindow.model_validate(
        {"start": "2025-06-01T02:00:00+02:00", "end": "2025-06-01T04:00:00+02:00"}
    )
    expected = OneOff(
        datetime(2025, 6, 1, 0, 0, tzinfo=UTC), datetime(2025, 6, 1, 2, 0, tzinfo=UTC)
    )
    assert expected == window.window()


def test_a_one_off_window_takes_the_datetimes_yaml_reads() -> None:
    plus_two = timezone(timedelta(hours=2))
    window = MaintenanceWindow.model_validate(
        {
            "start": datetime(2025, 6, 1, 2, 0, tzinfo=plus_two),
            "end": datetime(2025, 6, 1, 3, 0, tzinfo=plus_two),
        }
    )
    expected = OneOff(
        datetime(2025, 6, 1, 0, 0, tzinfo=UTC), datetime(2025, 6, 1, 1, 0, tzinfo=UTC)
    )
    assert expected == window.window()


def test_a_recurring_window_is_weekly_in_its_time_zone() -> None:
    expected = Weekly(frozenset({5, 6}), time(2, 0), time(4, 0), ZoneInfo("Europe/Berlin"))
    assert expected == MaintenanceWindow.model_validate(RECURRING).window()


def test_to_24_00_is_midnight_at_the_end_of_the_day() -> None:
    window = MaintenanceWindow.model_validate({**RECURRING, "from": "00:00", "to": "24:00"})
    assert Weekly(frozenset({5, 6}), time(0), time(0), ZoneInfo("Europe/Berlin")) == window.window()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"start": "2025-06-01T04:00:00+02:00", "end": "2025-06-01T02:00:00+02:00"},
            ((), "end must be after start"),
        ),
        (
            {"start": "2025-06-01T02:00:00", "end": "2025-06-01T04:00:00+02:00"},
            (
                ("start",),
                "must be an RFC 3339 time with an offset, e.g. 2025-06-01T02:00:00+02:00",
            ),
        ),
        (
            {"start": "tomorrow", "end": "2025-06-01T04:00:00+02:00"},
            (
                ("start",),
                "must be an RFC 3339 time with an offset, e.g. 2025-06-01T02:00:00+02:00",
            ),
        ),
        (
            {"start": "2025-06-01T02:00:00+02:00"},
            ((), "a one-off window needs both start and end"),
        ),
        (
            {**RECURRING, "start": "2025-06-01T02:00:00+02:00"},
            (
                (),
                "a window is one-off (start, end) or recurring (days, from, to, timezone), "
                "not both",
            ),
        ),
        (
            {"days": ["sat"], "from": "02:00"},
            (
                (),
                "a window needs start and end (one-off) or days, from, to and timezone "
                "(recurring); missing to, timezone",
            ),
        ),
        (
            {**RECURRING, "days": ["saturday"]},
            (("days", 0), "days are mon, tue, wed, thu, fri, sat or sun"),
        ),
        ({**RECURRING, "days": []}, ((), "days must list at least one day")),
        (
            {**RECURRING, "from": "2am"},
            (("from",), 'must be a time "HH:MM" from "00:00" to "23:59"'),
        ),
        (
            {**RECURRING, "from": "24:00"},
            (("from",), 'must be a time "HH:MM" from "00:00" to "23:59"'),
        ),
        ({**RECURRING, "to": "24:30"}, (("to",), 'must be a time "HH:MM" from "00:00" to "24:00"')),
        ({**RECURRING, "to": "04:60"}, (("to",), 'must be a time "HH:MM" from "00:00" to "24:00"')),
        ({**RECURRING, "from": 1350}, (("from",), 'write the time in quotes, e.g. "22:30"')),
        (
            {**RECURRING, "to": "02:00"},
            ((), 'from and to must differ; use to: "24:00" for a whole day'),
        ),
        (
            {**RECURRING, "timezone": "Mars/Olympus"},
            (("timezone",), "unknown time zone; use an IANA name such as Europe/Berlin or UTC"),
        ),
        (
            {**RECURRING, "timezone": "../etc/passwd"},
            (("timezone",), "unknown time zone; use an IANA name such as Europe/Berlin or UTC"),
        ),
        ({**RECURRING, "every": "week"}, (("every",), "Extra inputs are not permitted")),
    ],
)
def test_each_window_mistake_is_named(
    data: dict[str, Any], expected: tuple[tuple[int | str, ...], str]
) -> None:
    assert expected == first_error(MaintenanceWindow, data)


def test_a_short_hour_is_read_as_two_digits() -> None:
    window = MaintenanceWindow.model_validate({**RECURRING, "from": "2:00"})
    assert "02:00" == window.from_
