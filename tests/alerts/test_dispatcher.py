"""The dispatcher against real receivers and a real database: retries, refusals, restarts."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from pydantic import SecretStr
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncEngine

from integration_health.alerts import Dispatcher, WebhookChannel, outbox
from integration_health.alerts.delivery import Channel
from integration_health.domain import AlertOpened
from integration_health.storage import AlertRepository, ChannelDelivery, create_engine
from tests.alerts.conftest import Receiver
from tests.storage.support import T0, Clock, eventually

TOKEN = "hook-token-5d1e"
OPENED = AlertOpened(
    integration="jira",
    downtime_start=T0,
    consecutive_failures=4,
    error="HTTP 503",
    occurred_at=T0 + timedelta(minutes=3),
)


class Middle:
    """A ``Random`` that always answers the middle of its range: backoff without surprises."""

    def random(self) -> float:
        return 0.5


def webhook(receiver: Receiver, name: str = "ops-hook", path: str = f"/hooks/{TOKEN}") -> Channel:
    return WebhookChannel(name, SecretStr(receiver.url(path)), deadline=timedelta(seconds=3))


@pytest.fixture
def clock() -> Clock:
    return Clock(OPENED.occurred_at)


@pytest.fixture
def alerts(engine: AsyncEngine) -> AlertRepository:
    return AlertRepository(engine)


def dispatcher(repository: AlertRepository, clock: Clock, *channels: Channel) -> Dispatcher:
    return Dispatcher(
        repository, {channel.name: channel for channel in channels}, now=clock, rng=Middle()
    )


async def open_alert(alerts: AlertRepository, *channels: str) -> UUID:
    alert_id = uuid4()
    await alerts.open_alert(alert_id, OPENED, outbox.notifications(channels, alert_id, OPENED))
    return alert_id


async def deliveries(alerts: AlertRepository) -> dict[str, ChannelDelivery]:
    [(_, found)] = await alerts.list_alerts()
    return {delivery.channel: delivery for delivery in found}


async def test_a_stored_notification_is_delivered_once_with_its_alert_id(
    alerts: AlertRepository, clock: Clock, receiver: Receiver
) -> None:
    alert_id = await open_alert(alerts, "ops-hook")
    sender = dispatcher(alerts, clock, webhook(receiver))

    tried = (await sender.run_once(), await sender.run_once())

    delivered = (await deliveries(alerts))["ops-hook"]
    body = json.loads(receiver.requests[0].body)
    assert ((1, 0), 1, str(alert_id), "opened") == (
        tried,
        len(receiver.requests),
        body["alertId"],
        body["event"],
    )
    assert ("delivered", 1, clock.now) == (
        delivered.state,
        delivered.attempts,
        delivered.delivered_at,
    )


async def test_a_failing_receiver_is_retried_with_backoff_until_it_accepts(
    alerts: AlertRepository, clock: Clock, receiver: Receiver
) -> None:
    await open_alert(alerts, "ops-hook")
    sender = dispatcher(alerts, clock, webhook(receiver))
    receiver.status = 503
    waits = []
    for _ in range(3):
        await sender.run_once()
        retry = (await deliveries(alerts))["ops-hook"]
        assert retry.next_attempt_at is not None
        waits.append(retry.next_attempt_at - clock.now)
        assert 0 == await sender.run_once()
        clock.now = retry.next_attempt_at
    receiver.status = 200

    await sender.run_once()
    await sender.run_once()

    delivered = (await deliveries(alerts))["ops-hook"]
    second = timedelta(seconds=1)
    # Middle jitter: three quarters of 1 s, 2 s and 4 s.
    assert [0.75 * second, 1.5 * second, 3 * second] == waits
    assert (4, "delivered", 4, "HTTP 503") == (
        len(receiver.requests),
        delivered.state,
        delivered.attempts,
        delivered.last_error,
    )


async def test_a_refused_notification_is_given_up_at_once_and_logged_by_channel_name(
    alerts: AlertRepository, clock: Clock, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    await open_alert(alerts, "ops-hook")
    sender = dispatcher(alerts, clock, webhook(receiver))
    receiver.status = 404

    await sender.run_once()
    clock.advance(timedelta(hours=1))
    await sender.run_once()

    refused = (await deliveries(alerts))["ops-hook"]
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert (1, "given_up", 1, "HTTP 404") == (
        len(receiver.requests),
        refused.state,
        refused.attempts,
        refused.last_error,
    )
    assert "ops-hook" in error
    assert (False, False) == (TOKEN in caplog.text, "127.0.0.1" in caplog.text)


async def test_a_notification_still_failing_after_24_hours_is_given_up_and_logged(
    alerts: AlertRepository, clock: Clock, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    await open_alert(alerts, "ops-hook")
    sender = dispatcher(alerts, clock, webhook(receiver))
    receiver.status = 503
    await sender.run_once()
    clock.advance(timedelta(hours=23, minutes=58))
    await sender.run_once()
    still_trying = (await deliveries(alerts))["ops-hook"].state
    clock.advance(timedelta(minutes=5))

    await sender.run_once()

    given_up = (await deliveries(alerts))["ops-hook"]
    [error] = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert ("pending", "given_up", 3) == (still_trying, given_up.state, given_up.attempts)
    assert "ops-hook" in error
    assert "gave up after retrying for 24 h" in error
    assert TOKEN not in caplog.text


async def test_a_notification_for_a_channel_no_longer_configured_is_given_up(
    alerts: AlertRepository, clock: Clock, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    await open_alert(alerts, "removed")
    sender = dispatcher(alerts, clock, webhook(receiver))

    await sender.run_once()

    gone = (await deliveries(alerts))["removed"]
    assert ("given_up", "channel 'removed' is no longer configured") == (
        gone.state,
        gone.last_error,
    )
    assert "channel 'removed' is no longer configured" in caplog.text


async def test_a_notification_stored_before_a_crash_is_sent_after_the_restart(
    database_url: URL, engine: AsyncEngine, clock: Clock, receiver: Receiver
) -> None:
    before = AlertRepository(engine)
    alert_id = await open_alert(before, "ops-hook")
    dispatcher(before, clock, webhook(receiver))
    await engine.dispose()

    restarted = create_engine(database_url)
    try:
        after = AlertRepository(restarted)
        tried = await dispatcher(after, clock, webhook(receiver)).run_once()
        state = (await deliveries(after))["ops-hook"].state
    finally:
        await restarted.dispose()

    body = json.loads(receiver.requests[0].body)
    assert (1, "delivered", str(alert_id)) == (tried, state, body["alertId"])


async def test_a_dead_channel_does_not_delay_another_channels_delivery(
    alerts: AlertRepository, clock: Clock, receiver: Receiver
) -> None:
    await open_alert(alerts, "dead", "ops-hook")
    dead = WebhookChannel("dead", SecretStr(receiver.url("/hang")), deadline=timedelta(seconds=3))
    sender = dispatcher(alerts, clock, dead, webhook(receiver))
    running = asyncio.create_task(sender.run_once())

    async def healthy_delivered() -> bool:
        return (await deliveries(alerts))["ops-hook"].state == "delivered"

    # Well within the dead channel's 3 s deadline.
    await eventually(healthy_delivered, within=2.0)
    still_sending = not running.done()
    await running

    hung = (await deliveries(alerts))["dead"]
    assert (True, "pending", "timeout") == (still_sending, hung.state, hung.last_error)


async def test_a_notification_being_sent_is_not_taken_again_by_an_overlapping_run(
    alerts: AlertRepository, clock: Clock, receiver: Receiver
) -> None:
    await open_alert(alerts, "ops-hook")
    sender = dispatcher(alerts, clock, webhook(receiver))
    receiver.hang = True
    first = asyncio.create_task(sender.run_once())
    await eventually(lambda: len(receiver.requests) == 1)

    overlapping = await sender.run_once()
    receiver.released.set()
    await first

    assert (0, 1, "delivered") == (
        overlapping,
        len(receiver.requests),
        (await deliveries(alerts))["ops-hook"].state,
    )


async def test_the_loop_sends_as_soon_as_it_is_woken_and_stops_when_told(
    alerts: AlertRepository, clock: Clock, receiver: Receiver
) -> None:
    sender = dispatcher(alerts, clock, webhook(receiver))
    stop = asyncio.Event()
    loop = asyncio.create_task(sender.run(stop, poll=60))
    await asyncio.sleep(0.05)

    await open_alert(alerts, "ops-hook")
    sender.wake()
    await eventually(lambda: len(receiver.requests) == 1, within=5.0)
    stop.set()
    await asyncio.wait_for(loop, timeout=5)

    assert "delivered" == (await deliveries(alerts))["ops-hook"].state


async def test_a_send_cut_short_by_stopping_stays_pending_for_the_next_start(
    alerts: AlertRepository, clock: Clock, receiver: Receiver
) -> None:
    await open_alert(alerts, "ops-hook")
    receiver.hang = True
    sender = dispatcher(alerts, clock, webhook(receiver))
    stop = asyncio.Event()
    loop = asyncio.create_task(sender.run(stop, poll=60, grace=0.1))
    await eventually(lambda: len(receiver.requests) == 1)

    stop.set()
    await asyncio.wait_for(loop, timeout=2)

    assert [OPENED.integration] == [
        row.payload["integration"] for row in await alerts.due(clock.now)
    ]
