import re
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from scamtrace.keyed_hash import keyed_hash
from scamtrace.simulate.config import SIMULATOR_SECRET
from scamtrace.simulate.ids import luhn_complete, thai_national_ids
from scamtrace.simulate.names import national_id_hashes
from scamtrace.simulate.tables import SCHEMAS


def test_every_table_has_its_documented_schema(tiny_world: Path):
    for name, schema in SCHEMAS.items():
        table = pq.read_table(tiny_world / f"{name}.parquet")
        assert table.schema.remove_metadata() == schema, name
        assert table.num_rows > 0, name
    docs = (Path(__file__).resolve().parents[2] / "docs" / "simulator.md").read_text()
    for name, schema in SCHEMAS.items():
        assert f"`{name}`" in docs, name
        for column in schema.names:
            assert f"`{column}`" in docs, f"{name}.{column} undocumented"


def test_identifiers_are_canonical(world_db):
    phones = world_db.execute("SELECT msisdn FROM sims").fetchnumpy()["msisdn"]
    assert all(re.fullmatch(r"\+66[689]\d{8}", p) for p in phones)
    accounts = world_db.execute(
        "SELECT account_id, bank_code, account_number FROM accounts"
    ).fetchall()
    twelve = {"030", "034", "033"}
    for account_id, bank, number in accounts:
        assert account_id == f"{bank}:{number}"
        assert len(number) == (12 if bank in twelve else 10) and number.isdigit()
    imeis = world_db.execute("SELECT DISTINCT imei FROM sim_devices").fetchnumpy()["imei"]
    bodies = np.array([int(i[:14]) for i in imeis], dtype=np.int64)
    assert [f"{v:015d}" for v in luhn_complete(bodies, 14)] == list(imeis)
    parse = pytest.importorskip("scamtrace.identifiers").parse
    for phone in phones[:50]:
        assert parse("phone", phone).value == phone
    for account_id, _, _ in accounts[:50]:
        assert parse("bank_account", account_id).value == account_id
    urls = world_db.execute("SELECT id FROM truth_entities WHERE kind = 'url'").fetchnumpy()["id"]
    for url in urls:
        assert parse("url", url).value == url


def test_ids_leak_no_labels_and_rows_are_not_grouped(world_db):
    for table, column in (("persons", "person_id"), ("sims", "msisdn"), ("accounts", "account_id")):
        values = world_db.execute(f"SELECT {column} FROM {table}").fetchnumpy()[column]
        assert list(values) == sorted(values), f"{table} not sorted by its id"
    words = re.compile("mule|gang|scam|victim|nominee", re.IGNORECASE)
    for table, column in (
        ("persons", "person_id"),
        ("cells", "cell_id"),
        ("accounts", "kind"),
        ("transactions", "channel"),
        ("sims", "operator"),
    ):
        values = world_db.execute(
            f"SELECT DISTINCT {column}::VARCHAR AS v FROM {table}"
        ).fetchnumpy()["v"]
        assert not any(words.search(v) for v in values), table
    # mule SIMs are scattered through the sims table, not one block
    rows = world_db.execute("""
        SELECT row_number() OVER () AS r, msisdn IN (SELECT id FROM truth_entities WHERE kind = 'sim') AS m
        FROM sims""").fetchnumpy()
    positions = rows["r"][rows["m"]]
    assert positions.max() - positions.min() > 0.5 * rows["r"].size
    ts = world_db.execute("SELECT epoch(ts) AS t FROM calls").fetchnumpy()["t"]
    assert np.all(np.diff(ts) >= 0)


def test_national_id_hash_is_keyed_hash_under_the_fixed_secret():
    class Stub:
        person_national_id = thai_national_ids(np.random.default_rng(1), 20)

    hashes = national_id_hashes(Stub()).to_pylist()
    expected = [
        keyed_hash("national_id", str(v), secret=SIMULATOR_SECRET) for v in Stub.person_national_id
    ]
    assert hashes == expected
    digits = [int(c) for c in str(Stub.person_national_id[0])]
    assert (11 - sum(d * w for d, w in zip(digits[:12], range(13, 1, -1))) % 11) % 10 == digits[12]
