"""The webhook channel against a real receiver: body, signature, and what each answer means."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest
from pydantic import SecretStr

from integration_health.alerts.delivery import Delivery
from integration_health.alerts.notification import Notification, NotificationEvent
from integration_health.alerts.webhook import WebhookChannel, judge
from integration_health.domain import HealthStatus
from tests.alerts.conftest import Receiver

SECRET = "hook-secret-7f3a"
TOKEN = "url-token-9c2e"
ALERT_ID = UUID("4b1d6f0e-8a43-4a8e-9d59-2a0f7b1c3e55")
OPENED = Notification(
    alert_id=ALERT_ID,
    integration="jira",
    event=NotificationEvent.OPENED,
    status=HealthStatus.OFFLINE,
    downtime_start=datetime(2025, 3, 1, 12, 0, tzinfo=UTC),
    downtime_seconds=130,
    error="HTTP 503",
    response_time_ms=None,
    occurred_at=datetime(2025, 3, 1, 12, 2, 10, tzinfo=UTC),
)


def channel(url: str, secret: str | None = SECRET, deadline: float = 2.0) -> WebhookChannel:
    return WebhookChannel(
        "ops-hook",
        SecretStr(url),
        SecretStr(secret) if secret is not None else None,
        deadline=timedelta(seconds=deadline),
    )


async def test_it_posts_the_documented_json_body(receiver: Receiver) -> None:
    await channel(receiver.url()).send(OPENED)
    expected = {
        "alertId": "4b1d6f0e-8a43-4a8e-9d59-2a0f7b1c3e55",
        "integration": "jira",
        "event": "opened",
        "status": "offline",
        "downtimeStart": "2025-03-01T12:00:00Z",
        "downtimeSeconds": 130,
        "error": "HTTP 503",
        "responseTimeMs": None,
        "occurredAt": "2025-03-01T12:02:10Z",
    }
    assert expected == json.loads(receiver.requests[0].body)


async def test_it_posts_json_with_the_alert_id_as_an_idempotency_header(
    receiver: Receiver,
) -> None:
    await channel(receiver.url()).send(OPENED)
    request = receiver.requests[0]
    expected = ("POST", "/hook", "application/json", str(ALERT_ID))
    assert expected == (
        request.method,
        request.path,
        request.headers["Content-Type"],
        request.headers["X-Alert-Id"],
    )


async def test_the_signature_is_the_hmac_sha256_of_the_received_body(receiver: Receiver) -> None:
    await channel(receiver.url()).send(OPENED)
    request = receiver.requests[0]
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert expected == request.headers["X-Signature-SHA256"]


async def test_without_a_secret_the_body_is_not_signed(receiver: Receiver) -> None:
    await channel(receiver.url(), secret=None).send(OPENED)
    assert "X-Signature-SHA256" not in receiver.requests[0].headers


async def test_a_2xx_answer_is_a_delivery(receiver: Receiver) -> None:
    assert Delivery.delivered("HTTP 204") == await channel(receiver.url()).send(OPENED)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, Delivery.delivered("HTTP 200")),
        (299, Delivery.delivered("HTTP 299")),
        (301, Delivery.retryable("HTTP 301")),
        (400, Delivery.permanent("HTTP 400")),
        (401, Delivery.permanent("HTTP 401")),
        (404, Delivery.permanent("HTTP 404")),
        (408, Delivery.retryable("HTTP 408")),
        (410, Delivery.permanent("HTTP 410")),
        (429, Delivery.retryable("HTTP 429")),
        (500, Delivery.retryable("HTTP 500")),
        (503, Delivery.retryable("HTTP 503")),
    ],
)
def test_each_status_means_delivered_retryable_or_permanent(
    status: int, expected: Delivery
) -> None:
    assert expected == judge(status)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (404, Delivery.permanent("HTTP 404")),
        (500, Delivery.retryable("HTTP 500")),
        (429, Delivery.retryable("HTTP 429")),
    ],
)
async def test_a_refusal_from_the_receiver_is_judged_by_its_status(
    receiver: Receiver, status: int, expected: Delivery
) -> None:
    receiver.status = status
    assert expected == await channel(receiver.url()).send(OPENED)


async def test_a_hanging_receiver_is_retryable_at_the_deadline(receiver: Receiver) -> None:
    receiver.hang = True
    started = datetime.now(UTC)
    delivery = await channel(receiver.url(), deadline=0.3).send(OPENED)
    elapsed = datetime.now(UTC) - started
    assert (Delivery.retryable("timeout"), True) == (delivery, elapsed < timedelta(seconds=1))


async def test_a_closed_port_is_a_retryable_connection_failure(closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}/hook"
    assert Delivery.retryable("connection failed") == await channel(url).send(OPENED)


async def test_a_permanent_refusal_is_logged_as_an_error_naming_the_channel(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.status = 404
    await channel(receiver.url()).send(OPENED)
    expected = [
        (
            logging.ERROR,
            "Alert channel ops-hook refused the opened notification for jira (HTTP 404); "
            "not retrying it",
        )
    ]
    assert expected == [(record.levelno, record.getMessage()) for record in caplog.records]


@pytest.mark.parametrize("status", [204, 404, 500])
async def test_no_secret_reaches_a_reason_or_a_log_line(
    receiver: Receiver, caplog: pytest.LogCaptureFixture, status: int
) -> None:
    caplog.set_level(logging.INFO)
    receiver.status = status
    delivery = await channel(receiver.url(f"/hooks/{TOKEN}")).send(OPENED)
    text = delivery.reason + "\n".join(record.getMessage() for record in caplog.records)
    assert (False, False) == (SECRET in text, TOKEN in text)


async def test_no_secret_reaches_the_reason_when_the_connection_fails(closed_port: int) -> None:
    delivery = await channel(f"http://127.0.0.1:{closed_port}/hooks/{TOKEN}").send(OPENED)
    assert (False, False) == (SECRET in delivery.reason, TOKEN in delivery.reason)
