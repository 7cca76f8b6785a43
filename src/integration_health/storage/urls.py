"""Database URLs as users write them, turned into the async drivers' URLs, and hidden for logs."""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}

_USAGE = "use sqlite:///path/to/file.db or postgresql://user:password@host:5432/database"


def async_url(url: str | URL) -> URL:
    """Return ``url`` with the async driver of its database; raise ValueError if unsupported."""
    parsed = _parse(url)
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        # Only the scheme is echoed: the rest of the URL may hold a password.
        raise ValueError(f"unsupported database URL scheme {parsed.drivername!r}: {_USAGE}")
    return parsed.set(drivername=driver)


def is_sqlite(url: URL) -> bool:
    """Return whether ``url`` points at SQLite."""
    return url.get_backend_name() == "sqlite"


def is_memory(url: URL) -> bool:
    """Return whether ``url`` is an in-memory SQLite database, gone when its connection closes."""
    return is_sqlite(url) and url.database in (None, "", ":memory:")


def redact(url: str | URL) -> str:
    """Return ``url`` fit for a log line: the password, if any, replaced by ``***``."""
    try:
        parsed = _parse(url)
    except ValueError:
        return "<unparseable database URL>"
    return parsed.render_as_string(hide_password=True)


def _parse(url: str | URL) -> URL:
    if isinstance(url, URL):
        return url
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        # Raised without the cause: SQLAlchemy's message may quote the URL.
        raise ValueError(f"cannot parse the database URL: {_USAGE}") from None
