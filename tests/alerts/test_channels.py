"""Channels built from settings, and the test notification sent through them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from integration_health.alerts.apprise_channel import AppriseChannel
from integration_health.alerts.channels import build_channels, send_test
from integration_health.alerts.config import AlertSettings
from integration_health.alerts.delivery import Delivery
from integration_health.alerts.webhook import WebhookChannel
from integration_health.errors import NotFoundError
from tests.alerts.conftest import Receiver

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def settings(*channels: dict[str, str]) -> AlertSettings:
    return AlertSettings.model_validate({"channels": list(channels)})


def test_each_channel_is_built_by_its_type_in_configuration_order() -> None:
    built = build_channels(
        settings(
            {"name": "team-chat", "url": "json://127.0.0.1:9/notify"},
            {"name": "ops-hook", "type": "webhook", "url": "https://ops.example.com/hook"},
        )
    )
    expected = [("team-chat", AppriseChannel), ("ops-hook", WebhookChannel)]
    assert expected == [(name, type(channel)) for name, channel in built.items()]


async def test_a_test_notification_goes_to_every_channel(receiver: Receiver) -> None:
    channels = build_channels(
        settings(
            {"name": "ops-hook", "type": "webhook", "url": receiver.url("/hook")},
            {"name": "team-chat", "url": receiver.url("/chat", scheme="json")},
        )
    )
    expected = [("ops-hook", Delivery.delivered("HTTP 204")), ("team-chat", Delivery.delivered())]
    assert expected == await send_test(channels, now=NOW)


async def test_a_test_notification_can_go_to_one_channel_only(receiver: Receiver) -> None:
    channels = build_channels(
        settings(
            {"name": "ops-hook", "type": "webhook", "url": receiver.url("/hook")},
            {"name": "team-chat", "url": receiver.url("/chat", scheme="json")},
        )
    )
    results = await send_test(channels, "ops-hook", now=NOW)
    body = json.loads(receiver.requests[0].body)
    expected = (
        [("ops-hook", Delivery.delivered("HTTP 204"))],
        ["/hook"],
        "test",
        "2025-03-01T12:00:00Z",
    )
    assert expected == (
        results,
        [request.path for request in receiver.requests],
        body["event"],
        body["occurredAt"],
    )


async def test_each_failing_channel_is_reported_with_its_own_reason(receiver: Receiver) -> None:
    receiver.status = 503
    channels = build_channels(
        settings(
            {"name": "ops-hook", "type": "webhook", "url": receiver.url("/hook")},
            {"name": "team-chat", "url": receiver.url("/chat", scheme="json")},
        )
    )
    expected = [
        ("ops-hook", Delivery.retryable("HTTP 503")),
        ("team-chat", Delivery.retryable("Apprise reported a failure")),
    ]
    assert expected == await send_test(channels, now=NOW)


async def test_a_hanging_channel_does_not_delay_the_others(receiver: Receiver) -> None:
    channels = build_channels(
        settings(
            {"name": "stuck", "type": "webhook", "url": receiver.url("/hang")},
            {"name": "quick", "type": "webhook", "url": receiver.url("/hook")},
        ),
        deadline=timedelta(seconds=0.3),
    )
    started = time.perf_counter()
    results = await send_test(channels, now=NOW)
    elapsed = time.perf_counter() - started
    expected = [("stuck", Delivery.retryable("timeout")), ("quick", Delivery.delivered("HTTP 204"))]
    assert (expected, True) == (results, elapsed < 0.6)


async def test_an_unknown_channel_name_is_refused_naming_the_known_ones() -> None:
    channels = build_channels(
        settings(
            {"name": "ops-hook", "type": "webhook", "url": "https://ops.example.com/hook"},
            {"name": "team-chat", "url": "json://127.0.0.1:9/notify"},
        )
    )
    with pytest.raises(
        NotFoundError,
        match=r"^no alert channel named 'pager'; known channels: ops-hook, team-chat$",
    ):
        await send_test(channels, "pager", now=NOW)


async def test_an_unknown_channel_name_says_when_none_are_configured() -> None:
    with pytest.raises(NotFoundError, match=r"known channels: none are configured$"):
        await send_test({}, "pager", now=NOW)
