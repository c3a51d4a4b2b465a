"""Layered laundering of victim transfers, hop by hop, vectorised over all pieces.

Layer 1 passes each credit on within minutes, split over several next-layer accounts with
every transfer under the splitting threshold (Bank of Thailand's mule signs: rapid
pass-through, five or more onward transfers). Deeper layers pool the credits of a window
and send them on as one larger transfer (many small credits, then one large debit). The
last layer cashes out by ATM-sized withdrawals or to a crypto exchange's deposit account.
Every tx carries a known share of each victim transfer: that lineage is truth_flows.
"""

from __future__ import annotations

import numpy as np

from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.gangs import Gang
from scamtrace.simulate.world import World


def _group(keys: np.ndarray):
    uniq, inverse = np.unique(keys, return_inverse=True)
    return uniq.size, inverse


def _lineage(rng, piece_group, n_parts_per_group, part_start):
    reps = n_parts_per_group[piece_group]
    piece_rep = np.repeat(np.arange(piece_group.size), reps)
    within = np.arange(piece_rep.size) - np.repeat(np.cumsum(reps) - reps, reps)
    return piece_rep, part_start[piece_group[piece_rep]] + within


def launder(
    world: World, cfg: SimulationConfig, gangs: list[Gang], vt: dict, rng
) -> tuple[dict, dict]:
    """Move the victim transfers ``vt`` through each gang's layers to cash-out.

    Args:
        world: the world.
        cfg: the configuration.
        gangs: all gangs.
        vt: victim transfers with ``ts, dst, amount, gang`` (dst is a layer-1 account).
        rng: the generator.

    Returns:
        (transactions ``ts, src, dst, amount, channel``, flows ``victim, hop, tx, amount``)
        where ``victim`` indexes ``vt`` and ``tx`` indexes the returned transactions.
    """
    depth = np.array([len(g.layers) for g in gangs])
    flat = np.concatenate([layer for g in gangs for layer in g.layers])
    sizes = np.array(
        [[len(g.layers[i]) if i < len(g.layers) else 0 for i in range(depth.max())] for g in gangs]
    )
    offsets = np.concatenate([[0], np.cumsum(sizes.ravel())[:-1]]).reshape(sizes.shape)
    crypto = np.array([g.crypto_cashout for g in gangs])
    vidx = np.arange(vt["ts"].size)
    acct, amt, t = vt["dst"].copy(), vt["amount"].astype(float), vt["ts"].copy()
    gang, layer = vt["gang"].copy(), np.zeros(vidx.size, dtype=np.int64)
    txs = {k: [] for k in ("ts", "src", "dst", "amount", "channel")}
    flows = {k: [] for k in ("victim", "hop", "tx", "amount")}
    n_tx, hop = 0, 1
    window = cfg.pooling_window_minutes * 60
    while vidx.size:
        last = layer == depth[gang] - 1
        key = np.where(layer == 0, -(np.arange(vidx.size) + 1), acct * 10_000_000 + t // window)
        n_groups, group = _group(key)
        total = np.bincount(group, weights=amt, minlength=n_groups)
        ready = np.zeros(n_groups, dtype=np.int64)
        np.maximum.at(ready, group, t)
        g_acct = np.zeros(n_groups, np.int64)
        g_acct[group] = acct
        g_gang = np.zeros(n_groups, np.int64)
        g_gang[group] = gang
        g_layer = np.zeros(n_groups, np.int64)
        g_layer[group] = layer
        g_last = np.zeros(n_groups, bool)
        g_last[group] = last
        keep = 1 - rng.uniform(*cfg.mule_commission, size=n_groups)
        limit = np.where(g_last & ~crypto[g_gang], cfg.atm_limit_baht, cfg.split_threshold_baht)
        n_parts = np.maximum(np.ceil(total * keep / limit), 1).astype(np.int64)
        fan = rng.integers(1, 4, size=n_groups)
        n_parts = np.minimum(np.where(g_layer == 0, np.maximum(n_parts, fan), n_parts), 40)
        part_group = np.repeat(np.arange(n_groups), n_parts)
        part_start = np.cumsum(n_parts) - n_parts
        weights = rng.uniform(0.6, 1.4, size=part_group.size)
        weights = np.where(g_last[part_group] & ~crypto[g_gang[part_group]], 1.0, weights)
        share = weights / np.bincount(part_group, weights=weights)[part_group]
        part_amt = np.floor(total[part_group] * keep[part_group] * share)
        atm = g_last[part_group] & ~crypto[g_gang[part_group]]
        part_amt = np.where(atm, np.floor(part_amt / 100) * 100, part_amt)
        p_gang, p_layer = g_gang[part_group], g_layer[part_group]
        nxt = np.minimum(p_layer + 1, depth[p_gang] - 1)
        pick = (rng.random(part_group.size) * sizes[p_gang, nxt]).astype(np.int64)
        cash_dst = np.where(
            crypto[p_gang],
            world.hubs["exchange_deposit"][p_gang % 3],
            world.hubs["bank_cash"][world.acct_bank[g_acct[part_group]]],
        )
        is_cash = g_last[part_group]
        dst = np.where(is_cash, cash_dst, flat[offsets[p_gang, nxt] + pick])
        within = np.arange(part_group.size) - part_start[part_group]
        delay = np.where(
            p_layer == 0,
            rng.integers(
                cfg.l1_delay_minutes[0] * 60, cfg.l1_delay_minutes[1] * 60 + 1, size=part_group.size
            ),
            rng.integers(5 * 60, 90 * 60, size=part_group.size),
        )
        ts = ready[part_group] + delay + within * rng.integers(60, 300, size=part_group.size)
        # channel codes of legit_traffic.CHANNELS: mules use the same apps as everyone
        app = rng.choice(np.array([0, 1, 3]), size=part_group.size, p=[0.6, 0.15, 0.25])
        channel = np.where(is_cash & ~crypto[p_gang], 2, app)
        for k, v in zip(txs, (ts, g_acct[part_group], dst, part_amt, channel)):
            txs[k].append(v)
        piece, part = _lineage(rng, group, n_parts, part_start)
        carried = part_amt[part] * amt[piece] / total[group[piece]]
        flows["victim"].append(vidx[piece])
        flows["hop"].append(np.full(piece.size, hop))
        flows["tx"].append(n_tx + part)
        flows["amount"].append(carried)
        n_tx += part_group.size
        hop += 1
        go_on = ~is_cash[part] & (carried > 0)
        vidx, acct, amt, t = vidx[piece][go_on], dst[part][go_on], carried[go_on], ts[part][go_on]
        gang, layer = p_gang[part][go_on], nxt[part][go_on]
    cat = lambda d: {k: np.concatenate(v) if v else np.zeros(0) for k, v in d.items()}
    out_tx, out_flow = cat(txs), cat(flows)
    valid = out_tx["amount"] > 0
    if not valid.all():
        out_flow = _drop_empty(out_tx, out_flow, valid)
    return out_tx, out_flow


def _drop_empty(txs: dict, flows: dict, valid: np.ndarray) -> dict:
    # parts that rounded down to zero baht are not transactions; renumber the survivors
    new_index = np.cumsum(valid) - 1
    keep_flow = valid[flows["tx"].astype(np.int64)]
    for k in txs:
        txs[k] = txs[k][valid]
    flows = {k: v[keep_flow] for k, v in flows.items()}
    flows["tx"] = new_index[flows["tx"].astype(np.int64)]
    return flows
