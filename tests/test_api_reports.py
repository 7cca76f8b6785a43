"""PMS integrations through the API on SQLite and PostgreSQL: reports, rules, auth, bad input."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.api import create_app
from integration_health.config import parse_settings
from integration_health.service import Service

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
TOKEN = "report-token-1"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPORTS = "/api/v1/health/integrations/hostaway/reports"
EVENTS = "/api/v1/health/integrations/hostaway/events"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def settings_text(database: URL, api: str) -> str:
    url = database.set(drivername=database.get_backend_name()).render_as_string(hide_password=False)
    return f"""
database: {{url: "{url}"}}
monitor: {{alert_after: 2m}}
{api}
integrations:
  - {{name: hostaway, type: pms, stale_after: 15m}}
  - {{name: guesty, type: pms, thresholds: {{error_rate: {{degraded: 0.05, offline: 0.2}}}}}}
  - {{name: jira, type: jira, base_url: "http://127.0.0.1:1", token: "jira-secret"}}
"""


@pytest.fixture
def clock() -> Clock:
    return Clock()


async def started(database_url: URL, clock: Clock, api: str) -> Service:
    service = Service(parse_settings(settings_text(database_url, api), "test.yaml"), now=clock)
    await service.start(monitor=False)
    return service


@pytest.fixture
async def service(database_url: URL, engine: AsyncEngine, clock: Clock) -> AsyncIterator[Service]:
    running = await started(database_url, clock, f"api: {{tokens: ['{TOKEN}', 'other']}}")
    yield running
    await running.stop()


async def client_for(service: Service) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(service, run_monitor=False))
    return httpx.AsyncClient(transport=transport, base_url="http://test")


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    async with await client_for(service) as client:
        yield client


async def post(client: httpx.AsyncClient, body: dict[str, Any], path: str = REPORTS) -> Any:
    return await client.post(path, json=body, headers=AUTH)


async def nothing_written(service: Service) -> bool:
    await service.writer.flush_once()
    history = await service.repository.get_health_history(
        "hostaway", T0 - timedelta(days=1), T0 + timedelta(days=1)
    )
    events = await service.repository.get_events(
        "hostaway", T0 - timedelta(days=1), T0 + timedelta(days=1)
    )
    return (history, events, service.store.get("hostaway")) == ([], [], None)


@pytest.mark.parametrize(
    ("report", "status", "message"),
    [
        ({"pricingSyncStatus": "ok", "feesSyncStatus": "ok"}, "online", None),
        ({"errorRate": 0.01, "bookingLossRate": 0.001}, "online", None),
        ({"pricingSyncStatus": "delayed"}, "degraded", "pricing sync delayed"),
        ({"errorRate": 0.02}, "degraded", "error rate 2.0% >= 2.0%"),
        ({"bookingLossRate": 0.006}, "degraded", "booking loss rate 0.6% >= 0.5%"),
        ({"feesSyncStatus": "failed"}, "offline", "fees sync failed"),
        ({"errorRate": 0.12}, "offline", "error rate 12.0% >= 10.0%"),
        ({"bookingLossRate": 0.02}, "offline", "booking loss rate 2.0% >= 2.0%"),
        (
            {"pricingSyncStatus": "failed", "errorRate": 0.5, "feesSyncStatus": "delayed"},
            "offline",
            "pricing sync failed; error rate 50.0% >= 10.0%",
        ),
    ],
)
async def test_each_status_rule(
    client: httpx.AsyncClient, report: dict[str, Any], status: str, message: str | None
) -> None:
    response = await post(client, report)
    current = (await client.get("/api/v1/health/integrations/hostaway")).json()

    assert (201, status, message) == (
        response.status_code,
        response.json()["status"],
        response.json()["errorMessage"],
    )
    assert (status, message) == (current["status"], current["errorMessage"])


async def test_thresholds_are_per_integration(client: httpx.AsyncClient) -> None:
    response = await post(client, {"errorRate": 0.12}, "/api/v1/health/integrations/guesty/reports")

    assert ("degraded", "error rate 12.0% >= 5.0%") == (
        response.json()["status"],
        response.json()["errorMessage"],
    )


async def test_the_integration_shows_its_metrics(client: httpx.AsyncClient) -> None:
    await post(client, {"pricingSyncStatus": "ok", "feesSyncStatus": "delayed", "errorRate": 0.01})

    body = (await client.get("/api/v1/health/integrations/hostaway")).json()

    assert ("ok", "delayed", None, 0.01) == (
        body["pricingSyncStatus"],
        body["feesSyncStatus"],
        body["bookingLossRate"],
        body["errorRate"],
    )


async def test_a_report_is_stored_as_history(service: Service, client: httpx.AsyncClient) -> None:
    await post(client, {"errorRate": 0.03, "lastChecked": "2026-11-22T11:59:00Z"})
    await service.writer.flush_once()

    history = (await client.get("/api/v1/health/integrations/hostaway/history")).json()

    assert [("2026-11-22T11:59:00Z", "degraded", 0.03)] == [
        (row["lastChecked"], row["status"], row["errorRate"]) for row in history
    ]


async def test_the_same_last_checked_updates_the_row(
    service: Service, client: httpx.AsyncClient
) -> None:
    await post(client, {"errorRate": 0.03, "lastChecked": "2026-11-22T11:59:00Z"})
    await service.writer.flush_once()
    await post(client, {"errorRate": 0.15, "lastChecked": "2026-11-22T11:59:00Z"})
    await service.writer.flush_once()

    history = (await client.get("/api/v1/health/integrations/hostaway/history")).json()

    assert [("offline", 0.15)] == [(row["status"], row["errorRate"]) for row in history]


async def test_a_silent_integration_goes_offline_and_alerts(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    await post(client, {"pricingSyncStatus": "ok"})
    clock.now = T0 + timedelta(minutes=14, seconds=59)
    service.sweep_once()
    before = (await client.get("/api/v1/health/integrations/hostaway")).json()["status"]

    clock.now = T0 + timedelta(minutes=15)
    service.sweep_once()
    stale = (await client.get("/api/v1/health/integrations/hostaway")).json()
    clock.now = T0 + timedelta(minutes=17, seconds=1)
    service.sweep_once()
    alerted = (await client.get("/api/v1/health/integrations/hostaway")).json()

    assert ("online", "offline", "No health report for 15m") == (
        before,
        stale["status"],
        stale["errorMessage"],
    )
    assert (True, "2026-11-22T12:15:00Z") == (alerted["alertOpen"], alerted["downtimeStart"])


async def test_a_pms_alert_opens_and_closes_by_the_same_rule(
    service: Service, client: httpx.AsyncClient, clock: Clock
) -> None:
    await post(client, {"pricingSyncStatus": "failed"})
    clock.now = T0 + timedelta(minutes=3)
    await post(client, {"pricingSyncStatus": "failed"})
    opened = (await client.get("/api/v1/health/integrations/hostaway")).json()["alertOpen"]
    clock.now = T0 + timedelta(minutes=4)
    await post(client, {"pricingSyncStatus": "ok"})
    await service.writer.flush_once()

    events = (await client.get("/api/v1/health/integrations/hostaway/events")).json()

    kinds = sorted(event["eventType"] for event in events)
    assert (True, ["alert_opened", "alert_resolved", "status_changed", "status_changed"]) == (
        opened,
        kinds,
    )


async def test_a_late_report_is_history_but_does_not_rewind_the_state(
    service: Service, client: httpx.AsyncClient
) -> None:
    await post(client, {"pricingSyncStatus": "ok", "lastChecked": "2026-11-22T12:00:00Z"})
    await post(client, {"pricingSyncStatus": "failed", "lastChecked": "2026-11-22T11:00:00Z"})
    await service.writer.flush_once()

    current = (await client.get("/api/v1/health/integrations/hostaway")).json()
    history = (await client.get("/api/v1/health/integrations/hostaway/history")).json()

    assert ("online", 2) == (current["status"], len(history))


async def test_an_event_is_stored_and_listed(service: Service, client: httpx.AsyncClient) -> None:
    body = {
        "eventType": "sync_restarted",
        "severity": "warning",
        "message": "pricing sync restarted after a deploy",
        "metadata": {"deploy": {"version": "2.4.1"}, "tags": ["pricing"]},
        "occurredAt": "2026-11-22T11:58:00+01:00",
    }

    response = await post(client, body, EVENTS)
    await service.writer.flush_once()
    listed = (await client.get("/api/v1/health/integrations/hostaway/events")).json()

    assert 201 == response.status_code
    assert [("sync_restarted", "warning", "2026-11-22T10:58:00Z", body["metadata"])] == [
        (e["eventType"], e["severity"], e["occurredAt"], e["metadata"]) for e in listed
    ]


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        ({}, 401, "missing bearer token: send Authorization: Bearer <token>"),
        ({"Authorization": "Bearer wrong"}, 401, "invalid bearer token"),
        (
            {"Authorization": f"Basic {TOKEN}"},
            401,
            "missing bearer token: send Authorization: Bearer <token>",
        ),
        (
            {"Authorization": "Bearer "},
            401,
            "missing bearer token: send Authorization: Bearer <token>",
        ),
    ],
)
@pytest.mark.parametrize("path", [REPORTS, EVENTS])
async def test_a_write_without_a_valid_token_is_refused(
    service: Service,
    client: httpx.AsyncClient,
    headers: dict[str, str],
    status: int,
    message: str,
    path: str,
) -> None:
    body = {"pricingSyncStatus": "ok", "eventType": "x", "severity": "info", "message": "m"}
    response = await client.post(path, json=body, headers=headers)

    assert (status, "Bearer", message) == (
        response.status_code,
        response.headers.get("www-authenticate"),
        response.json()["error"]["message"],
    )
    assert await nothing_written(service)


async def test_every_configured_token_is_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        REPORTS, json={"pricingSyncStatus": "ok"}, headers={"Authorization": "Bearer other"}
    )

    assert 201 == response.status_code


async def test_with_no_token_configured_writes_are_forbidden(
    database_url: URL, engine: AsyncEngine, clock: Clock
) -> None:
    service = await started(database_url, clock, "")
    try:
        async with await client_for(service) as client:
            response = await post(client, {"pricingSyncStatus": "ok"})
    finally:
        await service.stop()

    assert (403, True) == (
        response.status_code,
        "set api.tokens" in response.json()["error"]["message"],
    )


async def test_reads_can_require_a_token(
    database_url: URL, engine: AsyncEngine, clock: Clock
) -> None:
    service = await started(
        database_url, clock, f"api: {{tokens: ['{TOKEN}'], read_requires_token: true}}"
    )
    try:
        async with await client_for(service) as client:
            paths = ["/api/v1/health/integrations", "/api/v1/health/integrations/hostaway/history"]
            anonymous = [(await client.get(path)).status_code for path in paths]
            allowed = [(await client.get(path, headers=AUTH)).status_code for path in paths]
            liveness = (await client.get("/api/v1/health")).status_code
    finally:
        await service.stop()

    assert ([401, 401], [200, 200], 200) == (anonymous, allowed, liveness)


async def test_the_token_comes_from_the_environment_too(tmp_path: Any) -> None:
    text = "integrations: [{name: hostaway, type: pms}]"
    settings = parse_settings(text, "t.yaml", {"INTEGRATION_HEALTH_API_TOKENS": "a, b,"})

    assert ["a", " b"] == [token.get_secret_value() for token in settings.api.tokens]


FUTURE = (T0 + timedelta(minutes=6)).isoformat()


@pytest.mark.parametrize(
    ("body", "problems"),
    [
        (
            {"pricingSyncStatus": "stuck"},
            [("pricingSyncStatus", "Input should be 'ok', 'delayed' or 'failed'")],
        ),
        ({"errorRate": 1.5}, [("errorRate", "must be a number between 0 and 1")]),
        ({"errorRate": -0.1}, [("errorRate", "must be a number between 0 and 1")]),
        ({"errorRate": "0.1"}, [("errorRate", "must be a number between 0 and 1")]),
        ({"errorRate": True}, [("errorRate", "must be a number between 0 and 1")]),
        (
            {"bookingLossRate": float("nan")},
            [("bookingLossRate", "must be a number between 0 and 1")],
        ),
        (
            {"bookingLossRate": float("inf")},
            [("bookingLossRate", "must be a number between 0 and 1")],
        ),
        (
            {"errorRate": 0.1, "lastChecked": "2026-11-22T12:00:00"},
            [("lastChecked", "needs a UTC offset, e.g. 2026-11-22T12:00:00Z or +01:00")],
        ),
        (
            {"errorRate": 0.1, "lastChecked": FUTURE},
            [("lastChecked", "is more than 5 minutes in the future")],
        ),
        (
            {},
            [
                (
                    "body",
                    "at least one of pricingSyncStatus, feesSyncStatus, bookingLossRate, "
                    "errorRate is required",
                )
            ],
        ),
        ({"errorRate": 0.1, "colour": "red"}, [("colour", "unknown field")]),
        (
            {"errorRate": 2, "feesSyncStatus": "nope"},
            [
                ("feesSyncStatus", "Input should be 'ok', 'delayed' or 'failed'"),
                ("errorRate", "must be a number between 0 and 1"),
            ],
        ),
    ],
)
async def test_a_bad_report_is_a_422_naming_each_problem_and_writes_nothing(
    service: Service,
    client: httpx.AsyncClient,
    body: dict[str, Any],
    problems: list[tuple[str, str]],
) -> None:
    # json.dumps, unlike httpx, writes NaN and Infinity, as a careless client would.
    response = await client.post(
        REPORTS, content=json.dumps(body), headers={**AUTH, "Content-Type": "application/json"}
    )

    details = response.json()["error"]["details"]
    assert (422, problems) == (
        response.status_code,
        [(item["field"], item["reason"]) for item in details],
    )
    assert await nothing_written(service)


EVENT = {"eventType": "sync_restarted", "severity": "info", "message": "restarted"}


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"severity": "fatal"}, "severity", "Input should be 'info', 'warning' or 'critical'"),
        ({"metadata": [1, 2]}, "metadata", "Input should be a valid dictionary"),
        ({"message": "x" * 2001}, "message", "String should have at most 2000 characters"),
        (
            {"occurredAt": "2026-11-22 12:00"},
            "occurredAt",
            "needs a UTC offset, e.g. 2026-11-22T12:00:00Z or +01:00",
        ),
        ({"occurredAt": FUTURE}, "occurredAt", "is more than 5 minutes in the future"),
    ],
)
async def test_a_bad_event_is_a_422_and_writes_nothing(
    service: Service, client: httpx.AsyncClient, change: dict[str, Any], field: str, reason: str
) -> None:
    response = await post(client, {**EVENT, **change}, EVENTS)

    details = response.json()["error"]["details"]
    assert (422, [(field, reason)]) == (
        response.status_code,
        [(item["field"], item["reason"]) for item in details],
    )
    assert await nothing_written(service)


@pytest.mark.parametrize(
    ("content", "content_type", "status"),
    [
        (b'{"errorRate": 0.1, "pad": "' + b"x" * 70_000 + b'"}', "application/json", 413),
        (b"errorRate=0.1", "application/x-www-form-urlencoded", 415),
        (b"{not json", "application/json", 415),
        (b'{"errorRate": 0.1}', "text/plain", 415),
    ],
)
async def test_a_body_too_large_or_not_json_is_refused(
    service: Service, client: httpx.AsyncClient, content: bytes, content_type: str, status: int
) -> None:
    response = await client.post(
        REPORTS, content=content, headers={**AUTH, "Content-Type": content_type}
    )

    assert (status, True) == (response.status_code, "error" in response.json())
    assert await nothing_written(service)


async def test_a_report_to_an_unknown_integration_is_a_404(client: httpx.AsyncClient) -> None:
    response = await post(client, {"errorRate": 0.1}, "/api/v1/health/integrations/nope/reports")

    assert 404 == response.status_code


async def test_a_report_to_a_probed_integration_is_a_409(client: httpx.AsyncClient) -> None:
    response = await post(client, {"errorRate": 0.1}, "/api/v1/health/integrations/jira/reports")

    assert (409, "conflict") == (response.status_code, response.json()["error"]["code"])
