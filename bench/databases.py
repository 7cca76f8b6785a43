"""What the benchmarks share: running one statement outside a transaction (CREATE/DROP DATABASE)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import URL

from integration_health.storage import create_engine


async def admin(url: URL, statement: str) -> None:
    """Run one statement on the database at ``url``, outside any transaction."""
    engine = create_engine(url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()
