"""What the simulator does beyond answering checks: cycling modes, its demo plan, stopping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence

import aiohttp
import pytest

from integration_health.simulator import DEMO_PLAN, Mode, Simulator

STATUS = {
    Mode.HEALTHY: "online",
    Mode.SLOW: "degraded",
    Mode.UNAUTHORIZED: "offline",
    Mode.DOWN: "offline",
    Mode.HANG: "offline",
    Mode.DRIP: "offline",
}
CHECKED = ("jira", "postman", "testmo")


def mode_at(phases: Sequence[tuple[Mode, float]], elapsed: float) -> Mode:
    """Return the mode a plan's ``phases`` are in ``elapsed`` seconds after they start."""
    offset = elapsed % sum(seconds for _, seconds in phases)
    for mode, seconds in phases:
        if offset < seconds:
            return mode
        offset -= seconds
    raise AssertionError("unreachable: the offset is within the period")


def longest_offline(phases: Sequence[tuple[Mode, float]]) -> float:
    """Return the longest run of seconds ``phases`` keep an upstream offline, across the loop."""
    longest = current = 0.0
    for mode, seconds in [*phases, *phases]:
        current = current + seconds if STATUS[mode] == "offline" else 0.0
        longest = max(longest, current)
    return longest


async def fetch(session: aiohttp.ClientSession, url: str) -> int:
    """Return the status ``url`` answers with."""
    async with session.get(url) as response:
        return response.status


async def eventually(condition: Callable[[], bool]) -> None:
    """Return once ``condition`` holds; fail after about five seconds."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("the condition never held")


async def observe(simulator: Simulator, upstream: str, changes: int) -> list[Mode]:
    """Return the first ``changes`` distinct modes ``upstream`` goes through, in order."""
    seen = [simulator.mode(upstream)]
    while len(seen) < changes:
        await asyncio.sleep(0.005)
        if simulator.mode(upstream) != seen[-1]:
            seen.append(simulator.mode(upstream))
    return seen


async def test_cycle_walks_each_upstream_through_its_phases_in_a_loop() -> None:
    simulator = Simulator()
    stop = asyncio.Event()
    plan = {"jira": [(Mode.SLOW, 0.05), (Mode.DOWN, 0.05)], "postman": [(Mode.DRIP, 0.05)]}
    cycling = asyncio.create_task(simulator.cycle(plan, stop))
    await asyncio.sleep(0)
    seen = await asyncio.wait_for(observe(simulator, "jira", 4), timeout=5)
    stop.set()
    await cycling
    assert [Mode.SLOW, Mode.DOWN, Mode.SLOW, Mode.DOWN] == seen
    assert (Mode.DRIP, Mode.HEALTHY) == (simulator.mode("postman"), simulator.mode("testmo"))


async def test_cycle_returns_once_told_to_stop() -> None:
    stop = asyncio.Event()
    cycling = asyncio.create_task(Simulator().cycle({"jira": [(Mode.SLOW, 60)]}, stop))
    await asyncio.sleep(0)
    stop.set()
    await asyncio.wait_for(cycling, timeout=1)


def test_set_mode_rejects_an_unknown_upstream() -> None:
    with pytest.raises(KeyError, match="unknown upstream 'jria'"):
        Simulator().set_mode("jria", Mode.DOWN)


def test_the_url_is_unknown_until_started() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        _ = Simulator().url


@pytest.mark.parametrize(("mode", "expected"), [(Mode.DOWN, 503), (Mode.HEALTHY, 401)])
async def test_a_down_upstream_fails_before_it_checks_credentials(
    mode: Mode, expected: int, simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode("jira", mode)
    url = f"{simulator.url}/jira/rest/api/3/myself"
    async with session.get(url, headers={"Authorization": "Bearer wrong"}) as response:
        assert expected == response.status


async def test_a_dripping_upstream_sends_its_headers_then_trickles(
    simulator: Simulator, session: aiohttp.ClientSession
) -> None:
    simulator.set_mode("http", Mode.DRIP)
    async with session.get(f"{simulator.url}/http/healthz") as response:
        first = await response.content.readany()
    assert (200, b" ") == (response.status, first)


async def test_stop_does_not_wait_for_a_hanging_request(session: aiohttp.ClientSession) -> None:
    simulator = Simulator()
    await simulator.start()
    simulator.set_mode("http", Mode.HANG)
    waiting = asyncio.create_task(fetch(session, f"{simulator.url}/http/healthz"))
    await eventually(lambda: bool(simulator.requests))
    started = time.perf_counter()
    await simulator.stop()
    assert time.perf_counter() - started < 0.5
    with pytest.raises(aiohttp.ClientError):
        await waiting


def test_the_demo_plan_keeps_jira_postman_and_testmo_apart_at_every_moment() -> None:
    moments = [tick / 2 for tick in range(2 * 300)]
    clashes = [
        moment
        for moment in moments
        if len({STATUS[mode_at(DEMO_PLAN[name], moment)] for name in CHECKED}) != 3
    ]
    assert [] == clashes


def test_the_demo_plan_shows_every_answer_within_two_minutes() -> None:
    shown = {mode_at(phases, second) for phases in DEMO_PLAN.values() for second in range(120)}
    assert {Mode.HEALTHY, Mode.SLOW, Mode.UNAUTHORIZED, Mode.DOWN} <= shown


def test_the_demo_plan_keeps_an_upstream_offline_long_enough_to_alert() -> None:
    assert 40 < max(longest_offline(phases) for phases in DEMO_PLAN.values())


def test_the_demo_plan_stays_slow_for_several_checks() -> None:
    shortest = min(
        seconds for phases in DEMO_PLAN.values() for mode, seconds in phases if mode is Mode.SLOW
    )
    assert shortest >= 15
