"""Reading the optional inputs of mule scoring: account labels and account opening dates."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa

from scamtrace.analytics.engine import Engine
from scamtrace.errors import InvalidDataFile

_ID_GUESSES = ("account", "account_id", "acct", "id", "nodeid", "node_id")
_OPENED_GUESSES = ("opened_at", "opened", "open_date", "opened_ts", "created_at", "opened_step")
_OWNER_GUESSES = ("owner", "owner_id", "person_id", "customer_id", "customer", "cif", "holder_id")
_TRUE = {"1", "true", "t", "yes", "y", "mule", "fraud", "sar"}
_FALSE = {"0", "false", "f", "no", "n", "", "legit", "normal"}


def read_table(path: Path) -> pd.DataFrame:
    """A Parquet or CSV file as a DataFrame (ids kept as text)."""
    if not path.exists():
        raise InvalidDataFile(f"{path}: no such file")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas/pyarrow raise many parser errors
        raise InvalidDataFile(f"{path}: cannot read: {exc}") from exc


def read_labels(path: Path, *, id_column: str | None, label_column: str | None) -> pd.Series:
    """Read 0/1 labels per account id.

    Args:
        path: CSV or Parquet.
        id_column: the account id column (guessed from common names when None).
        label_column: the label column (``label``, ``is_mule``, ``isFraud``... guessed).

    Returns:
        0/1 integers indexed by account id as text; a repeated id is a mule if any row says so.
    """
    frame = read_table(path)
    id_col = _pick(frame, id_column, _ID_GUESSES, "id", path, "--id-column")
    label_col = _pick(frame, label_column, ("label", "is_mule", "mule", "isfraud", "is_sar",
                                            "is_fraud", "y"), "label", path, "--label-column")
    text = frame[label_col].astype(str).str.strip().str.lower()
    unknown = sorted(set(text) - _TRUE - _FALSE)
    if unknown:
        raise InvalidDataFile(
            f"{path}: column {label_col!r} has values that are not 0/1 labels: {unknown[:5]}"
        )
    labels = pd.Series(text.isin(_TRUE).astype(int).to_numpy(),
                       index=frame[id_col].astype(str).str.strip())
    return labels.groupby(level=0).max()


def register_accounts(engine: Engine, path: Path, ts_kind: str, name: str = "mule_accounts") -> str:
    """Register an accounts file as ``name`` with ``account``, ``opened_ts`` and ``owner``.

    Args:
        engine: the analytics engine.
        path: CSV or Parquet with an account id and an opening date (or step) column, and
            optionally the account's owner (``owner``, ``person_id``, ``customer_id``...):
            transfers between two accounts of one owner are then not paying anyone.
        ts_kind: ``timestamp`` (opening dates become epoch seconds) or ``step``.
        name: the engine table to create.

    Returns:
        ``name`` (``opened_ts`` in ts units; ``owner`` text, NULL when unknown).
    """
    frame = read_table(path)
    id_col = _pick(frame, None, _ID_GUESSES, "id", path, "an account_id column")
    opened_col = _pick(frame, None, _OPENED_GUESSES, "opening date", path, "an opened_at column")
    lower = {c.lower(): c for c in frame.columns}
    owner_col = next((lower[g] for g in _OWNER_GUESSES if g in lower), None)
    opened = frame[opened_col]
    if ts_kind == "timestamp":
        stamps = pd.to_datetime(opened, utc=True, errors="coerce")
        # unit-agnostic: pandas may hold ns, us or s resolution
        values = (stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    else:
        values = pd.to_numeric(opened, errors="coerce")
    if owner_col is None:
        owners = pa.nulls(len(frame), pa.string())
    else:
        text = frame[owner_col].astype("string").str.strip()
        owners = pa.array(text.mask(text == "").to_numpy(dtype=object, na_value=None),
                          pa.string())
    table = pa.table({"account": frame[id_col].astype(str).str.strip().to_numpy(),
                      "opened_ts": pa.array(values.to_numpy(dtype=float), pa.float64(),
                                            from_pandas=True),  # NaN -> NULL
                      "owner": owners})
    engine.register(table, f"{name}_raw")
    # accounts without an opening date keep their owner; their age stays unknown
    engine.execute(
        f"SELECT account, CAST(opened_ts AS BIGINT) AS opened_ts, owner FROM {name}_raw", name)
    return name


def _pick(frame: pd.DataFrame, given: str | None, guesses: tuple[str, ...], role: str,
          path: Path, hint: str) -> str:
    if given is not None:
        if given not in frame.columns:
            raise InvalidDataFile(f"{path}: no column {given!r} (columns: {', '.join(frame.columns)})")
        return given
    lower = {c.lower(): c for c in frame.columns}
    for guess in guesses:
        if guess in lower:
            return lower[guess]
    raise InvalidDataFile(
        f"{path}: cannot tell which column is the {role}; name it with {hint} "
        f"(columns: {', '.join(frame.columns)})"
    )
