"""When each integration is checked: ``run_once(now)`` starts what is due, ``run`` loops on it.

Time here is the event loop's monotonic clock in seconds, passed in, so tests drive it.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from integration_health.domain import HealthCheckResult

log = logging.getLogger("integration_health.scheduler")

CheckFn = Callable[[], Awaitable[HealthCheckResult]]
ResultFn = Callable[[HealthCheckResult], object]


@dataclass(frozen=True, slots=True)
class Job:
    """One integration to check every ``interval`` seconds."""

    name: str
    interval: float
    check: CheckFn


class Scheduler:
    """Runs each job every interval, at most ``concurrency`` at once, never a job twice at once."""

    def __init__(
        self,
        jobs: Sequence[Job],
        on_result: ResultFn,
        *,
        concurrency: int,
        start: float,
    ) -> None:
        self._jobs = {job.name: job for job in jobs}
        self._on_result = on_result
        self._concurrency = concurrency
        self._running: dict[str, asyncio.Task[None]] = {}
        self._wake = asyncio.Event()
        self._stopping = False
        self.lag: list[float] = []
        """How late each check started, in seconds; read and cleared by benchmarks."""
        self.record_lag = False
        # With more jobs than slots, a start-up burst would queue the tail behind the head:
        # spread the first round over each job's interval instead (order kept stable by name).
        spread = len(jobs) > concurrency
        self._due: list[tuple[float, str]] = [
            (start + (job.interval * index / len(jobs) if spread else 0.0), job.name)
            for index, job in enumerate(sorted(jobs, key=lambda job: job.name))
        ]
        heapq.heapify(self._due)

    @property
    def in_flight(self) -> int:
        """Return how many checks are running now."""
        return len(self._running)

    def run_once(self, now: float) -> float | None:
        """Start every due check that a free slot allows; return when the next one is due."""
        while self._due and len(self._running) < self._concurrency:
            due, name = self._due[0]
            if due > now:
                break
            heapq.heappop(self._due)
            job = self._jobs[name]
            next_due = due + job.interval
            while next_due <= now:
                # Skipped rounds are not made up in a burst: the job simply runs late once.
                next_due += job.interval
            heapq.heappush(self._due, (next_due, name))
            if name in self._running:
                continue
            if self.record_lag:
                self.lag.append(now - due)
            self._running[name] = asyncio.get_running_loop().create_task(
                self._run(job), name=f"check:{name}"
            )
        if not self._due:
            return None
        return self._due[0][0]

    def stop(self) -> None:
        """Stop scheduling; checks already running go on to their end or their deadline."""
        self._stopping = True
        self._wake.set()

    async def run(self) -> None:
        """Run checks until ``stop()``, then wait for those still running."""
        loop = asyncio.get_running_loop()
        while not self._stopping:
            self._wake.clear()
            next_due = self.run_once(loop.time())
            full = len(self._running) >= self._concurrency
            # A plain timer, not asyncio.timeout: at thousands of wake-ups a second the
            # cancel-and-raise path of a timeout costs a measurable share of the CPU.
            timer = None if next_due is None or full else loop.call_at(next_due, self._wake.set)
            try:
                await self._wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()
        await self.drain()

    async def drain(self) -> None:
        """Wait for every running check to finish."""
        while self._running:
            await asyncio.wait(list(self._running.values()))

    async def _run(self, job: Job) -> None:
        try:
            self._on_result(await job.check())
        except Exception:
            # A check reports upstream trouble as a result; reaching here is a bug of ours.
            log.exception("check failed unexpectedly", extra={"integration": job.name})
        finally:
            del self._running[job.name]
            self._wake.set()
