"""The scheduler: due checks start, in parallel, bounded, never overlapping, stoppable."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime

from integration_health.domain import HealthCheckResult
from integration_health.scheduler import CheckFn, Job, Scheduler

T0 = datetime(2026, 11, 22, tzinfo=UTC)


class Probe:
    """Check functions that count how many of them run at once."""

    def __init__(self) -> None:
        self.running: Counter[str] = Counter()
        self.peak: Counter[str] = Counter()
        self.peak_total = 0
        self.started: Counter[str] = Counter()
        self.release = asyncio.Event()

    def check(self, name: str, *, seconds: float = 0.0, hang: bool = False) -> CheckFn:
        async def run() -> HealthCheckResult:
            self.started[name] += 1
            self.running[name] += 1
            self.peak[name] = max(self.peak[name], self.running[name])
            self.peak_total = max(self.peak_total, sum(self.running.values()))
            try:
                if hang:
                    await self.release.wait()
                else:
                    await asyncio.sleep(seconds)
            finally:
                self.running[name] -= 1
            return HealthCheckResult.online(name, 1, T0)

        return run


def scheduler(jobs: list[Job], results: list[HealthCheckResult], concurrency: int) -> Scheduler:
    return Scheduler(
        jobs, results.append, concurrency=concurrency, start=asyncio.get_running_loop().time()
    )


async def run_for(subject: Scheduler, seconds: float) -> None:
    task = asyncio.create_task(subject.run())
    await asyncio.sleep(seconds)
    subject.stop()
    await task


async def test_every_job_runs_at_start_when_slots_allow() -> None:
    probe = Probe()
    jobs = [Job(f"i{n}", 60, probe.check(f"i{n}")) for n in range(5)]
    subject = scheduler(jobs, [], concurrency=10)

    subject.run_once(asyncio.get_running_loop().time())

    assert 5 == subject.in_flight
    await subject.drain()


async def test_run_once_returns_when_the_next_check_is_due() -> None:
    probe = Probe()
    loop_time = asyncio.get_running_loop().time()
    subject = Scheduler(
        [Job("a", 30, probe.check("a"))], lambda _: None, concurrency=1, start=loop_time
    )

    next_due = subject.run_once(loop_time)

    assert loop_time + 30 == next_due
    await subject.drain()


async def test_checks_run_in_parallel() -> None:
    probe = Probe()
    jobs = [Job(f"i{n}", 60, probe.check(f"i{n}", seconds=0.1)) for n in range(20)]
    results: list[HealthCheckResult] = []

    await run_for(scheduler(jobs, results, concurrency=20), 0.05)

    assert (20, 20) == (probe.peak_total, len(results))


async def test_no_more_than_concurrency_checks_are_in_flight() -> None:
    probe = Probe()
    jobs = [Job(f"i{n}", 0.05, probe.check(f"i{n}", seconds=0.02)) for n in range(10)]

    await run_for(scheduler(jobs, [], concurrency=3), 0.2)

    assert 3 == probe.peak_total


async def test_a_check_never_overlaps_itself() -> None:
    probe = Probe()
    jobs = [Job("slow", 0.02, probe.check("slow", seconds=0.1))]

    await run_for(scheduler(jobs, [], concurrency=4), 0.35)

    assert 1 == probe.peak["slow"]
    assert probe.started["slow"] >= 3


async def test_a_hanging_check_does_not_delay_the_others() -> None:
    probe = Probe()
    jobs = [
        Job("hangs", 0.05, probe.check("hangs", hang=True)),
        Job("fast", 0.05, probe.check("fast")),
    ]
    subject = scheduler(jobs, [], concurrency=2)
    task = asyncio.create_task(subject.run())

    await asyncio.sleep(0.3)
    subject.stop()
    probe.release.set()
    await task

    assert (1, True) == (probe.started["hangs"], probe.started["fast"] >= 5)


async def test_many_jobs_are_spread_over_the_interval() -> None:
    probe = Probe()
    jobs = [Job(f"i{n}", 10, probe.check(f"i{n}")) for n in range(10)]
    start = asyncio.get_running_loop().time()
    subject = Scheduler(jobs, lambda _: None, concurrency=2, start=start)

    first = subject.run_once(start)
    await subject.drain()

    assert (1, start + 1) == (sum(probe.started.values()), first)


async def test_stop_lets_running_checks_finish_and_records_them() -> None:
    probe = Probe()
    results: list[HealthCheckResult] = []
    subject = scheduler([Job("a", 60, probe.check("a", hang=True))], results, concurrency=1)
    task = asyncio.create_task(subject.run())
    await asyncio.sleep(0.01)

    subject.stop()
    await asyncio.sleep(0.05)
    finished_early = task.done()
    probe.release.set()
    await task

    assert (False, ["a"]) == (finished_early, [result.integration for result in results])


async def test_a_crashing_check_does_not_stop_the_scheduler() -> None:
    results: list[HealthCheckResult] = []
    probe = Probe()

    async def broken() -> HealthCheckResult:
        raise RuntimeError("bug")

    jobs = [Job("broken", 0.02, broken), Job("fine", 0.02, probe.check("fine"))]
    await run_for(scheduler(jobs, results, concurrency=2), 0.1)

    assert probe.started["fine"] >= 3
