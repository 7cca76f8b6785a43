"""Database URLs: the user's spelling becomes the async driver's, and passwords stay hidden."""

from __future__ import annotations

import pytest

from integration_health.storage import async_url, redact


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("sqlite:///./health.db", "sqlite+aiosqlite:///./health.db"),
        ("sqlite:////var/lib/health.db", "sqlite+aiosqlite:////var/lib/health.db"),
        ("sqlite://", "sqlite+aiosqlite://"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("postgresql://u:p@db:5432/health", "postgresql+asyncpg://u:p@db:5432/health"),
        ("postgres://u:p@db:5432/health", "postgresql+asyncpg://u:p@db:5432/health"),
        ("postgresql+asyncpg://u@db/health", "postgresql+asyncpg://u@db/health"),
    ],
)
def test_it_picks_the_async_driver(given: str, expected: str) -> None:
    assert expected == async_url(given).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    "given",
    [
        "mysql://monitor:hunter2@db/health",
        "postgresql+psycopg2://monitor:hunter2@db/health",
        "http://monitor:hunter2@db/health",
    ],
)
def test_it_refuses_other_databases_without_echoing_the_password(given: str) -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme") as raised:
        async_url(given)

    assert "hunter2" not in str(raised.value)


def test_it_refuses_an_unparseable_url_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="cannot parse the database URL") as raised:
        async_url("monitor:hunter2 at db")

    assert "hunter2" not in str(raised.value)
    assert raised.value.__cause__ is None


def test_redact_hides_the_password() -> None:
    assert "postgresql://monitor:***@db:5432/health" == redact(
        "postgresql://monitor:hunter2@db:5432/health"
    )


def test_redact_leaves_a_url_without_password_alone() -> None:
    assert "sqlite:///./health.db" == redact("sqlite:///./health.db")


def test_redact_of_garbage_reveals_nothing() -> None:
    assert "<unparseable database URL>" == redact("monitor:hunter2 at db")
