"""Per-seed summary of trails: where each victim's money went, as shares of the amount."""

from __future__ import annotations

from typing import Any

import pandas as pd


def summarise_trails(trail: pd.DataFrame, accounts: pd.DataFrame) -> list[dict[str, Any]]:
    """Shares of each seed's amount reaching each layer, sinks, and still held.

    Args:
        trail: the trail rows (hop 1 is the victim transfer).
        accounts: the accounts rows with ``is_sink``.

    Returns:
        One dict per seed: ``seed_id``, ``victim_account``, ``amount``, ``layers``
        (hop -> share of the amount that reached accounts at that hop), ``sinks`` (share
        that reached accounts that never send), ``held`` (share still in non-sink
        accounts: what freezes can save), ``located`` (sinks + held), ``accounts``.
    """
    summaries: list[dict[str, Any]] = []
    firsts = trail[trail["hop"] == 1].set_index("seed_id")
    by_seed = dict(tuple(accounts.groupby("seed_id", sort=True)))
    for seed_id, first in firsts.iterrows():
        amount = float(first["amount_traced"])
        rows = by_seed.get(seed_id, accounts.iloc[0:0])
        layers = rows.groupby("hop")["amount_in"].sum()
        sinks = float(rows.loc[rows["is_sink"].astype(bool), "amount_in"].sum())
        held = float(rows.loc[~rows["is_sink"].astype(bool), "amount_remaining"].sum())
        summaries.append({
            "seed_id": _plain(seed_id),
            "victim_account": _plain(first["src"]),
            "amount": round(amount, 2),
            "layers": {str(int(h)): _share(v, amount) for h, v in layers.items()},
            "sinks": _share(sinks, amount),
            "held": _share(held, amount),
            "located": _share(sinks + held, amount),
            "accounts": int(rows["account"].nunique()),
        })
    return summaries


def _share(value: float, amount: float) -> float:
    return round(float(value) / amount, 4) if amount else 0.0


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
