"""Synthetic transfers with embedded mule chains, for the trace speed benchmark.

Vectorised with numpy: ordinary transfers between random accounts and to merchant
sinks over 30 days, plus one mule chain per seed (victim -> mule -> 1-3 mules -> 1-3
mules -> cash-out), each mule forwarding 95% within an hour.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

DAY = 86_400
START = 1_704_067_200  # 2024-01-01 UTC


def synthetic_transfers(n_transfers: int, n_seeds: int, seed: int = 1) -> tuple[pa.Table, list[int]]:
    """Return (transfers, seed tx ids): columns tx_id, src, dst, amount, ts (timestamp)."""
    rng = np.random.default_rng(seed)
    n_accounts = max(n_transfers // 10, 1000)
    merchants = np.arange(n_accounts, n_accounts + 200)  # receive only: sinks
    chains = _mule_chains(rng, n_accounts, n_seeds)
    n_plain = n_transfers - len(chains["src"])
    src = rng.integers(0, n_accounts, n_plain)
    to_merchant = rng.random(n_plain) < 0.3
    dst = np.where(to_merchant, rng.choice(merchants, n_plain),
                   (src + rng.integers(1, n_accounts, n_plain)) % n_accounts)
    columns = {
        "src": np.concatenate([src, chains["src"]]),
        "dst": np.concatenate([dst, chains["dst"]]),
        "amount": np.round(np.concatenate([rng.lognormal(6.0, 1.0, n_plain), chains["amount"]]), 2),
        "ts": np.concatenate([START + rng.integers(0, 30 * DAY, n_plain), chains["ts"]]),
    }
    order = np.argsort(columns["ts"], kind="stable")
    table = pa.table({
        "tx_id": np.arange(n_transfers, dtype=np.int64),
        "src": columns["src"][order].astype(np.int64),
        "dst": columns["dst"][order].astype(np.int64),
        "amount": columns["amount"][order],
        "ts": pa.array(columns["ts"][order].astype("datetime64[s]")),
    })
    position = np.empty(n_transfers, dtype=np.int64)
    position[order] = np.arange(n_transfers)
    seeds = position[n_plain + chains["seed_rows"]].tolist()
    return table, seeds


def _mule_chains(rng: np.random.Generator, n_accounts: int, n_seeds: int) -> dict:
    src, dst, amount, ts = [], [], [], []
    victims = rng.integers(0, n_accounts, n_seeds)
    senders = rng.integers(0, n_accounts, n_seeds)  # layer-1 mules
    sent = rng.normal(20_000, 5_000, n_seeds).clip(1_000)
    when = START + rng.integers(DAY, 25 * DAY, n_seeds)
    src.append(victims), dst.append(senders), amount.append(sent), ts.append(when)
    seed_rows = np.arange(n_seeds)
    for _layer in range(3):
        fan = rng.integers(1, 4, len(senders))
        parent = np.repeat(np.arange(len(senders)), fan)
        weight = rng.random(len(parent)) + 0.1
        split = weight / np.bincount(parent, weights=weight)[parent]
        receivers = rng.integers(0, n_accounts, len(parent))
        src.append(senders[parent]), dst.append(receivers)
        amount.append(sent[parent] * 0.95 * split)
        ts.append(when[parent] + rng.integers(60, 3_600, len(parent)))
        senders, sent, when = receivers, amount[-1], ts[-1]
    return {"src": np.concatenate(src), "dst": np.concatenate(dst),
            "amount": np.concatenate(amount), "ts": np.concatenate(ts), "seed_rows": seed_rows}
