"""The REST API: shapes, ordering, filters and the JSON error body."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from integration_health.api import create_app
from integration_health.config import parse_settings
from integration_health.domain import HealthCheckResult
from integration_health.service import Service

T0 = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

CONFIG = """
integrations:
  - {name: testmo, type: testmo, base_url: "http://127.0.0.1:1", api_key: "testmo-secret"}
  - {name: jira, type: jira, base_url: "http://127.0.0.1:1", token: "jira-secret"}
  - {name: postman, type: postman, api_key: "postman-secret"}
"""


@pytest.fixture
def service(tmp_path: Path) -> Service:
    database = f"database: {{url: 'sqlite:///{tmp_path}/health.db'}}\n"
    return Service(parse_settings(database + CONFIG, "test.yaml"), now=lambda: T0)


@pytest.fixture
async def client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(service, run_monitor=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def record_defaults(service: Service) -> None:
    service.monitor.handle(HealthCheckResult.online("testmo", 87, T0))
    service.monitor.handle(HealthCheckResult.offline("jira", "HTTP 503", T0))
    service.monitor.handle(
        HealthCheckResult.degraded("postman", 2400, "Response time exceeds 2s threshold", T0)
    )


async def test_integrations_are_listed_sorted_by_name(
    service: Service, client: httpx.AsyncClient
) -> None:
    record_defaults(service)

    response = await client.get("/api/v1/health/integrations")

    assert ["jira", "postman", "testmo"] == [item["integration"] for item in response.json()]


async def test_an_integration_has_the_seed_fields_in_camel_case(
    service: Service, client: httpx.AsyncClient
) -> None:
    service.monitor.handle(HealthCheckResult.online("jira", 120, T0))
    service.monitor.handle(HealthCheckResult.offline("jira", "HTTP 503", T0 + timedelta(minutes=1)))

    response = await client.get("/api/v1/health/integrations/jira")

    assert {
        "integration": "jira",
        "status": "offline",
        "lastSuccessfulCheck": "2026-11-22T12:00:00Z",
        "lastCheck": "2026-11-22T12:01:00Z",
        "responseTimeMs": None,
        "errorMessage": "HTTP 503",
        "consecutiveFailures": 1,
        "downtimeStart": "2026-11-22T12:01:00Z",
        "alertOpen": False,
        "pricingSyncStatus": None,
        "feesSyncStatus": None,
        "bookingLossRate": None,
        "errorRate": None,
    } == response.json()


async def test_the_list_can_be_filtered_by_status(
    service: Service, client: httpx.AsyncClient
) -> None:
    record_defaults(service)

    response = await client.get("/api/v1/health/integrations", params={"status": "offline"})

    assert ["jira"] == [item["integration"] for item in response.json()]


async def test_an_unknown_integration_is_a_404_in_the_error_shape(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/health/integrations/nope")

    assert (404, {"error": {"code": "not_found", "message": "no integration named 'nope'"}}) == (
        response.status_code,
        response.json(),
    )


async def test_a_configured_integration_not_yet_checked_says_so(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/api/v1/health/integrations/jira")

    assert (404, "not_checked") == (response.status_code, response.json()["error"]["code"])


async def test_a_bad_query_is_a_422_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/health/integrations", params={"status": "sideways"})

    body = response.json()
    assert (422, "validation_error") == (response.status_code, body["error"]["code"])
    assert "status" in body["error"]["message"]


async def test_an_unknown_path_is_a_404_in_the_error_shape(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/nothing-here")

    assert (404, "not_found") == (response.status_code, response.json()["error"]["code"])


async def test_the_service_reports_its_own_liveness(
    service: Service, client: httpx.AsyncClient
) -> None:
    record_defaults(service)

    body = (await client.get("/api/v1/health")).json()

    assert ("ok", 3, 3) == (body["status"], body["integrations"], body["checked"])


async def test_openapi_documents_the_integrations_endpoint(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()

    assert "/api/v1/health/integrations" in spec["paths"]
    assert 200 == (await client.get("/docs")).status_code


async def test_no_secret_appears_in_any_response(
    service: Service, client: httpx.AsyncClient
) -> None:
    record_defaults(service)
    paths = ["/api/v1/health", "/api/v1/health/integrations", "/openapi.json"]
    paths += [f"/api/v1/health/integrations/{name}" for name in ("jira", "postman", "testmo")]

    bodies = [(await client.get(path)).text for path in paths]

    assert [] == [body for body in bodies if "secret" in body]
