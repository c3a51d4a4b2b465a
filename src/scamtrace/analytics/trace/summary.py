"""Per-seed summary of trails: where each victim's money went, as shares of the amount."""

from __future__ import annotations

from typing import Any

import numpy as np
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
    first = trail["hop"].to_numpy() == 1
    seeds = pd.Index(trail["seed_id"][first])
    n_seeds = len(seeds)
    amount = trail["amount_traced"].to_numpy(dtype=float)[first]
    # array arithmetic per seed: indexing pandas objects once per seed costs milliseconds
    seed = seeds.get_indexer(accounts["seed_id"])
    hop = accounts["hop"].to_numpy(dtype=np.int64)
    amount_in = accounts["amount_in"].to_numpy(dtype=float)
    sink = accounts["is_sink"].to_numpy(dtype=bool)
    sinks = np.bincount(seed[sink], weights=amount_in[sink], minlength=n_seeds)
    held = np.bincount(seed[~sink], weights=accounts["amount_remaining"].to_numpy(dtype=float)[~sink],
                       minlength=n_seeds)
    n_hops = int(hop.max()) + 1 if len(hop) else 1
    cell = seed * n_hops + hop
    per_layer = np.bincount(cell, weights=amount_in, minlength=n_seeds * n_hops)
    present = np.bincount(cell, minlength=n_seeds * n_hops).reshape(n_seeds, n_hops) > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.round(per_layer.reshape(n_seeds, n_hops) / amount[:, None], 4)
    codes, width = _codes(accounts["account"], n_seeds)
    pairs = np.sort(seed * width + codes, kind="stable")  # in seed order: runs, merged fast
    pairs = pairs[np.concatenate([[True], pairs[1:] != pairs[:-1]])]
    n_accounts = np.bincount(pairs // width, minlength=n_seeds)
    with np.errstate(divide="ignore", invalid="ignore"):
        of_amount = [np.where(amount > 0, np.round(v / amount, 4), 0.0).tolist()
                     for v in (sinks, held, sinks + held)]
    # the layers present, as (hop, share) pairs cut per seed: no per-seed lists
    seed_of, hop_of = np.nonzero(present)
    keys = [str(h) for h in range(n_hops)]
    pairs = list(zip([keys[h] for h in hop_of.tolist()], shares[seed_of, hop_of].tolist()))
    bounds = np.searchsorted(seed_of, np.arange(n_seeds + 1)).tolist()
    rows = zip(seeds.tolist(), trail["src"][first].tolist(), np.round(amount, 2).tolist(),
               bounds[:-1], bounds[1:], *of_amount, n_accounts.tolist())
    # plain Python values from here (tolist), one dict per seed
    return [
        {
            "seed_id": seed_id,
            "victim_account": victim,
            "amount": total,
            "layers": dict(pairs[low:high]),
            "sinks": at_sinks,
            "held": still,
            "located": located,
            "accounts": count,
        }
        for seed_id, victim, total, low, high, at_sinks, still, located, count in rows
    ]


def _codes(accounts: pd.Series, n_seeds: int) -> tuple[np.ndarray, int]:
    """Integer codes of the accounts (equal accounts, equal codes) and a bound above
    them (times ``n_seeds``, it fits 62 bits): integer account numbers in a modest
    range are their own codes (no hashing)."""
    values = accounts.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high < 1 << 62 and (high - low + 1) * (n_seeds + 1) < 1 << 62:
            return values.astype(np.int64) - low, high - low + 1
    codes, uniques = pd.factorize(accounts)
    return codes, max(len(uniques), 1)
