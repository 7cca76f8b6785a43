"""Alerts end to end through the service: one opened and one resolved notice per outage."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.api import create_app
from integration_health.config import parse_settings
from integration_health.domain import HealthCheckResult
from integration_health.service import Service
from tests.alerts.conftest import Receiver

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # a Saturday
SECRET = "hook-secret-1"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def settings_text(database: URL, receiver: Receiver, extra: str = "") -> str:
    url = database.set(drivername=database.get_backend_name()).render_as_string(hide_password=False)
    return f"""
database: {{url: "{url}"}}
monitor: {{interval: 60s, alert_after: 2m}}
alerts:
  channels:
    - {{name: ops-hook, type: webhook, url: "{receiver.url()}", secret: "{SECRET}"}}
  repeat_every: 10m
{extra}
integrations:
  - {{name: jira, type: jira, base_url: "http://127.0.0.1:1", token: "jira-secret"}}
"""


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def started(text: str, clock: Clock) -> Service:
    service = Service(parse_settings(text, "test.yaml"), now=clock)
    await service.start(monitor=False)
    return service


@pytest.fixture
async def service(
    database_url: URL, engine: AsyncEngine, receiver: Receiver, clock: Clock
) -> AsyncIterator[Service]:
    running = await started(settings_text(database_url, receiver), clock)
    yield running
    await running.stop()


def at(clock: Clock, minutes: float) -> datetime:
    clock.now = T0 + timedelta(minutes=minutes)
    return clock.now


async def deliver(service: Service) -> None:
    """Store queued alerts and send what is due, including sends the background task began."""
    await service.keeper.run_once()
    await service.dispatcher.run_once()
    for _ in range(100):
        if not service.dispatcher.sending:
            return
        await asyncio.sleep(0.01)


def bodies(receiver: Receiver) -> list[dict[str, Any]]:
    return [json.loads(request.body) for request in receiver.requests]


async def outage(service: Service, clock: Clock, minutes: range) -> None:
    for minute in minutes:
        service.monitor.handle(HealthCheckResult.offline("jira", "HTTP 503", at(clock, minute)))
        await deliver(service)


async def test_one_opened_and_one_resolved_notice_per_outage(
    service: Service, receiver: Receiver, clock: Clock
) -> None:
    await outage(service, clock, range(8))
    service.monitor.handle(HealthCheckResult.online("jira", 80, at(clock, 9)))
    await deliver(service)

    sent = bodies(receiver)
    assert [("opened", 180), ("resolved", 540)] == [
        (body["event"], body["downtimeSeconds"]) for body in sent
    ]
    assert sent[0]["alertId"] == sent[1]["alertId"]
    assert {
        "integration": "jira",
        "status": "online",
        "downtimeStart": "2026-11-21T12:00:00Z",
    }.items() <= sent[1].items()


async def test_the_signature_header_is_the_hmac_of_the_body(
    service: Service, receiver: Receiver, clock: Clock
) -> None:
    await outage(service, clock, range(4))

    [request] = receiver.requests
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert expected == request.headers["X-Signature-SHA256"]


async def test_alerts_are_listed_with_their_delivery_per_channel(
    service: Service, receiver: Receiver, clock: Clock
) -> None:
    await outage(service, clock, range(4))
    transport = httpx.ASGITransport(app=create_app(service, run_monitor=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        listed = (await client.get("/api/v1/alerts", params={"state": "open"})).json()
        resolved = (await client.get("/api/v1/alerts", params={"state": "resolved"})).json()

    [alert] = listed
    assert ("jira", "open", 180, []) == (
        alert["integration"],
        alert["state"],
        alert["downtimeSeconds"],
        resolved,
    )
    assert [("ops-hook", "opened", "delivered", 1)] == [
        (d["channel"], d["event"], d["state"], d["attempts"]) for d in alert["deliveries"]
    ]


async def test_a_restart_neither_resends_nor_forgets_an_open_alert(
    database_url: URL, engine: AsyncEngine, receiver: Receiver, clock: Clock
) -> None:
    text = settings_text(database_url, receiver)
    first = await started(text, clock)
    await outage(first, clock, range(4))
    await first.writer.flush_once()
    await first.stop()

    second = await started(text, clock)
    try:
        await outage(second, clock, range(4, 9))
        second.monitor.handle(HealthCheckResult.online("jira", 80, at(clock, 10)))
        await deliver(second)
    finally:
        await second.stop()

    assert ["opened", "resolved"] == [body["event"] for body in bodies(receiver)]


async def test_a_reminder_goes_out_every_repeat_every(
    service: Service, receiver: Receiver, clock: Clock
) -> None:
    await outage(service, clock, range(4))
    at(clock, 13)
    await deliver(service)
    at(clock, 13.5)
    await deliver(service)

    assert ["opened", "reminder"] == [body["event"] for body in bodies(receiver)]


async def test_nothing_is_sent_during_maintenance_and_an_outage_outlasting_it_alerts_from_its_end(
    database_url: URL, engine: AsyncEngine, receiver: Receiver, clock: Clock
) -> None:
    window = """
maintenance:
  - {start: "2026-11-21T12:00:00Z", end: "2026-11-21T12:30:00Z"}
"""
    service = await started(settings_text(database_url, receiver, window), clock)
    try:
        await outage(service, clock, range(32))
        during = len(receiver.requests)
        await outage(service, clock, range(32, 34))
    finally:
        await service.stop()

    [opened] = bodies(receiver)
    assert (0, "2026-11-21T12:30:00Z", 180) == (
        during,
        opened["downtimeStart"],
        opened["downtimeSeconds"],
    )


async def test_maintenance_is_listed(
    database_url: URL, engine: AsyncEngine, receiver: Receiver, clock: Clock
) -> None:
    windows = """
maintenance:
  - {days: [sat, sun], from: "11:00", to: "13:00", timezone: Europe/Berlin}
"""
    clock.now = T0 - timedelta(hours=1)
    service = await started(settings_text(database_url, receiver, windows), clock)
    try:
        transport = httpx.ASGITransport(app=create_app(service, run_monitor=False))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            listed = (await client.get("/api/v1/maintenance")).json()
    finally:
        await service.stop()

    assert [
        (None, "2026-11-21T10:00:00Z", "2026-11-21T12:00:00Z", True),
        (None, "2026-11-22T10:00:00Z", "2026-11-22T12:00:00Z", False),
    ] == [(w["integration"], w["start"], w["end"], w["active"]) for w in listed][:2]


async def run_cli(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "integration_health",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await process.communicate()
    assert process.returncode is not None
    return process.returncode, stdout.decode(), stderr.decode()


@pytest.mark.parametrize(
    ("status", "code", "line"),
    [(204, 0, "ops-hook: delivered"), (404, 1, "ops-hook: failed (HTTP 404)")],
)
async def test_alerts_test_sends_to_each_channel_and_says_how_it_went(
    tmp_path: Path, receiver: Receiver, status: int, code: int, line: str
) -> None:
    receiver.status = status
    config = tmp_path / "config.yaml"
    config.write_text(
        f"""
alerts:
  channels:
    - {{name: ops-hook, type: webhook, url: "{receiver.url("/s3cret-path")}"}}
"""
    )

    result = await run_cli("alerts", "test", "--config", str(config))

    assert (code, [line]) == (result[0], result[1].splitlines())
    assert "s3cret" not in result[1] + result[2]
    assert ["test"] == [body["event"] for body in bodies(receiver)]


async def test_alerts_test_names_the_known_channels_for_an_unknown_one(
    tmp_path: Path, receiver: Receiver
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        f"alerts: {{channels: [{{name: ops-hook, type: webhook, url: '{receiver.url()}'}}]}}"
    )

    code, _, stderr = await run_cli("alerts", "test", "--channel", "chat", "--config", str(config))

    assert (3, True) == (code, "no alert channel named 'chat'; known channels: ops-hook" in stderr)


async def test_after_the_monitor_was_down_integrations_get_a_grace_period(
    database_url: URL, engine: AsyncEngine, receiver: Receiver, clock: Clock
) -> None:
    text = settings_text(database_url, receiver)
    first = await started(text, clock)
    await outage(first, clock, range(2))
    await first.writer.flush_once()
    await first.stop()

    at(clock, 60)
    second = await started(text, clock)
    try:
        await outage(second, clock, range(60, 63))
        during_grace = len(receiver.requests)
        await outage(second, clock, range(63, 64))
    finally:
        await second.stop()

    assert (0, ["opened"]) == (during_grace, [body["event"] for body in bodies(receiver)])


async def test_an_integration_alerts_only_its_own_channels(
    receiver: Receiver, clock: Clock
) -> None:
    text = f"""
alerts:
  channels:
    - {{name: a, type: webhook, url: "{receiver.url("/a")}"}}
    - {{name: b, type: webhook, url: "{receiver.url("/b")}"}}
integrations:
  - {{name: jira, type: jira, base_url: "http://127.0.0.1:1", token: "t", alert_channels: [b]}}
  - {{name: testmo, type: testmo, base_url: "http://127.0.0.1:1", api_key: "k"}}
"""
    service = Service(parse_settings(text, "test.yaml"), now=clock)

    assert (["b"], ["a", "b"]) == (
        service.keeper.channels("jira"),
        service.keeper.channels("testmo"),
    )
    await service.engine.dispose()
