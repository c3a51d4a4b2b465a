"""CLI: ``scamtrace classify``, ``scamtrace urls`` and ``scamtrace model train``.

Input files are CSV, JSONL or Parquet, chosen by extension; output is one JSON line per
input row, in input order, to ``--out`` or standard output. A missing column, an
unknown extension or an empty file is a user error (one line, exit code 2).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, TextIO

import typer

from scamtrace.errors import InvalidDataFile

_CHUNK = 20_000
_EXTENSIONS = (".csv", ".jsonl", ".ndjson", ".parquet")


def read_column(path: Path, column: str) -> list[str]:
    """Read one text column of a CSV, JSONL or Parquet file, in row order.

    Args:
        path: the input file; its extension decides the format.
        column: the column to read.

    Returns:
        The values as strings (missing values as "").

    Raises:
        InvalidDataFile: unknown extension, unreadable or empty file, missing column.
    """
    suffix = path.suffix.lower()
    if suffix not in _EXTENSIONS:
        raise InvalidDataFile(f"{path.name}: unknown extension {suffix or '(none)'}; "
                              "use .csv, .jsonl or .parquet")
    if not path.is_file():
        raise InvalidDataFile(f"{path} not found")
    if path.stat().st_size == 0:
        raise InvalidDataFile(f"{path.name} is empty")
    if suffix == ".parquet":
        return _read_parquet(path, column)
    rows = _read_csv(path) if suffix == ".csv" else _read_jsonl(path)
    values: list[str] = []
    for number, row in enumerate(rows, start=1):
        if column not in row:
            raise InvalidDataFile(f"{path.name}: no column {column!r} (row {number})")
        value = row[column]
        values.append("" if value is None else str(value))
    if not values:
        raise InvalidDataFile(f"{path.name} has no rows")
    return values


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="", errors="replace") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            raise InvalidDataFile(f"{path.name} has no header row")
        yield from reader


def _read_jsonl(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidDataFile(f"{path.name}: line {number} is not JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise InvalidDataFile(f"{path.name}: line {number} is not a JSON object")
            yield row


def _read_parquet(path: Path, column: str) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InvalidDataFile(f"{path.name} is not a readable Parquet file") from exc
    if column not in schema.names:
        raise InvalidDataFile(f"{path.name}: no column {column!r}")
    values = pq.read_table(path, columns=[column]).column(column).to_pylist()
    if not values:
        raise InvalidDataFile(f"{path.name} has no rows")
    return ["" if value is None else str(value) for value in values]


def _write_lines(records: Iterator[dict[str, object]], out: Path | None) -> int:
    handle: TextIO = out.open("w", encoding="utf-8") if out else None  # type: ignore[assignment]
    count = 0
    try:
        for record in records:
            line = json.dumps(record, ensure_ascii=False)
            if handle:
                handle.write(line + "\n")
            else:
                typer.echo(line)
            count += 1
    finally:
        if handle:
            handle.close()
    return count


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def register(app: typer.Typer) -> None:
    """Add ``classify``, ``urls`` and the ``model`` group to the scamtrace CLI."""

    @app.command("classify")
    def classify(
        input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV, JSONL or Parquet")],
        text_column: Annotated[str, typer.Option("--text-column")] = "text",
        out: Annotated[Path | None, typer.Option("--out", help="write JSON lines here")] = None,
    ) -> None:
        """Label each message legit/spam/scam with scam type, score, language and indicators."""
        from scamtrace.messages.classifier import classify_texts

        texts = read_column(input_path, text_column)

        def records() -> Iterator[dict[str, object]]:
            for chunk in _chunks(texts):
                for result in classify_texts(chunk):
                    yield result.to_dict()

        count = _write_lines(records(), out)
        if out:
            typer.echo(f"classified {count} messages -> {out}", err=True)

    @app.command("urls")
    def urls(
        input_path: Annotated[Path, typer.Argument(metavar="INPUT", help="CSV, JSONL or Parquet")],
        url_column: Annotated[str, typer.Option("--url-column")] = "url",
        out: Annotated[Path | None, typer.Option("--out", help="write JSON lines here")] = None,
    ) -> None:
        """Judge each link phishing/suspicious/benign with score, impersonated brand and reasons."""
        from scamtrace.messages.urls import judge_urls

        links = read_column(input_path, url_column)

        def records() -> Iterator[dict[str, object]]:
            for chunk in _chunks(links):
                for verdict in judge_urls(chunk):
                    yield verdict.to_dict()

        count = _write_lines(records(), out)
        if out:
            typer.echo(f"judged {count} links -> {out}", err=True)

    model_app = typer.Typer(help="The message and URL models shipped with scamtrace.",
                            no_args_is_help=True)

    @model_app.command("train")
    def train(
        data_dir: Annotated[Path, typer.Option("--data-dir")] = Path("../shared/data"),
        out: Annotated[Path | None, typer.Option("--out", help="default: the package")] = None,
        measure: Annotated[bool, typer.Option(
            "--measure/--no-measure",
            help="cross-validate the pipelines and write the figures into PROVENANCE.json")] = True,
    ) -> None:
        """Retrain the message classifier, scam-type model and URL model from labelled files."""
        from scamtrace.messages.model_store import model_dir
        from scamtrace.messages.training import train_all

        if not data_dir.is_dir():
            raise InvalidDataFile(f"data directory {data_dir} not found")
        target = out or model_dir()
        provenance = train_all(data_dir, target, measure=measure)
        typer.echo(f"trained on {provenance['counts']['messages']} messages and "
                   f"{provenance['counts']['urls']} URLs -> {target}")

    app.add_typer(model_app, name="model")
