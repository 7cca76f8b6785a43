"""The Apprise channel against real receivers: a JSON endpoint and an SMTP server on loopback."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from apprise.apprise import any_abandoned_calls_still_running
from pydantic import SecretStr

from integration_health.alerts.apprise_channel import AppriseChannel
from integration_health.alerts.delivery import Delivery
from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.domain import HealthStatus
from tests.alerts.conftest import Mailbox, Receiver

TOKEN = "json-token-4d8b"
PASSWORD = "smtp-pass-51"
RESOLVED = Notification(
    alert_id=UUID("9e0c3a52-6f1b-4c2d-8e7a-1b2c3d4e5f60"),
    integration="jira",
    event=NotificationEvent.RESOLVED,
    status=HealthStatus.ONLINE,
    downtime_start=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    downtime_seconds=300,
    error=None,
    response_time_ms=120,
    occurred_at=datetime(2025, 3, 1, 12, 5, tzinfo=UTC),
)
OPENED = Notification(
    alert_id=UUID("9e0c3a52-6f1b-4c2d-8e7a-1b2c3d4e5f60"),
    integration="jira",
    event=NotificationEvent.OPENED,
    status=HealthStatus.OFFLINE,
    downtime_start=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    downtime_seconds=130,
    error="HTTP 503",
    response_time_ms=None,
    occurred_at=datetime(2025, 3, 1, 12, 2, 10, tzinfo=UTC),
)


def channel(url: str, deadline: float = 5.0) -> AppriseChannel:
    return AppriseChannel("team-chat", SecretStr(url), deadline=timedelta(seconds=deadline))


def json_url(receiver: Receiver) -> str:
    return receiver.url(f"/notify/{TOKEN}", scheme="json")


@pytest.fixture
async def no_abandoned_sends() -> AsyncIterator[None]:
    """Wait, after the test, for Apprise's worker threads it stopped waiting for to finish."""
    yield
    for _ in range(100):
        if not any_abandoned_calls_still_running():
            return
        await asyncio.sleep(0.05)


async def test_a_json_target_receives_the_title_and_body(receiver: Receiver) -> None:
    await channel(json_url(receiver)).send(OPENED)
    payload = json.loads(receiver.requests[0].body)
    expected = (
        "[integration-health] jira is OFFLINE",
        "jira has been offline for 2m 10s: HTTP 503",
        "failure",
    )
    assert expected == (payload["title"], payload["message"], payload["type"])


async def test_a_resolved_alert_goes_out_as_a_success(receiver: Receiver) -> None:
    await channel(json_url(receiver)).send(RESOLVED)
    payload = json.loads(receiver.requests[0].body)
    expected = ("[integration-health] jira is ONLINE", "jira recovered after 5m", "success")
    assert expected == (payload["title"], payload["message"], payload["type"])


async def test_an_accepted_notification_is_a_delivery(receiver: Receiver) -> None:
    assert Delivery.delivered() == await channel(json_url(receiver)).send(OPENED)


@pytest.mark.parametrize("status", [404, 500])
async def test_any_refusal_is_retryable_since_apprise_gives_no_status(
    receiver: Receiver, status: int
) -> None:
    receiver.status = status
    expected = Delivery.retryable("Apprise reported a failure")
    assert expected == await channel(json_url(receiver)).send(OPENED)


async def test_a_closed_port_is_retryable(closed_port: int) -> None:
    url = f"json://127.0.0.1:{closed_port}/notify"
    assert Delivery.retryable("Apprise reported a failure") == await channel(url).send(OPENED)


@pytest.mark.usefixtures("no_abandoned_sends")
async def test_a_hanging_service_is_retryable_at_the_deadline(receiver: Receiver) -> None:
    receiver.hang = True
    started = datetime.now(UTC)
    delivery = await channel(json_url(receiver), deadline=0.3).send(OPENED)
    elapsed = datetime.now(UTC) - started
    receiver.released.set()
    assert (Delivery.retryable("timeout"), True) == (delivery, elapsed < timedelta(seconds=1))


async def test_an_email_arrives_over_plain_smtp_with_the_title_as_subject(smtp: Mailbox) -> None:
    url = f"mailto://127.0.0.1:{smtp.port}?to=team@example.com&from=ih@example.com"
    delivery = await channel(url).send(OPENED)
    message = smtp.messages[0]
    expected = (
        Delivery.delivered(),
        "[integration-health] jira is OFFLINE",
        "team@example.com",
        "jira has been offline for 2m 10s: HTTP 503",
    )
    body = message.get_body(("plain",))
    assert body is not None
    assert expected == (delivery, message["Subject"], message["To"], body.get_content().strip())


async def test_an_email_is_sent_after_logging_in(smtp_with_login: Mailbox) -> None:
    port = smtp_with_login.port
    url = f"mailto://ih:{PASSWORD}@127.0.0.1:{port}?to=team@example.com&from=ih@example.com"
    delivery = await channel(url).send(OPENED)
    assert (Delivery.delivered(), [b"ih"], 1) == (
        delivery,
        smtp_with_login.logins,
        len(smtp_with_login.messages),
    )


@pytest.mark.parametrize("status", [204, 500])
async def test_no_url_token_reaches_a_reason_or_a_log_line_at_info(
    receiver: Receiver, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    caplog.set_level(logging.INFO)
    receiver.status = status
    delivery = await channel(json_url(receiver)).send(OPENED)
    text = delivery.reason + "\n".join(record.getMessage() for record in caplog.records)
    assert TOKEN not in text


async def test_no_smtp_password_reaches_a_reason_or_a_log_line_at_info(
    smtp_with_login: Mailbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    port = smtp_with_login.port
    url = f"mailto://ih:{PASSWORD}@127.0.0.1:{port}?to=team@example.com&from=ih@example.com"
    delivery = await channel(url).send(OPENED)
    text = delivery.reason + "\n".join(record.getMessage() for record in caplog.records)
    assert PASSWORD not in text
