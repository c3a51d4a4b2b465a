"""Legitimate SMS and money in a time window.

SMS: person-to-person chat with contacts, and A2P messages (OTPs, bank and courier notices,
adverts) from brand sender ids. Money, with PromptPay-like amounts and timing: transfers
to contacts, QR payments to shops in the payer's province and to big merchants, bills,
ATM withdrawals, crypto top-ups and payouts, shop takings moved home, and salaries on the
25th. Banks' cash accounts, exchanges and big merchants become the hubs of the graph.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from scamtrace.simulate import timeflow as tf
from scamtrace.simulate.config import SimulationConfig
from scamtrace.simulate.legit_calls import LegitContext
from scamtrace.simulate.texts_legit import TextPool
from scamtrace.simulate.world import DAY, World

CHANNELS: tuple[str, ...] = (
    "mobile_banking",
    "internet_banking",
    "atm",
    "promptpay",
    "qr_payment",
    "bill_payment",
    "payroll",
)
MOBILE, INTERNET, ATM, PROMPTPAY, QR, BILL, PAYROLL = range(7)


def legit_sms(
    world: World,
    cfg: SimulationConfig,
    ctx: LegitContext,
    pool: TextPool,
    pool_groups: dict[str, np.ndarray],
    rng,
    a: int,
    b: int,
) -> dict:
    """Legitimate and spam SMS sent in [a, b).

    Returns:
        Columns ``ts, sender_sim`` (-1 for A2P), ``recipient`` (SIM) and ``entry`` (pool index).
    """
    n = world.n_persons
    k = tf.poisson_count(rng, cfg.p2p_sms_per_person_day * n, a, b, tf.MESSAGES)
    person = ctx.activity.pick(rng, k)
    contact = world.contacts[person, rng.integers(0, world.contacts.shape[1], size=k)]
    p2p_entry = rng.choice(pool_groups["p2p"], size=k)
    m = tf.poisson_count(rng, cfg.a2p_sms_per_person_day * n, a, b, tf.MESSAGES)
    spam = rng.random(m) < cfg.spam_share_of_a2p
    notice = rng.choice(pool_groups["notice"], size=m)
    advert = rng.choice(pool_groups["spam"], size=m)
    return {
        "ts": np.concatenate(
            [tf.sample_times(rng, k, a, b, tf.MESSAGES), tf.sample_times(rng, m, a, b, tf.MESSAGES)]
        ),
        "sender_sim": np.concatenate([world.person_sim[person], np.full(m, -1)]),
        "recipient": np.concatenate(
            [world.person_sim[contact], world.person_sim[ctx.activity.pick(rng, m)]]
        ),
        "entry": np.concatenate([p2p_entry, np.where(spam, advert, notice)]),
    }


def _amounts(rng, median: float, sigma: float, n: int, step: float = 1.0) -> np.ndarray:
    return np.maximum(np.round(rng.lognormal(np.log(median), sigma, size=n) / step) * step, step)


def legit_money(
    world: World, cfg: SimulationConfig, ctx: LegitContext, rng, a: int, b: int, start_date: dt.date
) -> dict:
    """Legitimate transfers in [a, b).

    Returns:
        Columns ``ts, src, dst, amount, channel`` (account indices and channel codes).
    """
    hubs, n = world.hubs, world.n_persons
    total = cfg.tx_per_person_day * n
    out = []

    def emit(kind_share: float, src, dst_fn, median, sigma, channel, step=1.0, profile=tf.PAYMENTS):
        count = tf.poisson_count(rng, total * kind_share, a, b, profile)
        payer = src(count)
        out.append(
            (
                tf.sample_times(rng, count, a, b, profile),
                payer,
                dst_fn(payer, count),
                _amounts(rng, median, sigma, count, step),
                np.full(count, channel),
            )
        )

    pick_person = lambda c: ctx.activity.pick(rng, c)
    acct = world.person_account
    emit(
        0.40,
        pick_person,
        lambda p, c: acct[world.contacts[p, rng.integers(0, world.contacts.shape[1], c)]],
        400,
        1.1,
        PROMPTPAY,
    )
    emit(0.30, pick_person, lambda p, c: _shop_in_province(world, rng, p), 180, 0.9, QR)
    emit(0.08, pick_person, lambda p, c: rng.choice(hubs["big_merchants"], size=c), 450, 0.9, QR)
    emit(0.05, pick_person, lambda p, c: rng.choice(hubs["utilities"], size=c), 900, 0.6, BILL)
    emit(
        0.12,
        pick_person,
        lambda p, c: hubs["bank_cash"][world.acct_bank[acct[p]]],
        2000,
        0.7,
        ATM,
        100,
    )
    crypto = hubs["crypto_users"]
    if crypto.size:
        emit(
            0.015,
            lambda c: rng.choice(crypto, size=c),
            lambda p, c: rng.choice(hubs["exchange_deposit"], size=c),
            3000,
            1.0,
            MOBILE,
        )
        emit(
            0.008,
            lambda c: np.zeros(c, np.int64),
            lambda p, c: acct[rng.choice(crypto, size=c)],
            4000,
            1.0,
            MOBILE,
        )
        out[-1] = (
            out[-1][0],
            rng.choice(hubs["exchange_payout"], size=out[-1][0].size),
            *out[-1][2:],
        )
    shops = hubs["merchant_accounts"]
    if shops.size:
        emit(
            0.02,
            lambda c: rng.choice(shops.size, size=c),
            lambda p, c: acct[world.acct_owner[shops[p]]],
            3000,
            0.8,
            MOBILE,
        )
        out[-1] = (out[-1][0], shops[out[-1][1]], *out[-1][2:])
    out.append(_salaries(world, rng, a, b, start_date))
    ts, src, dst, amount, channel = (np.concatenate(c) for c in zip(*out))
    keep = src != dst
    # a small share of people use internet banking rather than the app
    app = rng.random(channel.size)
    channel = np.where((channel == PROMPTPAY) & (app < 0.3), MOBILE, channel)
    channel = np.where((channel == PROMPTPAY) & (app > 0.95), INTERNET, channel)
    return {
        "ts": ts[keep],
        "src": src[keep],
        "dst": dst[keep],
        "amount": amount[keep],
        "channel": channel[keep],
    }


def _shop_in_province(world: World, rng, payer: np.ndarray) -> np.ndarray:
    shops, shop_province = world.hubs["merchant_accounts"], world.hubs["merchant_province"]
    if shops.size == 0:
        return rng.choice(world.hubs["big_merchants"], size=payer.size)
    order = np.argsort(shop_province, kind="stable")
    counts = np.bincount(shop_province, minlength=77)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    province = world.person_province[payer]
    has = counts[province] > 0
    offset = (rng.random(payer.size) * np.maximum(counts[province], 1)).astype(np.int64)
    local = shops[order[np.minimum(starts[province] + offset, shops.size - 1)]]
    return np.where(has, local, rng.choice(shops, size=payer.size))


def _salaries(world: World, rng, a: int, b: int, start_date: dt.date) -> tuple:
    # payroll runs on the 25th between 02:00 and 04:00 UTC (09:00-11:00 in Bangkok)
    day = a // DAY
    pay_start = day * DAY + 2 * 3600
    date = start_date + dt.timedelta(days=int(day))
    employer = world.hubs["person_employer"]
    if date.day != 25 or not (a <= pay_start < b):
        empty = np.zeros(0, np.int64)
        return empty, empty, empty, np.zeros(0), empty
    staff = np.flatnonzero(employer >= 0)
    ts = pay_start + rng.integers(0, 2 * 3600, size=staff.size)
    src = world.hubs["employers"][employer[staff]]
    return (
        ts,
        src,
        world.person_account[staff],
        _amounts(rng, 15_000, 0.5, staff.size, 10),
        np.full(staff.size, PAYROLL),
    )
