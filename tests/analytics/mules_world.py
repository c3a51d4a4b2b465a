"""A small hand-made transfer set for the mule tests: background plus one planted pattern
per rule, each on its own named account, with the answer known by construction."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

STEP_SPAN = 1000  # steps; background accounts transfer about every 20 steps


def background(rng: np.random.Generator, n_accounts: int = 40, per_account: int = 50):
    """Ordinary accounts paying each other now and then, in non-round amounts."""
    rows = []
    for i in range(n_accounts):
        steps = np.sort(rng.choice(np.arange(0, STEP_SPAN, 20), per_account, replace=False))
        steps = steps + rng.integers(0, 5, per_account)
        for step in steps:
            j = (i + 1 + int(rng.integers(0, n_accounts - 1))) % n_accounts
            rows.append((f"bg{i}", f"bg{j}", round(float(rng.uniform(60, 140)) + 0.37, 2), int(step)))
    return rows


def planted() -> list[tuple[str, str, float, int]]:
    """One account per rule doing exactly that behaviour."""
    rows: list[tuple[str, str, float, int]] = []
    # splitting: six transfers to one counterparty in one step
    rows += [("splitter", "bg1", 95.13, 500) for _ in range(6)]
    # fan-in from twelve new senders in one step
    rows += [(f"newsender{k}", "collector", 88.11, 300) for k in range(12)]
    # six small credits, then one debit sweeping them out
    rows += [(f"bg{k}", "sweeper", 30.17 + k, 400 + k) for k in range(6)]
    rows += [("sweeper", "bg20", 190.55, 407)]
    # one credit forwarded as six onward transfers right away
    rows += [("bg3", "fanout", 600.21, 600)] + [("fanout", f"bg{10 + k}", 90.43, 600) for k in range(6)]
    # rapid pass-through: every credit leaves in the same step, five times
    for k in range(5):
        rows += [("bg4", "passer", 120.19, 100 * k + 50), ("passer", "bg5", 119.19, 100 * k + 50)]
    # round amounts
    rows += [("rounder", f"bg{k}", float(100 * (k + 3)), 150 + 30 * k) for k in range(5)]
    # dormant for most of the period, then a burst of five transfers
    rows += [("bg6", "sleeper", 100.71, 1)] + [("sleeper", f"bg{k}", 20.33, 900) for k in range(5)]
    # a three-account cycle of small accounts
    rows += [("cyc_a", "cyc_b", 77.77, 200), ("cyc_b", "cyc_c", 76.76, 201),
             ("cyc_c", "cyc_a", 75.75, 202)]
    # scatter-gather: one source reaches two targets, each through three middles
    for k in range(3):
        rows += [("sg_src", f"sg_mid{k}", 66.61, 700), (f"sg_mid{k}", "sg_dst", 35.51, 701),
                 (f"sg_mid{k}", "sg_dst2", 30.51, 701)]
    return rows


def transfers(seed: int = 3) -> pa.Table:
    """The whole set as a table with integer steps (columns src, dst, amount, ts)."""
    rows = background(np.random.default_rng(seed)) + planted()
    src, dst, amount, ts = zip(*rows, strict=True)
    return pa.table({"src": list(src), "dst": list(dst), "amount": list(amount),
                     "ts": pa.array(ts, pa.int64())})


#: rule feature -> (account, smallest expected value): the planted answers.
EXPECTED = {
    "split_max": ("splitter", 6),
    "fan_in_new_max": ("collector", 12),
    "credits_then_sweep": ("sweeper", 6),
    "onward_max": ("fanout", 6),
    "rapid_out_share": ("passer", 0.99),
    "round_share": ("rounder", 1.0),
    "dormant_wake_events": ("sleeper", 5),
    "cycles_3": ("cyc_a", 1),
    "sg_as_middle": ("sg_mid0", 2),
    "sg_as_source": ("sg_src", 2),
}
