"""Reading transactions in any column naming into the canonical table."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scamtrace.analytics import ColumnMap, load_transactions
from scamtrace.analytics.inputs import ROLES, parse_window
from scamtrace.errors import InvalidDataFile


def test_mapped_columns_and_timestamps_become_the_canonical_table(engine, tmp_path):
    path = tmp_path / "bank.csv"
    path.write_text(
        "ref,from_acct,to_acct,baht,when\n"
        "T9,A,B,100.5,2024-01-01 00:00:00\n"
        "T7,B,C,90,2024-01-01 01:00:00\n"
    )
    table = load_transactions(engine, path, "id=ref,src=from_acct,dst=to_acct,amount=baht,ts=when")
    assert table.ts_kind == "timestamp" and table.rows == 2
    got = engine.fetch_pandas("SELECT * FROM transactions ORDER BY ts")
    assert got.to_dict("list") == {
        "tx_id": ["T9", "T7"], "src": ["A", "B"], "dst": ["B", "C"],
        "amount": [100.5, 90.0], "ts": [1704067200, 1704070800],
    }


def test_without_an_id_the_row_number_in_file_order_is_the_id(engine, tmp_path):
    # AMLGentex naming: integer steps, integer accounts, no id column
    frame = pd.DataFrame({"step": [5, 1, 3], "nameOrig": [1, 2, 3], "nameDest": [2, 3, -1],
                          "amount": [10.0, 9.0, 8.0]})
    pq.write_table(pa.Table.from_pandas(frame), tmp_path / "tx.parquet")
    table = load_transactions(engine, tmp_path / "tx.parquet", "src=nameOrig,dst=nameDest")
    assert table.ts_kind == "step" and table.columns["id"] is None
    got = engine.fetch_pandas("SELECT tx_id, ts, src FROM transactions ORDER BY tx_id")
    assert got.to_dict("list") == {"tx_id": [0, 1, 2], "ts": [5, 1, 3], "src": [1, 2, 3]}


def test_common_names_are_guessed_and_extra_columns_kept(engine):
    frame = pd.DataFrame({"tx_id": [1, 2], "src_account": ["a", "b"], "dst_account": ["b", "c"],
                          "amount": [1, 2], "ts": pd.to_datetime(["2024-01-01", "2024-01-02"]),
                          "channel": ["bank", "bank"]})
    load_transactions(engine, frame, None, name="tx", keep_columns=("channel",))
    assert list(engine.columns("tx")) == ["tx_id", "src", "dst", "amount", "ts", "channel"]


def test_missing_column_names_what_exists(engine):
    frame = pd.DataFrame({"a": [1], "b": [2], "amount": [3.0], "ts": [1]})
    with pytest.raises(InvalidDataFile, match=r"no column for 'src'.*columns are a, b, amount, ts"):
        load_transactions(engine, frame)
    with pytest.raises(InvalidDataFile, match="--map dst=zz names no column"):
        load_transactions(engine, frame, "src=a,dst=zz")


def test_unreadable_values_and_duplicate_ids_are_refused(engine):
    frame = pd.DataFrame({"id": [1, 1], "src": ["a", "b"], "dst": ["b", "c"],
                          "amount": ["5", "x"], "ts": [1, 2]})
    with pytest.raises(InvalidDataFile, match="1 of 2 rows have an empty or unreadable"):
        load_transactions(engine, frame)
    frame["amount"] = ["5", "6"]
    with pytest.raises(InvalidDataFile, match="not a unique transaction id"):
        load_transactions(engine, frame)


@pytest.mark.parametrize("text, message", [
    ("src", "expected role=column"), ("from=a", "roles are"), ("src=a,src=b", "given twice"),
])
def test_bad_maps_say_what_is_wrong(text, message):
    with pytest.raises(InvalidDataFile, match=message):
        ColumnMap.parse(text)


@given(st.dictionaries(st.sampled_from(ROLES),
                       st.from_regex(r"[A-Za-z_][A-Za-z0-9_ ]{0,10}[A-Za-z0-9_]", fullmatch=True)))
def test_map_text_round_trips(pairs):
    text = ",".join(f"{role}={column}" for role, column in pairs.items())
    assert ColumnMap.parse(text) == ColumnMap(**pairs)


def test_windows_are_seconds_for_timestamps_and_steps_for_steps():
    assert parse_window("48h", "timestamp") == 172800
    assert parse_window("7d", "timestamp") == 604800
    assert parse_window("30", "step") == 30
    assert parse_window(None, "step") is None
    for text, kind in (("30", "timestamp"), ("2d", "step"), ("soon", "step")):
        with pytest.raises(InvalidDataFile):
            parse_window(text, kind)
