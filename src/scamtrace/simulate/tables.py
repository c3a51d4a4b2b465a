"""Schemas of every table the simulator writes, and builders of event frames.

An event frame is an Arrow table holding a table's public columns, its truth columns
(prefixed ``truth_``) and ``_ts``, the event time in seconds since the first midnight;
the writer sorts frames by (``_ts``, id) and splits public from truth columns.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

TS = pa.timestamp("us")

SCHEMAS: dict[str, pa.Schema] = {
    "persons": pa.schema(
        [
            ("person_id", pa.string()),
            ("national_id_hash", pa.string()),
            ("province", pa.string()),
            ("age_band", pa.string()),
            ("digital_skill", pa.float32()),
        ]
    ),
    "sims": pa.schema(
        [
            ("msisdn", pa.string()),
            ("person_id", pa.string()),
            ("operator", pa.string()),
            ("activated_at", TS),
            ("registration", pa.string()),
        ]
    ),
    "sim_devices": pa.schema(
        [("msisdn", pa.string()), ("imei", pa.string()), ("from_ts", TS), ("to_ts", TS)]
    ),
    "cells": pa.schema(
        [
            ("cell_id", pa.string()),
            ("province", pa.string()),
            ("lat", pa.float64()),
            ("lon", pa.float64()),
            ("border_zone", pa.bool_()),
        ]
    ),
    "accounts": pa.schema(
        [
            ("account_id", pa.string()),
            ("bank_code", pa.string()),
            ("account_number", pa.string()),
            ("person_id", pa.string()),
            ("opened_at", TS),
            ("kind", pa.string()),
        ]
    ),
    "calls": pa.schema(
        [
            ("call_id", pa.int64()),
            ("ts", TS),
            ("caller", pa.string()),
            ("callee", pa.string()),
            ("duration_s", pa.int32()),
            ("cell_id", pa.string()),
            ("imei", pa.string()),
        ]
    ),
    "sms": pa.schema(
        [
            ("sms_id", pa.int64()),
            ("ts", TS),
            ("sender", pa.string()),
            ("recipient", pa.string()),
            ("text", pa.string()),
        ]
    ),
    "transactions": pa.schema(
        [
            ("tx_id", pa.int64()),
            ("ts", TS),
            ("src_account", pa.string()),
            ("dst_account", pa.string()),
            ("amount", pa.float64()),
            ("channel", pa.string()),
        ]
    ),
    "reports": pa.schema(
        [
            ("report_id", pa.int64()),
            ("ts", TS),
            ("channel", pa.string()),
            ("reporter_msisdn", pa.string()),
            ("reported_kind", pa.string()),
            ("reported_value", pa.string()),
            ("text", pa.string()),
            ("tx_id", pa.int64()),
        ]
    ),
    "truth/gangs": pa.schema(
        [
            ("gang_id", pa.string()),
            ("scam_types", pa.string()),
            ("sim_base", pa.string()),
            ("cashout", pa.string()),
            ("layers", pa.int32()),
            ("caller_sims", pa.int32()),
            ("sms_sims", pa.int32()),
            ("mule_accounts", pa.int32()),
            ("boss_person_id", pa.string()),
        ]
    ),
    "truth/truth_entities": pa.schema(
        [
            ("kind", pa.string()),
            ("id", pa.string()),
            ("gang_id", pa.string()),
            ("role", pa.string()),
        ]
    ),
    "truth/truth_messages": pa.schema(
        [
            ("sms_id", pa.int64()),
            ("label", pa.string()),
            ("scam_type", pa.string()),
            ("template_family", pa.string()),
        ]
    ),
    "truth/truth_victim_transfers": pa.schema(
        [
            ("tx_id", pa.int64()),
            ("victim", pa.string()),
            ("victim_account", pa.string()),
            ("gang_id", pa.string()),
            ("scam_type", pa.string()),
            ("contact_kind", pa.string()),
            ("contact_id", pa.int64()),
            ("amount", pa.float64()),
        ]
    ),
    "truth/truth_flows": pa.schema(
        [
            ("victim_tx_id", pa.int64()),
            ("hop", pa.int32()),
            ("tx_id", pa.int64()),
            ("src_account", pa.string()),
            ("dst_account", pa.string()),
            ("amount_carried", pa.float64()),
        ]
    ),
    "truth/truth_reports": pa.schema(
        [("report_id", pa.int64()), ("label", pa.string()), ("gang_id", pa.string())]
    ),
    "truth/poisoning": pa.schema(
        [
            ("campaign_id", pa.string()),
            ("report_id", pa.int64()),
            ("reporter_msisdn", pa.string()),
            ("target_kind", pa.string()),
            ("target_value", pa.string()),
            ("burst_start", TS),
            ("burst_end", TS),
        ]
    ),
}

#: Event tables written chunk by chunk, their id column and their truth columns.
EVENT_TABLES: dict[str, tuple[str, tuple[str, ...]]] = {
    "calls": ("call_id", ()),
    "sms": ("sms_id", ("truth_label", "truth_scam_type", "truth_family")),
    "transactions": ("tx_id", ()),
    "reports": ("report_id", ("truth_label", "truth_gang")),
}


def timestamps(rel_seconds: np.ndarray, start_ts: int) -> pa.Array:
    """Arrow microsecond timestamps (UTC, naive) of seconds since the first midnight."""
    return pa.array((np.asarray(rel_seconds, np.int64) + start_ts) * 1_000_000, type=TS)


def strings(values) -> pa.Array:
    """An Arrow string array of an object array (None stays null)."""
    return pa.array(list(values) if isinstance(values, np.ndarray) else values, type=pa.string())


def frame(
    name: str, columns: dict[str, pa.Array | np.ndarray], rel_ts: np.ndarray, start_ts: int
) -> pa.Table:
    """An event frame: public columns in schema order, then truth columns, then ``_ts``."""
    schema = SCHEMAS[name]
    arrays, fields = [], []
    for f in schema:
        value = timestamps(rel_ts, start_ts) if f.name == "ts" else columns[f.name]
        arrays.append(
            pa.array(value, type=f.type) if isinstance(value, np.ndarray) else value.cast(f.type)
        )
        fields.append(f)
    for extra in EVENT_TABLES[name][1]:
        arrays.append(
            pa.array(columns[extra]) if isinstance(columns[extra], np.ndarray) else columns[extra]
        )
        fields.append(pa.field(extra, arrays[-1].type))
    arrays.append(pa.array(np.asarray(rel_ts, np.int64)))
    fields.append(pa.field("_ts", pa.int64()))
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))
