import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from scamtrace import cli

TEXTS = [
    "รหัส OTP ของคุณคือ 482913 ห้ามบอกรหัสนี้แก่ผู้อื่น",
    "ฟรีเครดิต 200 บาท สล็อตเว็บตรง ฝากถอนไม่มีขั้นต่ำ สมัครเลย bit.ly/3xYz",
    "ถึงบ้านแล้วนะ",
    "โทร ๐๘๑-๒๓๔-๕๖๗๘ ด่วน",
]


@pytest.fixture(scope="module")
def runner():
    if "classify" not in {c.name for c in cli.app.registered_commands}:
        cli._register_domains()
    return CliRunner()


def _write(path, rows):
    if path.suffix == ".csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    elif path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    else:
        pq.write_table(pa.Table.from_pylist(rows), path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_classify_keeps_row_order_for_every_format(tmp_path, runner, suffix):
    source = tmp_path / f"in{suffix}"
    _write(source, [{"id": i, "text": t} for i, t in enumerate(TEXTS)])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(cli.app, ["classify", str(source), "--text-column", "text",
                                     "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(lines) == len(TEXTS)
    assert {"label", "scam_type", "score", "language", "indicators"} <= set(lines[0])
    assert lines[3]["indicators"] == [{"kind": "phone", "value": "+66812345678"}]
    assert [line["label"] for line in lines][:3] == ["legit", "scam", "legit"]


def test_urls_command_writes_one_line_per_row_to_stdout(tmp_path, runner):
    source = tmp_path / "links.csv"
    _write(source, [{"url": "kbank-secure-th.com"}, {"url": "https://www.scb.co.th/"}])
    result = runner.invoke(cli.app, ["urls", str(source), "--url-column", "url"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(line["verdict"], line["brand"]) for line in lines] == [
        ("phishing", "KBank"), ("benign", "SCB")]
    assert set(lines[0]) >= {"verdict", "score", "brand", "reasons"}


@pytest.mark.parametrize(
    ("name", "content", "args", "message"),
    [
        ("in.csv", "body\nhello\n", ["--text-column", "text"], "no column 'text'"),
        ("in.txt", "hello\n", [], "unknown extension"),
        ("in.csv", "", [], "is empty"),
        ("in.jsonl", "{not json\n", [], "not JSON"),
    ],
)
def test_bad_inputs_exit_2_with_one_line(tmp_path, runner, monkeypatch, capsys, name, content,
                                        args, message):
    source = tmp_path / name
    source.write_text(content, "utf-8")
    # cli.main maps user errors to one line and exit 2; the commands are registered already.
    monkeypatch.setattr(cli, "_register_domains", lambda: None)
    with pytest.raises(SystemExit) as stopped:
        cli.main(["classify", str(source), *args])
    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert len(error.strip().splitlines()) == 1
    assert message in error
