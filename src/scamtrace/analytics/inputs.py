"""Reading transactions in any column naming into the engine's canonical table.

Every analysis reads one table with the columns ``tx_id, src, dst, amount, ts``:
``amount`` is DOUBLE, ``ts`` is BIGINT (seconds since 1970 UTC for timestamp data, the
step number for integer-step data such as AMLSim/AMLGentex). A ``--map`` string names
the source columns (``src=nameOrig,dst=nameDest,amount=amount,ts=step``); unmapped roles
are guessed from common names. Without an id column a transaction's id is its 0-based
row number in file order, so ids stay meaningful to whoever holds the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from scamtrace.analytics.engine import Engine
from scamtrace.analytics.pipeline import Pipeline
from scamtrace.errors import InvalidDataFile

ROLES = ("src", "dst", "amount", "ts", "id")

# Lower-case column names tried, in order, for a role the map leaves out.
_GUESSES: dict[str, tuple[str, ...]] = {
    "src": ("src", "src_account", "source", "from", "from_account", "sender", "nameorig",
            "sourcenodeid", "orig_acct", "payer", "debtor"),
    "dst": ("dst", "dst_account", "target", "to", "to_account", "receiver", "namedest",
            "targetnodeid", "bene_acct", "payee", "creditor", "beneficiary"),
    "amount": ("amount", "amt", "value", "base_amt", "tx_amount", "amount_paid"),
    "ts": ("ts", "timestamp", "time", "datetime", "step", "tran_timestamp", "date",
           "created_at"),
    "id": ("tx_id", "id", "transaction_id", "txn_id", "tran_id"),
}

_ROW_NUMBER = "__row_number"


@dataclass(frozen=True)
class ColumnMap:
    """Which source column plays each role; ``None`` means guess (or row number for id)."""

    src: str | None = None
    dst: str | None = None
    amount: str | None = None
    ts: str | None = None
    id: str | None = None

    @classmethod
    def parse(cls, text: str | None) -> ColumnMap:
        """Parse ``src=a,dst=b,amount=c,ts=d,id=e`` (any subset, any order).

        Args:
            text: the ``--map`` option value; empty or None maps nothing.

        Returns:
            The map.
        """
        if not text or not text.strip():
            return cls()
        pairs: dict[str, str] = {}
        for part in text.split(","):
            role, sep, column = (s.strip() for s in part.partition("="))
            if not sep or not role or not column:
                raise InvalidDataFile(f"bad --map entry {part.strip()!r}: expected role=column")
            if role not in ROLES:
                raise InvalidDataFile(
                    f"bad --map role {role!r}: roles are {', '.join(ROLES)}"
                )
            if role in pairs:
                raise InvalidDataFile(f"bad --map: role {role!r} given twice")
            pairs[role] = column
        return cls(**pairs)


@dataclass(frozen=True)
class TransactionTable:
    """The canonical transactions table in an engine.

    Attributes:
        name: the engine table (columns tx_id, src, dst, amount, ts, then kept columns).
        ts_kind: ``timestamp`` (ts in epoch seconds) or ``step`` (ts is the step).
        rows: number of transactions.
        columns: the source column used for each role (``id`` None: row numbers).
    """

    name: str
    ts_kind: Literal["timestamp", "step"]
    rows: int
    columns: dict[str, str | None]


def load_transactions(
    engine: Engine,
    source: Any,
    column_map: ColumnMap | str | None = None,
    *,
    name: str = "transactions",
    keep_columns: tuple[str, ...] = (),
) -> TransactionTable:
    """Register a transactions file (or table) and build the canonical table from it.

    Args:
        engine: the analytics engine.
        source: a Parquet/CSV path, or a pyarrow Table / pandas DataFrame in file order.
        column_map: a :class:`ColumnMap` or its ``--map`` text.
        name: the canonical table's name; the raw input is registered as ``<name>_raw``.
        keep_columns: further source columns to carry along (e.g. ``channel``).

    Returns:
        The canonical table's description.
    """
    mapping = column_map if isinstance(column_map, ColumnMap) else ColumnMap.parse(column_map)
    raw = f"{name}_raw"
    label = str(source) if isinstance(source, (str, Path)) else "the input table"
    engine.register(source, raw)
    available = engine.columns(raw)
    chosen = _resolve_roles(mapping, list(available), label)
    if chosen["id"] is None:
        # Row numbers need the file's order, which only a sequential reader guarantees.
        engine.register(_with_row_numbers(source), raw)
        available = engine.columns(raw)
    for column in keep_columns:
        if column not in available:
            raise InvalidDataFile(f"{label}: no column {column!r} to keep")
    ts_type = available[chosen["ts"]]
    ts_kind, ts_sql = _ts_expression(engine, quote_identifier(chosen["ts"]), ts_type)
    ids_differ = str(available[chosen["src"]]) != str(available[chosen["dst"]])
    account = "CAST({} AS VARCHAR)" if ids_differ else "{}"
    kept = "".join(f", {quote_identifier(c)}" for c in keep_columns if c not in ROLES[:4] + ("tx_id",))
    select = f"""
        SELECT {quote_identifier(chosen["id"] or _ROW_NUMBER)} AS tx_id,
               {account.format(quote_identifier(chosen["src"]))} AS src,
               {account.format(quote_identifier(chosen["dst"]))} AS dst,
               TRY_CAST({quote_identifier(chosen["amount"])} AS DOUBLE) AS amount,
               {ts_sql} AS ts{kept}
        FROM {raw}"""
    engine.run(Pipeline().add(name, select))
    check = engine.fetch_arrow(
        f"SELECT count(*) AS n_rows, count(*) FILTER (WHERE src IS NULL OR dst IS NULL"
        f" OR amount IS NULL OR ts IS NULL) AS n_bad, count(DISTINCT tx_id) AS n_ids FROM {name}"
    ).to_pylist()[0]
    rows, bad, distinct_ids = check["n_rows"], check["n_bad"], check["n_ids"]
    if bad:
        raise InvalidDataFile(
            f"{label}: {bad} of {rows} rows have an empty or unreadable src, dst, amount or ts"
        )
    if distinct_ids != rows:
        raise InvalidDataFile(
            f"{label}: column {chosen['id']!r} is not a unique transaction id "
            f"({rows - distinct_ids} duplicates)"
        )
    return TransactionTable(name, ts_kind, rows, chosen)


def parse_window(text: str | int | None, ts_kind: str) -> int | None:
    """Convert a window (``48h``, ``7d``, ``90m``, ``30``) into units of ``ts``.

    Args:
        text: a duration for timestamp data, a number of steps for step data; None: no window.
        ts_kind: ``timestamp`` or ``step``.

    Returns:
        Seconds (timestamp data) or steps, or None.
    """
    if text is None or str(text).strip() == "":
        return None
    value = str(text).strip().lower()
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smhdw]?)", value)
    if not match:
        raise InvalidDataFile(f"bad window {text!r}: use e.g. 48h, 7d or a number of steps")
    number, unit = float(match.group(1)), match.group(2)
    if ts_kind == "step":
        if unit:
            raise InvalidDataFile(f"window {text!r} has a unit but ts is an integer step")
        return int(number)
    if not unit:
        raise InvalidDataFile(f"window {text!r} needs a unit (s, m, h, d, w) for timestamp data")
    return int(number * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit])


def _resolve_roles(mapping: ColumnMap, available: list[str], label: str) -> dict[str, str | None]:
    lower = {c.lower(): c for c in available}
    chosen: dict[str, str | None] = {}
    for field in fields(mapping):
        role, given = field.name, getattr(mapping, field.name)
        if given is not None:
            if given not in available:
                raise InvalidDataFile(
                    f"{label}: --map {role}={given} names no column; columns are "
                    f"{', '.join(available)}"
                )
            chosen[role] = given
            continue
        guess = next((lower[g] for g in _GUESSES[role] if g in lower), None)
        if guess is None and role != "id":
            raise InvalidDataFile(
                f"{label}: no column for {role!r}; name it with --map {role}=<column> "
                f"(columns are {', '.join(available)})"
            )
        chosen[role] = guess
    used = [c for c in chosen.values() if c is not None]
    if len(set(used)) != len(used):
        raise InvalidDataFile(f"{label}: one column mapped to two roles: {chosen}")
    return chosen


def _ts_expression(engine: Engine, column: str, arrow_type: pa.DataType) -> tuple[str, str]:
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return "timestamp", engine.dialect.epoch_seconds(f"CAST({column} AS TIMESTAMP)")
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return "step", f"CAST({column} AS BIGINT)"
    return "timestamp", engine.dialect.epoch_seconds(f"TRY_CAST({column} AS TIMESTAMP)")


def _with_row_numbers(source: Any) -> pa.Table:
    if isinstance(source, (str, Path)):
        path = Path(source)
        is_parquet = path.is_dir() or path.suffix.lower() in (".parquet", ".pq")
        table = pq.read_table(path) if is_parquet else pacsv.read_csv(path)
    elif isinstance(source, pa.Table):
        table = source
    else:
        table = pa.Table.from_pandas(source, preserve_index=False)
    return table.append_column(_ROW_NUMBER, pa.array(np.arange(table.num_rows, dtype=np.int64)))


def quote_identifier(column: str) -> str:
    """A column name as a quoted SQL identifier (embedded quotes doubled).

    Examples:
        >>> print(quote_identifier('my "ts" column'))
        "my ""ts"" column"
    """
    return '"' + column.replace('"', '""') + '"'
