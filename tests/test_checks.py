"""Each integration type checked against simulated upstreams on loopback, one status path a test."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from integration_health.checks.base import IntegrationConfig
from integration_health.checks.probe import CONNECTION_FAILED, Thresholds, run_probe
from integration_health.checks.registry import TYPES
from integration_health.domain import HealthCheckResult, HealthStatus
from integration_health.simulator import DEFAULT_CREDENTIALS, Mode, Simulator

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
KINDS = ("jira", "postman", "testmo", "http")
CREDENTIALED = ("jira", "postman", "testmo")
LIMITS = Thresholds(timeout=timedelta(milliseconds=500), degraded_after=timedelta(milliseconds=200))
UNAUTHORIZED = {
    "jira": "Authentication expired - re-authentication required",
    "postman": "Invalid API key",
    "testmo": "Invalid API key",
    "http": "Unauthorized - check the configured credentials",
}


def configure(kind: str, base: str, secret: str | None = None) -> IntegrationConfig:
    """Return a ``kind`` integration named after its type, aimed at the simulator under ``base``."""
    secret = secret or DEFAULT_CREDENTIALS.get(kind, "health-token")
    fields: dict[str, dict[str, object]] = {
        "jira": {"base_url": f"{base}/jira", "token": secret},
        "postman": {"base_url": f"{base}/postman", "api_key": secret},
        "testmo": {"base_url": f"{base}/testmo", "api_key": secret},
        "http": {"url": f"{base}/http/healthz", "headers": {"X-Health-Token": secret}},
    }
    return TYPES[kind].model_validate({"name": kind, "type": kind, **fields[kind]})


def http_check(url: str, **fields: object) -> IntegrationConfig:
    """Return an http integration named ``site`` that GETs ``url``."""
    return TYPES["http"].model_validate({"name": "site", "type": "http", "url": url, **fields})


async def check(
    session: aiohttp.ClientSession, config: IntegrationConfig, limits: Thresholds = LIMITS
) -> HealthCheckResult:
    """Return the result of checking ``config`` once, stamped ``NOW``."""
    spec = config.probe()
    assert spec is not None
    return await run_probe(session, config.name, spec, limits, lambda: NOW)


@pytest.mark.parametrize("kind", KINDS)
async def test_a_healthy_upstream_is_online(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    result = await check(session, configure(kind, simulator.url))
    assert (HealthStatus.ONLINE, None, NOW) == (
        result.status,
        result.error_message,
        result.checked_at,
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_an_online_result_records_the_response_time(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    result = await check(session, configure(kind, simulator.url))
    assert result.response_time_ms is not None
    assert 0 <= result.response_time_ms < 200


@pytest.mark.parametrize("kind", KINDS)
async def test_a_slow_upstream_is_degraded(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode(kind, Mode.SLOW)
    result = await check(session, configure(kind, simulator.url))
    assert (HealthStatus.DEGRADED, "Response time exceeds 200ms threshold", NOW) == (
        result.status,
        result.error_message,
        result.checked_at,
    )


@pytest.mark.parametrize("kind", KINDS)
async def test_a_degraded_result_records_the_slow_response_time(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode(kind, Mode.SLOW)
    result = await check(session, configure(kind, simulator.url))
    assert result.response_time_ms is not None
    assert 300 <= result.response_time_ms < 500


@pytest.mark.parametrize("kind", KINDS)
async def test_a_401_is_offline_with_the_type_s_message(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode(kind, Mode.UNAUTHORIZED)
    result = await check(session, configure(kind, simulator.url))
    assert HealthCheckResult.offline(kind, UNAUTHORIZED[kind], NOW) == result


@pytest.mark.parametrize("kind", CREDENTIALED)
async def test_a_wrong_credential_is_offline_with_the_type_s_message(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    result = await check(session, configure(kind, simulator.url, secret="revoked"))
    assert HealthCheckResult.offline(kind, UNAUTHORIZED[kind], NOW) == result


@pytest.mark.parametrize("kind", KINDS)
async def test_a_503_is_offline_with_the_status(
    kind: str, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode(kind, Mode.DOWN)
    result = await check(session, configure(kind, simulator.url))
    assert HealthCheckResult.offline(kind, "HTTP 503", NOW) == result


@pytest.mark.parametrize("mode", [Mode.HANG, Mode.DRIP])
@pytest.mark.parametrize("kind", KINDS)
async def test_an_upstream_that_never_finishes_is_offline_at_the_deadline(
    kind: str, mode: Mode, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode(kind, mode)
    started = time.perf_counter()
    result = await check(session, configure(kind, simulator.url))
    elapsed = time.perf_counter() - started
    assert HealthCheckResult.offline(kind, "Request timeout (>500ms)", NOW) == result
    # One deadline for the whole check: a dripping body must not extend it.
    assert 0.5 <= elapsed < 1.5


@pytest.mark.parametrize("kind", KINDS)
async def test_a_refused_connection_is_offline(
    kind: str, closed_port: int, session: aiohttp.ClientSession
) -> None:
    result = await check(session, configure(kind, f"http://127.0.0.1:{closed_port}"))
    assert HealthCheckResult.offline(kind, CONNECTION_FAILED, NOW) == result


@pytest.mark.parametrize("kind", KINDS)
async def test_an_unknown_host_is_offline(kind: str, session: aiohttp.ClientSession) -> None:
    limits = Thresholds(timeout=timedelta(seconds=5), degraded_after=timedelta(seconds=1))
    result = await check(session, configure(kind, "http://nonexistent.invalid"), limits)
    assert HealthCheckResult.offline(kind, CONNECTION_FAILED, NOW) == result


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("jira", ("Bearer jira-token", None)),
        ("postman", (None, "postman-key")),
        ("testmo", ("Bearer testmo-key", None)),
    ],
)
async def test_each_upstream_receives_its_credential_in_its_own_header(
    kind: str,
    expected: tuple[str | None, str | None],
    simulator: Simulator,
    session: aiohttp.ClientSession,
) -> None:
    await check(session, configure(kind, simulator.url))
    (received,) = simulator.requests
    assert expected == (received.headers.get("Authorization"), received.headers.get("X-Api-Key"))


async def test_an_http_check_sends_its_custom_headers(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    headers = {"X-Health-Token": "h-token", "Accept": "application/health+json"}
    config = http_check(f"{simulator.url}/http/healthz", headers=headers)
    await check(session, config)
    (received,) = simulator.requests
    assert ("h-token", "application/health+json") == (
        received.headers.get("X-Health-Token"),
        received.headers.get("Accept"),
    )


async def test_an_http_check_is_offline_when_the_status_is_not_the_expected_one(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    config = http_check(f"{simulator.url}/http/healthz", expect_status=[204])
    assert HealthCheckResult.offline("site", "HTTP 200", NOW) == await check(session, config)


async def test_an_http_check_is_online_when_it_expects_the_error_it_gets(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode("http", Mode.DOWN)
    config = http_check(f"{simulator.url}/http/healthz", expect_status=[503])
    assert HealthStatus.ONLINE == (await check(session, config)).status
