"""Demo hook: classify the simulated world's SMS and judge the links they carry.

``run_demo(world_dir, work_dir)`` reads WORLD/sms.parquet (and, when present,
WORLD/truth/truth_messages.parquet for the answers), writes the per-message results to
WORK/messages_classified.jsonl and returns the lines the demo prints.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

_DEMO_LIMIT = 50_000  # enough to show the mix; a province-sized world has millions


def run_demo(world_dir: Path, work_dir: Path) -> list[str]:
    """Classify the world's SMS, extract indicators, judge links; summarise.

    Args:
        world_dir: the simulated world (``scamtrace simulate`` output).
        work_dir: where to write ``messages_classified.jsonl``.

    Returns:
        Human-readable lines: counts by label and scam type, agreement with the truth
        when the world has it, indicators by kind, links by verdict and brand.
    """
    import pyarrow.parquet as pq

    from scamtrace.messages.classifier import classify_texts
    from scamtrace.messages.urls import judge_urls

    sms_path = Path(world_dir) / "sms.parquet"
    if not sms_path.is_file():
        return [f"messages: no SMS table at {sms_path}; skipped"]
    table = pq.read_table(sms_path, columns=["sms_id", "text"]).slice(0, _DEMO_LIMIT)
    ids = table.column("sms_id").to_pylist()
    texts = [text or "" for text in table.column("text").to_pylist()]
    results = classify_texts(texts)
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    with (work_dir / "messages_classified.jsonl").open("w", encoding="utf-8") as handle:
        for sms_id, result in zip(ids, results):
            handle.write(json.dumps({"sms_id": sms_id, **result.to_dict()},
                                    ensure_ascii=False) + "\n")
    lines = [f"messages: classified {len(results)} SMS of {sms_path.parent.name}"]
    labels = Counter(r.label for r in results)
    lines.append("  by label: " + ", ".join(f"{k} {v}" for k, v in labels.most_common()))
    types = Counter(r.scam_type for r in results if r.scam_type)
    if types:
        lines.append("  scam types: " + ", ".join(f"{k} {v}" for k, v in types.most_common()))
    lines.extend(_truth_lines(Path(world_dir), ids, results))
    kinds = Counter(i.kind for r in results for i in r.indicators)
    lines.append("  indicators: " + (", ".join(f"{k} {v}" for k, v in kinds.most_common())
                                     or "none"))
    links = sorted({i.value for r in results for i in r.indicators if i.kind == "url"})
    verdicts = judge_urls(links) if links else []
    by_verdict = Counter(v.verdict for v in verdicts)
    lines.append(f"  links judged: {len(verdicts)} distinct; " + ", ".join(
        f"{k} {v}" for k, v in by_verdict.most_common()))
    brands = Counter(v.brand for v in verdicts if v.brand and v.verdict != "benign")
    if brands:
        lines.append("  brands imitated: " + ", ".join(f"{k} {v}" for k, v in brands.most_common(8)))
    return lines


def _truth_lines(world_dir: Path, ids: list[int], results: list) -> list[str]:
    import pyarrow.parquet as pq

    truth_path = world_dir / "truth" / "truth_messages.parquet"
    if not truth_path.is_file():
        return []
    truth = pq.read_table(truth_path, columns=["sms_id", "label", "scam_type"]).to_pylist()
    by_id = {row["sms_id"]: row for row in truth}
    pairs = [(by_id[i], r) for i, r in zip(ids, results) if i in by_id]
    if not pairs:
        return []
    correct = sum(t["label"] == r.label for t, r in pairs)
    scams = [(t, r) for t, r in pairs if t["label"] == "scam"]
    caught = sum(r.label == "scam" for _, r in scams)
    typed = sum(t["scam_type"] == r.scam_type for t, r in scams if r.label == "scam")
    lines = [f"  against the truth: label accuracy {correct / len(pairs):.3f} on {len(pairs)}"]
    if scams:
        lines.append(f"  scams caught {caught}/{len(scams)}; scam type right on "
                     f"{typed}/{max(caught, 1)} caught (the model saw these templates)")
    return lines
