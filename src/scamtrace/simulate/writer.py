"""Streaming Parquet writer with fixed settings, so equal data gives equal bytes.

Static tables are written once; event tables receive one sorted chunk at a time and keep
rows that belong to a later chunk (a transfer forwarded after midnight) pending until
their chunk comes, so memory stays bounded by a chunk plus the pending tail. Encoding and
compression run on one writer thread (Arrow releases the GIL), overlapping generation of
the next chunk; one thread keeps every file's row groups in a fixed order.
"""

from __future__ import annotations

import queue
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from scamtrace.simulate.tables import EVENT_TABLES, SCHEMAS

#: Fixed writer settings (byte-identical output for identical data).
#: Dictionary encoding only where values repeat a lot: on random ids and phone numbers it
#: costs more time than it saves bytes.
DICTIONARY_COLUMNS = [
    "cell_id",
    "channel",
    "operator",
    "province",
    "age_band",
    "registration",
    "bank_code",
    "kind",
    "reported_kind",
    "sender",
    "label",
    "scam_type",
    "template_family",
    "gang_id",
    "role",
    "hop",
]
PARQUET_OPTIONS = {
    "compression": "zstd",
    "compression_level": 1,
    "use_dictionary": DICTIONARY_COLUMNS,
    "write_statistics": True,
    "version": "2.6",
    "data_page_size": 1 << 20,
}
ROW_GROUP_ROWS = 1_000_000


class WorldWriter:
    """Writes a world's tables under one directory (truth tables under ``truth/``)."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        (out_dir / "truth").mkdir(parents=True, exist_ok=True)
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._pending: dict[str, list[pa.Table]] = {name: [] for name in EVENT_TABLES}
        self.rows: dict[str, int] = {}
        # a small bound keeps memory to a few chunks when compression is the slower side
        self._queue: queue.Queue = queue.Queue(maxsize=4)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="parquet-writer", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            writer, table = item
            if self._failure is None:
                try:
                    writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
                except (OSError, pa.ArrowException) as exc:  # re-raised by close()
                    self._failure = exc

    def _writer(self, name: str, schema: pa.Schema) -> pq.ParquetWriter:
        if name not in self._writers:
            path = self.out_dir / f"{name}.parquet"
            self._writers[name] = pq.ParquetWriter(path, schema, **PARQUET_OPTIONS)
            self.rows[name] = 0
        return self._writers[name]

    def append(self, name: str, table: pa.Table) -> None:
        """Append rows (already in the table's schema) to table ``name``."""
        writer = self._writer(name, SCHEMAS[name])
        if table.num_rows:
            self._queue.put((writer, table.select(SCHEMAS[name].names).cast(SCHEMAS[name])))
        self.rows[name] += table.num_rows

    def add_events(self, name: str, frame: pa.Table) -> None:
        """Queue an event frame; its rows are written by the chunk their time falls in."""
        if frame.num_rows:
            self._pending[name].append(frame)

    def flush_events(self, name: str, until: int) -> pa.Table:
        """Write queued rows with ``_ts < until`` sorted by time; return their truth part.

        Returns:
            The written rows' id and truth columns (for the truth tables).
        """
        id_col, truth_cols = EVENT_TABLES[name]
        frames = self._pending[name]
        if not frames:
            self.append(name, SCHEMAS[name].empty_table())
            return pa.table({id_col: pa.array([], pa.int64())})
        table = pa.concat_tables(frames) if len(frames) > 1 else frames[0]
        ts = table.column("_ts").to_numpy()
        # frames arrive in a deterministic order, so a stable sort on time is deterministic;
        # one take both sorts the due rows and gathers them out of the chunked frames
        order = np.argsort(ts, kind="stable")
        due = ts[order] < until
        later = table.take(pa.array(order[~due]))
        self._pending[name] = [later] if later.num_rows else []
        now = table.take(pa.array(order[due]))
        self.append(name, now)
        return now.select([id_col, *truth_cols, "_ts"])

    def dropped(self, name: str) -> pa.Table | None:
        """Rows still pending after the last chunk: they fall after the world's end."""
        frames = self._pending[name]
        return pa.concat_tables(frames) if frames else None

    def write_table(self, name: str, table: pa.Table) -> None:
        """Write a whole static or truth table at once."""
        self.append(name, table)

    def close(self) -> None:
        """Wait for pending writes, close every open file, and raise a write failure if any."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self._failure is not None:
            raise self._failure
