"""Reading call records and their companion tables, in any column naming, into the engine.

Each table is rebuilt with the column names the feature SQL reads. ``--map`` renames
source columns: ``caller=a_number,callee=b_number`` for the calls table, and
``sms.sender=from,reports.ts=created`` for the others. Timestamps may be TIMESTAMP
columns, ISO strings or integer seconds since 1970 (UTC).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.inputs import quote_identifier
from scamtrace.analytics.pipeline import Pipeline
from scamtrace.analytics.sims.features import SimTables
from scamtrace.errors import InvalidDataFile

#: Columns each table provides to the features; the first group is required.
TABLE_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "calls": (("ts", "caller", "callee", "duration_s"), ("cell_id", "imei")),
    "sms": (("ts", "sender", "recipient"), ("sms_id", "text")),
    "sims": (("msisdn",), ("person_id", "activated_at", "registration")),
    "devices": (("msisdn", "imei", "from_ts"), ("to_ts",)),
    "cells": (("cell_id", "border_zone"), ()),
    "reports": (("ts", "reporter_msisdn", "reported_kind", "reported_value"),
                ("report_id", "channel", "text", "tx_id")),
    "accounts": (("account_id", "person_id"), ("kind",)),
    "transactions": (("ts", "src_account", "dst_account"), ()),
    "flagged_accounts": (("account",), ()),
}

_TIME_COLUMNS = {"ts", "activated_at", "from_ts", "to_ts"}

#: Where a simulated world keeps each table (``scamtrace simulate``).
WORLD_FILES = {
    "calls": "calls.parquet", "sms": "sms.parquet", "sims": "sims.parquet",
    "devices": "sim_devices.parquet", "cells": "cells.parquet", "reports": "reports.parquet",
    "accounts": "accounts.parquet", "transactions": "transactions.parquet",
}


def parse_sim_map(text: str | None) -> dict[str, dict[str, str]]:
    """Parse ``role=column`` (calls) and ``table.role=column`` entries.

    Args:
        text: the ``--map`` value.

    Returns:
        Per table, the source column of each renamed role.
    """
    result: dict[str, dict[str, str]] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        key, sep, column = (s.strip() for s in part.partition("="))
        table, _, role = key.rpartition(".")
        table = table or "calls"
        if not sep or not column or table not in TABLE_COLUMNS:
            raise InvalidDataFile(f"bad --map entry {part.strip()!r}: use role=column or "
                                  f"table.role=column with a table of {', '.join(TABLE_COLUMNS)}")
        required, optional = TABLE_COLUMNS[table]
        if role not in required + optional:
            raise InvalidDataFile(f"bad --map role {key!r}: {table} roles are "
                                  f"{', '.join(required + optional)}")
        result.setdefault(table, {})[role] = column
    return result


def load_sim_table(engine: Engine, table: str, source: Any, renames: dict[str, str] | None = None,
                   *, keys: bool = True) -> str:
    """Register one input and rebuild it under ``table`` with the canonical columns.

    The calls table also gets ``caller_id`` and ``callee_id`` (unless ``keys`` is
    false): dense INTEGER ids of its numbers, with their dictionary in the table
    ``{table}_numbers`` (``id``, ``msisdn``), and ``cell_key`` and ``imei_key``, dense
    ids of its cell (dictionary ``{table}_cells``: ``key``, ``cell_id``) and handset,
    made once here so that the feature groupings read small integers (see
    :func:`numbers_table`).

    Args:
        engine: the analytics engine.
        table: a key of :data:`TABLE_COLUMNS` (also the engine table's name).
        source: a Parquet/CSV path or an in-memory table.
        renames: role -> source column.

    Returns:
        The engine table's name.
    """
    renames = renames or {}
    raw = engine.register(source, f"{table}_raw")
    available = engine.columns(raw)
    label = str(source) if isinstance(source, (str, Path)) else f"the {table} table"
    if table == "flagged_accounts":
        return _load_flagged(engine, raw, available, label)
    required, optional = TABLE_COLUMNS[table]
    selects = {}
    for role in required + optional:
        column = renames.get(role, role)
        if column not in available:
            if role in optional and role not in renames:
                selects[role] = f"CAST(NULL AS {'TIMESTAMP' if role in _TIME_COLUMNS else 'VARCHAR'})"
                continue
            raise InvalidDataFile(f"{label}: no column {column!r} for {role!r}; name it with "
                                  f"--map (columns are {', '.join(available)})")
        selects[role] = _normalised(engine, quote_identifier(column), available[column], role)
    columns = ", ".join(f"{expr} AS {role}" for role, expr in selects.items())
    numbers = f"{table}_numbers"
    if table != "calls" or not keys:
        engine.run(Pipeline().add(table, f"SELECT {columns} FROM {raw}"))
        return table
    # The dictionaries first (numbers stored in id order), then the calls with the ids of
    # their two numbers, cell and handset.
    engine.run(Pipeline().add(numbers, _dense_ids(
        f"SELECT {selects['caller']} AS msisdn FROM {raw} UNION ALL SELECT {selects['callee']} FROM {raw}",
        "msisdn", "id") + " ORDER BY id"))
    cells = cells_table(table)
    engine.run(Pipeline().add(cells, _dense_ids(f"SELECT {selects['cell_id']} AS cell_id FROM {raw}",
                                                "cell_id", "key")))
    handsets = _dense_ids(f"SELECT {selects['imei']} AS imei FROM {raw}", "imei", "key")
    engine.run(Pipeline().add(table, f"""
SELECT c.*, a.id AS caller_id, b.id AS callee_id, k.key AS cell_key, h.key AS imei_key
FROM (SELECT {columns} FROM {raw}) c
LEFT JOIN {numbers} a ON a.msisdn = c.caller LEFT JOIN {numbers} b ON b.msisdn = c.callee
LEFT JOIN {cells} k ON k.cell_id = c.cell_id LEFT JOIN ({handsets}) h ON h.imei = c.imei"""))
    return table


def _dense_ids(values: str, column: str, id_name: str) -> str:
    # Dense INTEGER ids 0..n-1 (``id_name``) of the distinct non-NULL values of ``column``
    # in the SELECT ``values``, in their sort order.
    return (f"SELECT CAST(row_number() OVER (ORDER BY {column}) - 1 AS INTEGER) AS {id_name}, {column} "
            f"FROM (SELECT DISTINCT {column} FROM ({values}) v WHERE {column} IS NOT NULL) d")


def load_sim_tables(engine: Engine, sources: dict[str, Any], column_map: str | None = None) -> SimTables:
    """Load every given input (keys of :data:`TABLE_COLUMNS`, values None when absent).

    Returns:
        The names to hand to the feature pipeline.
    """
    renames = parse_sim_map(column_map)
    loaded = {name: load_sim_table(engine, name, src, renames.get(name))
              for name, src in sources.items() if src is not None}
    if "calls" not in loaded:
        raise InvalidDataFile("call records are required (--calls or --world)")
    return SimTables(**loaded, numbers=numbers_table(engine, loaded["calls"]))


def numbers_table(engine: Engine, calls: str = "calls") -> str | None:
    """The number dictionary of a calls table loaded with ids (``{calls}_numbers``,
    made with them by :func:`load_sim_table`), or ``None``."""
    if not {"caller_id", "callee_id", "cell_key", "imei_key"} <= set(engine.columns(calls)):
        return None
    return f"{calls}_numbers"


def cells_table(calls: str = "calls") -> str:
    """The cell dictionary (``key`` INTEGER, ``cell_id``) of a calls table loaded with
    ids, made with them by :func:`load_sim_table`: ``cell_key`` is its ``key``."""
    return f"{calls}_cells"


def world_sources(world: Path) -> dict[str, Path | None]:
    """The tables of a simulated world that exist in ``world``."""
    if not (world / WORLD_FILES["calls"]).exists():
        raise InvalidDataFile(f"{world}: no {WORLD_FILES['calls']}; is it a simulated world?")
    return {name: (world / file if (world / file).exists() else None)
            for name, file in WORLD_FILES.items()}


def _normalised(engine: Engine, column: str, arrow_type: pa.DataType, role: str) -> str:
    if role in _TIME_COLUMNS:
        if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
            return f"to_timestamp(CAST({column} AS DOUBLE))::TIMESTAMP"
        return f"CAST({column} AS TIMESTAMP)"
    if role == "border_zone":
        return f"CAST({column} AS BOOLEAN)"
    if role == "duration_s":
        return f"CAST({column} AS DOUBLE)"
    if role == "tx_id":
        # Transaction ids are 64-bit: as DOUBLE two ids 19 digits long can compare equal.
        return f"CAST({column} AS BIGINT)"
    return f"CAST({column} AS VARCHAR)"


def _load_flagged(engine: Engine, raw: str, available: dict, label: str) -> str:
    # Either a plain list of accounts or a mule-scoring output with a ``flagged`` column.
    column = next((c for c in ("account", "account_id", "id") if c in available), None)
    if column is None:
        raise InvalidDataFile(f"{label}: no account column (account or account_id)")
    where = " WHERE CAST(flagged AS BOOLEAN)" if "flagged" in available else ""
    engine.run(Pipeline().add(
        "flagged_accounts", f"SELECT DISTINCT CAST({quote_identifier(column)} AS VARCHAR) AS account FROM {raw}{where}"))
    return "flagged_accounts"
