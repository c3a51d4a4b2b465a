"""Diurnal rhythms in Thai local time (UTC+7) and sampling of event times in a window.

Windows are whole hours of UTC time relative to the world's first midnight; a profile
gives the relative activity of each local hour. Counts are Poisson with the profile's mass
inside the window, so splitting a day into chunks does not change the expected volume.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

THAI_UTC_OFFSET_HOURS = 7

# relative activity by local hour 0..23
CALLS = np.array(
    [
        0.3,
        0.15,
        0.1,
        0.1,
        0.15,
        0.4,
        1.0,
        2.0,
        3.5,
        4.5,
        5.0,
        5.0,
        4.8,
        5.0,
        5.0,
        5.0,
        4.8,
        4.6,
        4.8,
        5.0,
        4.6,
        3.5,
        2.0,
        1.0,
    ]
)
MESSAGES = np.array(
    [
        0.4,
        0.2,
        0.1,
        0.1,
        0.2,
        0.5,
        1.2,
        2.5,
        3.5,
        4.0,
        4.2,
        4.5,
        4.8,
        4.5,
        4.2,
        4.2,
        4.2,
        4.6,
        5.0,
        5.2,
        5.0,
        4.2,
        2.8,
        1.2,
    ]
)
PAYMENTS = np.array(
    [
        0.3,
        0.2,
        0.1,
        0.1,
        0.1,
        0.3,
        1.0,
        2.2,
        3.2,
        3.6,
        4.0,
        4.8,
        5.6,
        4.6,
        3.8,
        3.8,
        4.0,
        4.6,
        5.2,
        5.4,
        5.0,
        4.0,
        2.6,
        1.0,
    ]
)
OFFICE = np.array([0] * 9 + [1.0] * 3 + [0.4] + [1.0] * 5 + [0] * 6, dtype=float)
COURIER = np.array([0] * 8 + [1.0] * 12 + [0] * 4, dtype=float)


def local_hour(ts_rel: np.ndarray) -> np.ndarray:
    """Local Thai hour (0..23) of seconds since the world's first UTC midnight."""
    return (ts_rel // 3600 + THAI_UTC_OFFSET_HOURS) % 24


def local_weekday(ts_rel: np.ndarray, start_weekday: int) -> np.ndarray:
    """Local weekday (Monday 0) of seconds since the first UTC midnight."""
    return (start_weekday + (ts_rel + THAI_UTC_OFFSET_HOURS * 3600) // 86_400) % 7


def window_hours(a: int, b: int, profile: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UTC hour starts (relative seconds) in [a, b) and their profile weights normalised per day."""
    starts = np.arange(a, b, 3600, dtype=np.int64)
    weights = profile[local_hour(starts)] / profile.sum()
    return starts, weights


def window_mass(a: int, b: int, profile: np.ndarray) -> float:
    """Share of a day's activity (under ``profile``) that falls in [a, b)."""
    return float(window_hours(a, b, profile)[1].sum())


def sample_times(
    rng: np.random.Generator, n: int, a: int, b: int, profile: np.ndarray
) -> np.ndarray:
    """``n`` relative seconds in [a, b) following ``profile``; empty if the window has no mass."""
    starts, weights = window_hours(a, b, profile)
    total = weights.sum()
    if n == 0 or total <= 0:
        return np.zeros(0, dtype=np.int64)
    hour = rng.choice(starts.size, size=n, p=weights / total)
    return starts[hour] + rng.integers(0, 3600, size=n)


def poisson_count(
    rng: np.random.Generator, per_day: float, a: int, b: int, profile: np.ndarray
) -> int:
    """A Poisson number of events for a per-day rate over [a, b)."""
    return int(rng.poisson(per_day * window_mass(a, b, profile)))


@dataclass
class GroupedSampler:
    """Draws indices with probability ~ weight, via equal-count groups of similar weight.

    A binary search over 256 group totals then a uniform pick inside the group is several
    times faster than a search over millions of cumulative weights; within a group the
    weights differ little, which is all a heavy-tailed activity level needs.
    """

    order: np.ndarray
    start: np.ndarray
    size: np.ndarray
    cumulative: np.ndarray

    @classmethod
    def of(cls, weights: np.ndarray, groups: int = 256) -> GroupedSampler:
        order = np.argsort(weights, kind="stable")
        bounds = np.linspace(0, weights.size, min(groups, weights.size) + 1).astype(np.int64)
        sums = np.add.reduceat(weights[order], bounds[:-1])
        return cls(order, bounds[:-1], np.diff(bounds), np.cumsum(sums))

    def pick(self, rng: np.random.Generator, n: int) -> np.ndarray:
        group = np.searchsorted(self.cumulative, rng.random(n) * self.cumulative[-1], side="right")
        group = np.minimum(group, self.size.size - 1)
        return self.order[self.start[group] + (rng.random(n) * self.size[group]).astype(np.int64)]
