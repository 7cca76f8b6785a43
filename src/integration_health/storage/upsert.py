"""INSERT ... ON CONFLICT for a batch of rows, in the fastest form each database offers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, column, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection


class Upsert:
    """Insert rows into ``table``; a row whose ``key`` exists updates ``update`` (or is skipped)."""

    def __init__(self, table: Table, key: Sequence[str], update: Sequence[str]) -> None:
        self._names = [c.name for c in table.c]
        self._postgresql = _on_conflict(_unnest_insert(table), table, key, update)
        self._sqlite = _on_conflict(sqlite.insert(table), table, key, update)

    async def execute(self, connection: AsyncConnection, batch: Sequence[dict[str, Any]]) -> None:
        """Write ``batch`` (rows as dicts holding every column) in one statement."""
        if connection.dialect.name == "postgresql":
            # One array per column: a single statement of a dozen parameters, whatever the
            # batch size, where a multi-row VALUES needs twelve per row and a new plan.
            columns = {name: [row[name] for row in batch] for name in self._names}
            await connection.execute(self._postgresql, columns)
        else:
            # SQLite runs in-process: executemany has no round trips to save and no
            # bind-variable limit to split around.
            await connection.execute(self._sqlite, list(batch))


def _unnest_insert(table: Table) -> postgresql.Insert:
    arrays = [bindparam(c.name, type_=postgresql.ARRAY(c.type)) for c in table.c]
    source = (
        func.unnest(*arrays)
        .table_valued(*(column(c.name, c.type) for c in table.c))
        .render_derived()
    )
    return postgresql.insert(table).from_select([c.name for c in table.c], select(*source.c))


def _on_conflict(
    insert: postgresql.Insert | sqlite.Insert,
    table: Table,
    key: Sequence[str],
    update: Sequence[str],
) -> Any:
    index = [table.c[name] for name in key]
    if not update:
        return insert.on_conflict_do_nothing(index_elements=index)
    return insert.on_conflict_do_update(
        index_elements=index, set_={name: insert.excluded[name] for name in update}
    )
