"""Per-seed summary of trails: where each victim's money went, as shares of the amount."""

from __future__ import annotations

import math
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
    firsts = trail[trail["hop"] == 1].set_index("seed_id")
    amount = firsts["amount_traced"].astype(float)
    sink = accounts["is_sink"].astype(bool)
    per_layer = accounts.pivot_table(index="seed_id", columns="hop", values="amount_in",
                                     aggfunc="sum")
    sinks = accounts[sink].groupby("seed_id")["amount_in"].sum().reindex(amount.index).fillna(0)
    held = (accounts[~sink].groupby("seed_id")["amount_remaining"].sum()
            .reindex(amount.index).fillna(0))
    n_accounts = accounts.groupby("seed_id")["account"].nunique().reindex(amount.index).fillna(0)
    shares = per_layer.reindex(amount.index).div(amount, axis=0).round(4).to_dict("index")
    # plain dicts from here: indexing pandas objects once per seed costs milliseconds each
    victims, sinks, held = firsts["src"].to_dict(), sinks.to_dict(), held.to_dict()
    n_accounts = n_accounts.to_dict()
    summaries = []
    for seed_id, total in amount.to_dict().items():
        summaries.append({
            "seed_id": _plain(seed_id),
            "victim_account": _plain(victims[seed_id]),
            "amount": round(total, 2),
            "layers": {str(int(h)): float(v) for h, v in shares[seed_id].items() if not math.isnan(v)},
            "sinks": _share(sinks[seed_id], total),
            "held": _share(held[seed_id], total),
            "located": _share(sinks[seed_id] + held[seed_id], total),
            "accounts": int(n_accounts[seed_id]),
        })
    return summaries


def _share(value: float, amount: float) -> float:
    return round(float(value) / amount, 4) if amount else 0.0


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
