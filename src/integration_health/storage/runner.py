"""How repositories run their work: once more on a fresh connection if one died, errors wrapped."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from integration_health.errors import DatabaseError

T = TypeVar("T")
Work = Callable[[AsyncConnection], Awaitable[T]]
"""One unit of database work, given a connection."""


class Runner:
    """Runs work on one engine, in a transaction or in autocommit."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._secret = engine.url.password

    async def run(self, context: str, work: Work[T], *, transaction: bool = False) -> T:
        """Return what ``work`` returns; raise DatabaseError(``context``) if the database fails."""
        for attempt in (1, 2):
            try:
                if transaction:
                    async with self.engine.begin() as connection:
                        return await work(connection)
                async with self._autocommit.connect() as connection:
                    return await work(connection)
            except DBAPIError as exc:
                # A pooled connection that died with a database restart fails on its first
                # statement and is discarded: nothing was written, so try a fresh one.
                if exc.connection_invalidated and attempt == 1:
                    continue
                raise DatabaseError.wrapping(context, exc, self._secret) from exc
            # sqlite3 raises OverflowError for an integer past 64 bits unwrapped by SQLAlchemy.
            except (SQLAlchemyError, OSError, OverflowError) as exc:
                raise DatabaseError.wrapping(context, exc, self._secret) from exc
        raise AssertionError("unreachable")
