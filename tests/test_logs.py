"""Log lines: the alert warning carries its facts, and JSON lines have the documented keys."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from integration_health.domain import AlertOpened, AlertResolved, HealthStatus, StatusChanged
from integration_health.logs import JsonFormatter, TextFormatter
from integration_health.monitor import log_event

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OPENED = AlertOpened("jira", T0, 4, "HTTP 503", T0 + timedelta(seconds=130))


def test_an_opened_alert_is_one_warning_with_its_facts(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        log_event(OPENED)

    [record] = caplog.records
    facts = [
        getattr(record, key)
        for key in ("integration", "downtime_seconds", "consecutive_failures", "error")
    ]
    assert (logging.WARNING, ["jira", 130, 4, "HTTP 503"]) == (record.levelno, facts)
    expected = "alert opened: jira has been offline for 2m 10s"
    assert f"{expected} (4 consecutive failures, last error: HTTP 503)" == record.getMessage()


def test_recovery_is_logged_with_the_outage_duration(caplog: pytest.LogCaptureFixture) -> None:
    change = StatusChanged(
        "jira", HealthStatus.OFFLINE, HealthStatus.ONLINE, 90, None, T0 + timedelta(minutes=3), T0
    )
    with caplog.at_level(logging.INFO):
        log_event(change)
        log_event(AlertResolved("jira", T0, HealthStatus.ONLINE, 90, T0 + timedelta(minutes=3)))

    assert ["jira recovered after 3m", "alert closed: jira was offline for 3m"] == [
        record.getMessage() for record in caplog.records
    ]


def test_json_lines_have_timestamp_level_message_and_facts(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        log_event(OPENED)

    line = json.loads(JsonFormatter().format(caplog.records[0]))

    assert {
        "level": "warning",
        "integration": "jira",
        "status": "offline",
        "downtime_seconds": 130,
        "consecutive_failures": 4,
        "error": "HTTP 503",
    }.items() <= line.items()
    assert line["timestamp"].endswith("Z")


def test_text_lines_add_the_numbers_the_message_lacks(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        log_event(OPENED)

    line = TextFormatter().format(caplog.records[0])

    assert line.endswith("downtime_seconds=130 consecutive_failures=4")
