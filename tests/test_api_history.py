"""History and events through the API, on SQLite and PostgreSQL, fed by the real monitor."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.api import create_app
from integration_health.config import parse_settings
from integration_health.domain import HealthCheckResult
from integration_health.service import Service

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def settings_text(database: URL) -> str:
    plain = database.set(drivername=database.get_backend_name())
    url = plain.render_as_string(hide_password=False)
    return f"""
database: {{url: "{url}"}}
monitor: {{alert_after: 2m}}
integrations:
  - {{name: jira, type: jira, base_url: "http://127.0.0.1:1", token: "jira-secret"}}
  - {{name: testmo, type: testmo, base_url: "http://127.0.0.1:1", api_key: "testmo-secret"}}
"""


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def service(database_url: URL, engine: AsyncEngine, clock: Clock) -> AsyncIterator[Service]:
    running = Service(parse_settings(settings_text(database_url), "test.yaml"), now=clock)
    await running.start(monitor=False)
    yield running
    await running.stop()


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(service, run_monitor=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def feed(service: Service, clock: Clock, result: HealthCheckResult) -> None:
    clock.now = result.checked_at
    service.monitor.handle(result)


def outage(service: Service, clock: Clock) -> None:
    """Feed jira online at T0, offline from T0+1m to T0+4m, online at T0+5m."""
    feed(service, clock, HealthCheckResult.online("jira", 100, T0))
    for minute in (1, 2, 3, 4):
        at = T0 + timedelta(minutes=minute)
        feed(service, clock, HealthCheckResult.offline("jira", "HTTP 503", at))
    feed(service, clock, HealthCheckResult.online("jira", 90, T0 + timedelta(minutes=5)))


async def test_history_lists_each_result_newest_first(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    outage(service, clock)
    await service.writer.flush_once()

    body = (await client.get("/api/v1/health/integrations/jira/history")).json()

    assert ["online", "offline", "offline", "offline", "offline", "online"] == [
        row["status"] for row in body
    ]
    assert ("2026-11-22T12:05:00Z", 90, "HTTP 503") == (
        body[0]["lastChecked"],
        body[0]["responseTimeMs"],
        body[1]["errorMessage"],
    )


async def test_history_bounds_are_inclusive(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    outage(service, clock)
    await service.writer.flush_once()
    window = {"start": "2026-11-22T12:01:00Z", "end": "2026-11-22T13:03:00+01:00"}

    body = (await client.get("/api/v1/health/integrations/jira/history", params=window)).json()

    assert ["2026-11-22T12:03:00Z", "2026-11-22T12:02:00Z", "2026-11-22T12:01:00Z"] == [
        row["lastChecked"] for row in body
    ]


async def test_history_limit_keeps_the_newest(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    outage(service, clock)
    await service.writer.flush_once()

    body = (
        await client.get("/api/v1/health/integrations/jira/history", params={"limit": 2})
    ).json()

    assert ["2026-11-22T12:05:00Z", "2026-11-22T12:04:00Z"] == [row["lastChecked"] for row in body]


async def test_status_changes_and_the_alert_are_events(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    outage(service, clock)
    await service.writer.flush_once()

    body = (await client.get("/api/v1/health/integrations/jira/events")).json()

    assert [
        ("2026-11-22T12:05:00Z", "status_changed", "info"),
        ("2026-11-22T12:05:00Z", "alert_resolved", "info"),
        ("2026-11-22T12:04:00Z", "alert_opened", "critical"),
        ("2026-11-22T12:01:00Z", "status_changed", "warning"),
        ("2026-11-22T12:00:00Z", "status_changed", "info"),
    ] == sorted(
        ((event["occurredAt"], event["eventType"], event["severity"]) for event in body),
        reverse=True,
    )
    [opened] = [event for event in body if event["eventType"] == "alert_opened"]
    [offline] = [event for event in body if event["metadata"]["newStatus"] == "offline"][-1:]
    assert {"downtimeSeconds": 180, "consecutiveFailures": 4, "error": "HTTP 503"}.items() <= (
        opened["metadata"].items()
    )
    assert {"previousStatus": "online", "newStatus": "offline"}.items() <= (
        offline["metadata"].items()
    )


async def test_events_filter_by_severity(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    outage(service, clock)
    await service.writer.flush_once()

    body = (
        await client.get("/api/v1/health/integrations/jira/events", params={"severity": "critical"})
    ).json()

    assert ["alert_opened"] == [event["eventType"] for event in body]


@pytest.mark.parametrize("path", ["history", "events"])
@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"start": "2026-11-22T12:05:00Z", "end": "2026-11-22T12:00:00Z"},
            "start must not be after end",
        ),
        (
            {"start": "2026-11-22T12:00:00"},
            "start needs a UTC offset, e.g. 2026-11-22T12:00:00Z or +01:00",
        ),
        ({"end": "yesterday"}, "end is not an RFC 3339 timestamp, e.g. 2026-11-22T12:00:00Z"),
    ],
)
async def test_a_bad_window_is_a_400_with_a_clear_message(
    client: httpx.AsyncClient, path: str, params: dict[str, str], message: str
) -> None:
    response = await client.get(f"/api/v1/health/integrations/jira/{path}", params=params)

    assert (400, {"code": "bad_request", "message": message}) == (
        response.status_code,
        response.json()["error"],
    )


@pytest.mark.parametrize("path", ["history", "events"])
async def test_an_unknown_integration_has_no_history(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(f"/api/v1/health/integrations/nope/{path}")

    assert 404 == response.status_code


async def test_the_default_window_is_the_last_24_hours(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    outage(service, clock)
    await service.writer.flush_once()
    clock.now = T0 + timedelta(hours=24, minutes=3)

    body = (await client.get("/api/v1/health/integrations/jira/history")).json()

    assert ["2026-11-22T12:05:00Z", "2026-11-22T12:04:00Z", "2026-11-22T12:03:00Z"] == [
        row["lastChecked"] for row in body
    ]


async def test_state_is_restored_after_a_restart_and_the_alert_is_not_sent_twice(
    service: Service, database_url: URL, engine: AsyncEngine, clock: Clock
) -> None:
    for minute in (0, 1, 2, 3):
        at = T0 + timedelta(minutes=minute)
        feed(service, clock, HealthCheckResult.offline("jira", "HTTP 503", at))
    await service.writer.flush_once()

    restarted = Service(parse_settings(settings_text(database_url), "test.yaml"), now=clock)
    await restarted.start(monitor=False)
    try:
        restored = restarted.store.get("jira")
        later = T0 + timedelta(minutes=4)
        clock.now = later
        again = restarted.monitor.handle(HealthCheckResult.offline("jira", "HTTP 503", later))
    finally:
        await restarted.stop()

    assert restored is not None
    assert (T0, 4, True) == (
        restored.downtime_start,
        restored.consecutive_failures,
        restored.alert_open,
    )
    assert [] == again


async def test_service_health_reports_the_database(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/v1/health")).json()

    assert {"reachable": True, "pendingRows": 0} == body["database"]


async def test_monitoring_goes_on_while_the_database_is_down_and_health_says_so(
    tmp_path: Path, clock: Clock
) -> None:
    unreachable = URL.create("sqlite+aiosqlite", database=str(tmp_path / "missing" / "h.db"))
    clock.now = T0
    down = Service(parse_settings(settings_text(unreachable), "test.yaml"), now=clock)
    await down.start(monitor=False)
    app = create_app(down, run_monitor=False)
    try:
        events = down.monitor.handle(HealthCheckResult.offline("jira", "HTTP 503", T0))
        await down.writer.flush_once()
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            body = (await client.get("/api/v1/health")).json()
            health = (await client.get("/api/v1/health/integrations/jira")).json()
    finally:
        await down.stop()

    assert (1, "offline") == (len(events), health["status"])
    assert {"reachable": False, "pendingRows": 3} == body["database"]
