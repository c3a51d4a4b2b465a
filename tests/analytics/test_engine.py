"""The engine API on every backend: registering, pipelines, dialect expressions."""

from __future__ import annotations

import hashlib

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from scamtrace.analytics import Pipeline, create_engine
from scamtrace.analytics.dialects import Dialect
from scamtrace.errors import ConfigurationError, InvalidDataFile, InvalidInput


def test_register_each_kind_of_source_and_read_it_back(engine, tmp_path):
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "t.parquet")
    (tmp_path / "t.csv").write_text("a,b\n3,x\n4,y\n")
    engine.register(tmp_path / "t.parquet", "from_parquet")
    engine.register(str(tmp_path / "t.csv"), "from_csv")
    engine.register(pa.table({"a": [5]}), "from_arrow")
    engine.register(pd.DataFrame({"a": [6, 7]}), "from_pandas")
    engine.register({"a": [8]}, "from_dict")
    got = engine.fetch_pandas(
        "SELECT a FROM from_parquet UNION ALL SELECT a FROM from_csv UNION ALL "
        "SELECT a FROM from_arrow UNION ALL SELECT a FROM from_pandas UNION ALL "
        "SELECT a FROM from_dict ORDER BY a"
    )
    assert got["a"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]
    assert list(engine.columns("from_csv")) == ["a", "b"]


def test_pipeline_with_a_persisted_step_runs_in_segments(engine):
    engine.register({"src": ["a", "a", "b", "c"], "amount": [1.0, 2.0, 5.0, 7.0]}, "tx")
    pipeline = (
        Pipeline()
        .add("big", "SELECT * FROM tx WHERE amount > 1.5", persist=True, repartition_by=["src"])
        .add("per_src", "SELECT src, sum(amount) AS total FROM big GROUP BY src")
        .add("ranked", "SELECT src, total FROM per_src ORDER BY total DESC")
    )
    assert [s.output.name for s in pipeline.segments()] == ["big", "ranked"]
    assert engine.run(pipeline, "result") == "result"
    got = engine.fetch_pandas("SELECT * FROM result ORDER BY total DESC")
    assert got.to_dict("list") == {"src": ["c", "b", "a"], "total": [7.0, 5.0, 2.0]}
    # the persisted step is a table of its own that later pipelines may read
    assert engine.fetch_arrow("SELECT count(*) AS n FROM big").to_pylist() == [{"n": 3}]


def test_a_step_may_rewrite_a_table_of_its_own_name(engine):
    engine.register({"x": [1, 2]}, "base")
    engine.execute("SELECT x FROM base", "acc")
    engine.execute("SELECT x + 10 AS x FROM acc", "acc")
    assert sorted(engine.fetch_pandas("acc")["x"]) == [11, 12]


def test_drop_forgets_registered_and_created_tables(engine):
    engine.register({"x": [1]}, "gone")
    engine.execute("SELECT x FROM gone", "gone_too")
    engine.drop("gone", "gone_too", "never_existed")
    for name in ("gone", "gone_too"):
        with pytest.raises(Exception, match=name):  # DuckDB and Spark raise their own kinds
            engine.fetch_arrow(name)


def test_dialect_expressions_agree_across_engines(engine):
    engine.register({"v": ["a", "b", "b", "c"], "x": [1.0, 2.0, 4.0, 10.0],
                     "t": pd.to_datetime(["1970-01-02 00:00:00", "2024-01-01 00:00:01", "2024-01-01 00:00:00",
                                          "2024-01-01 00:00:00"])}, "d")
    d = engine.dialect
    got = engine.fetch_arrow(
        f"SELECT {d.median('x')} AS med, {d.string_agg('v', '|')} AS vs, "
        f"max({d.epoch_seconds('t')}) AS last, min({d.hash_bucket('v', 1000)}) AS hb FROM d"
    ).to_pylist()[0]
    assert got["med"] == 3.0
    assert got["vs"] == "a|b|c"
    assert got["last"] == 1704067201
    # the bucket is md5-based, so any engine (and Python) computes the same one
    assert got["hb"] == min(int(hashlib.md5(v.encode()).hexdigest()[:8], 16) % 1000 for v in "abc")


def test_unreadable_file_is_an_invalid_data_file(engine, tmp_path):
    with pytest.raises(InvalidDataFile, match="no such file"):
        engine.register(tmp_path / "missing.parquet", "x")
    (tmp_path / "t.xlsx").write_text("not a table")
    with pytest.raises(InvalidDataFile, match="parquet or .csv"):
        engine.register(tmp_path / "t.xlsx", "x")


def test_spark_dialect_fragments_survive_transpilation():
    spark = Dialect.from_name("spark")
    sql = f"SELECT {spark.median('x')}, {spark.hash_bucket('y', 7)}, {spark.string_agg('z', ',')} FROM t"
    assert spark.translate(sql).lower() == sql.lower().replace("substr(", "substring(")
    assert "DIV" in spark.translate("SELECT a // 2 FROM t")
    with pytest.raises(InvalidInput, match="unknown analytics engine"):
        Dialect.from_name("oracle")


def test_spark_without_pyspark_names_the_extra(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ConfigurationError, match=r"scamtrace\[spark\]"):
        create_engine("spark")


def test_pipeline_rejects_bad_and_duplicate_step_names():
    pipeline = Pipeline().add("a", "SELECT 1 AS x")
    with pytest.raises(ValueError, match="already"):
        pipeline.add("a", "SELECT 2 AS x")
    with pytest.raises(ValueError, match="identifier"):
        pipeline.add("bad name", "SELECT 2 AS x")
    pipeline.add("b", "WITH inner_cte AS (SELECT x FROM a) SELECT x FROM inner_cte")
    assert pipeline.to_sql().rstrip().endswith("SELECT * FROM b")
