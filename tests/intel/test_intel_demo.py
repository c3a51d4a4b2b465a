"""The demo on a tiny simulated world: its poisoning campaign must not block its target."""

from __future__ import annotations

import pyarrow.parquet as pq

from scamtrace.intel.demo import run_demo
from scamtrace.intel.lookup import lookup_one
from scamtrace.intel.lookup_index import LookupIndex
from scamtrace.orgs.service import Principal


def test_simulated_poisoning_campaign_is_held_not_blocked(tmp_path):
    from scamtrace.simulate.demo import ensure_world

    world = ensure_world(tmp_path / "world", seed=7, scale="tiny")
    target = pq.read_table(world / "truth" / "poisoning.parquet").column("target_value")[0].as_py()
    lines = run_demo(world, tmp_path / "hub")
    assert any(
        line.startswith(f"  poisoning campaign held for review: phone {target}") for line in lines
    ), lines
    index = LookupIndex(tmp_path / "hub" / "lookup-index")
    bank = Principal(1, "bank", "bank", "bank", (), None)
    answer = lookup_one(index, bank, "phone", target)
    assert answer["held_for_review"] and answer["action"] == "none"
    assert any("02-888-8888: bank -> none/none (official)" in line for line in lines)


def test_demo_step_fills_the_demo_store_and_reports_what_it_shows(settings, tmp_path):
    from types import SimpleNamespace

    from scamtrace.intel.demo import demo_step
    from scamtrace.simulate.demo import ensure_world

    shown: list[str] = []
    context = SimpleNamespace(
        data_dir=tmp_path,
        database_url=settings.effective_database_url,
        settings=settings,
        echo=shown.append,
        base_url="http://127.0.0.1:8000",
        results={"world": ensure_world(tmp_path / "world", seed=7, scale="tiny")},
    )
    demo_step(context)
    assert shown == context.results["intel"]
    assert shown[0].startswith("intel hub: ") and "reports loaded as evidence" in shown[0]
    assert any("TAXII at http://127.0.0.1:8000/taxii2/" in line for line in shown)
