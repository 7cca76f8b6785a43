"""The shared HTTP timing helper: how a response is judged, and what it refuses to read."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from integration_health.checks.base import ProbeSpec
from integration_health.checks.probe import Thresholds, classify, run_probe
from integration_health.domain import HealthCheckResult, HealthStatus
from integration_health.simulator import Simulator

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ONE_SECOND = Thresholds(timeout=timedelta(seconds=3), degraded_after=timedelta(seconds=1))
SPEC = ProbeSpec(url="http://upstream.test/health", unauthorized_message="Invalid API key")


@pytest.mark.parametrize(
    ("status", "elapsed", "expected"),
    [
        (200, 0.1, HealthCheckResult.online("api", 100, NOW)),
        (204, 0.25, HealthCheckResult.online("api", 250, NOW)),
        (299, 0.1, HealthCheckResult.online("api", 100, NOW)),
        (200, 1.0, HealthCheckResult.online("api", 1000, NOW)),
        (
            200,
            1.2,
            HealthCheckResult.degraded("api", 1200, "Response time exceeds 1s threshold", NOW),
        ),
        (199, 0.1, HealthCheckResult.offline("api", "HTTP 199", NOW)),
        (302, 0.1, HealthCheckResult.offline("api", "HTTP 302", NOW)),
        (401, 0.1, HealthCheckResult.offline("api", "Invalid API key", NOW)),
        (403, 0.1, HealthCheckResult.offline("api", "HTTP 403", NOW)),
        (500, 2.5, HealthCheckResult.offline("api", "HTTP 500", NOW)),
        (503, 0.1, HealthCheckResult.offline("api", "HTTP 503", NOW)),
    ],
)
def test_it_classifies_a_response_by_status_and_time(
    status: int, elapsed: float, expected: HealthCheckResult
) -> None:
    assert expected == classify("api", SPEC, status, elapsed, limits=ONE_SECOND, at=NOW)


@pytest.mark.parametrize(
    ("degraded_after", "expected"),
    [
        (timedelta(milliseconds=200), "Response time exceeds 200ms threshold"),
        (timedelta(seconds=1.5), "Response time exceeds 1.5s threshold"),
        (timedelta(seconds=2), "Response time exceeds 2s threshold"),
    ],
)
def test_the_degraded_message_names_the_threshold(degraded_after: timedelta, expected: str) -> None:
    limits = Thresholds(timeout=timedelta(seconds=10), degraded_after=degraded_after)
    result = classify("api", SPEC, 200, 5.0, limits=limits, at=NOW)
    assert expected == result.error_message


@pytest.mark.parametrize(
    ("status", "expected"),
    [(204, HealthStatus.ONLINE), (200, HealthStatus.OFFLINE), (201, HealthStatus.OFFLINE)],
)
def test_expected_statuses_replace_any_2xx(status: int, expected: HealthStatus) -> None:
    spec = ProbeSpec(url=SPEC.url, expect_status=frozenset({204}))
    assert expected == classify("api", spec, status, 0.1, limits=ONE_SECOND, at=NOW).status


async def test_a_body_over_the_limit_is_not_read_to_its_end(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    # The body never ends: reading it all would end at the deadline, not with a verdict.
    spec = ProbeSpec(url=f"{simulator.url}/http/endless")
    started = time.perf_counter()
    result = await run_probe(session, "big", spec, ONE_SECOND, lambda: NOW)
    assert HealthStatus.ONLINE == result.status
    assert time.perf_counter() - started < 1.5


async def test_the_result_is_stamped_by_the_clock_it_is_given(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    stamps = iter([NOW, NOW + timedelta(hours=1)])
    spec = ProbeSpec(url=f"{simulator.url}/http/healthz")
    result = await run_probe(session, "api", spec, ONE_SECOND, lambda: next(stamps))
    assert NOW == result.checked_at
