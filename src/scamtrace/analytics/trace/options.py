"""What a trace follows and how it allocates money: one options object."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from scamtrace.errors import InvalidInput

Policy = Literal["fifo", "proportional", "taint-first", "lifo", "matched"]
POLICIES: tuple[str, ...] = ("fifo", "proportional", "taint-first", "lifo", "matched")
Method = Literal["auto", "sql", "kernel"]
METHODS: tuple[str, ...] = ("auto", "sql", "kernel")
#: the policies the vectorised kernel implements (see :mod:`.kernel`)
KERNEL_POLICIES: tuple[str, ...] = ("fifo", "proportional", "taint-first", "lifo")


@dataclass(frozen=True)
class TraceOptions:
    """Options of :func:`scamtrace.analytics.trace.trace_victim_transfers`.

    Attributes:
        policy: how an account's outgoing transfers share the traced money it received:
            ``fifo`` (Clayton's case: first in, first out; the court-friendly default),
            ``proportional`` (every later debit carries the traced share of the balance),
            ``taint-first`` (every debit takes the victims' money in the account first,
            all victims pro rata, and the account's own money only after it),
            ``lifo`` (last in, first out by batch: a debit takes the credits received
            since the account's last debit first, all of them pro rata, then the batch
            before, and so on; money left behind stays under newer money),
            ``matched`` (investigator matching: money pooled around the deposit, passed on
            to first-time counterparties soon after; see docs/trace.md).
        max_hops: transfers per trail, the victim transfer being hop 1.
        window: how long after the victim transfer money is followed, in units of ``ts``
            (seconds or steps); None follows to the end of the data.
        min_amount: traced amounts below this are not followed further.
        burst: matched policy: first-time transfers into an account this close in time to
            the traced one count as pooled with it (units of ``ts``); None: window / 3.
        method: how the hops run: ``sql`` (pipelines on the engine, any backend),
            ``kernel`` (numpy over a per-account ledger index; fifo and proportional
            only), ``auto`` (the kernel on DuckDB for those policies, else SQL). Both
            give the same trails.
    """

    policy: Policy = "fifo"
    max_hops: int = 4
    window: int | None = None
    min_amount: float = 1.0
    burst: int | None = None
    method: Method = "auto"

    def __post_init__(self) -> None:
        if self.policy not in POLICIES:
            raise InvalidInput(f"unknown policy {self.policy!r}: use {', '.join(POLICIES)}")
        if self.max_hops < 1:
            raise InvalidInput("max hops must be at least 1")
        if self.window is not None and self.window < 0:
            raise InvalidInput("the window must not be negative")
        if self.method not in METHODS:
            raise InvalidInput(f"unknown method {self.method!r}: use {', '.join(METHODS)}")
        if self.method == "kernel" and self.policy not in KERNEL_POLICIES:
            raise InvalidInput(f"the kernel runs {' and '.join(KERNEL_POLICIES)} only")
        if self.burst is not None and self.burst < 0:
            raise InvalidInput("the burst must not be negative")

    @property
    def burst_width(self) -> int:
        """The pooling width actually used (see ``burst``)."""
        if self.burst is not None:
            return self.burst
        return max(self.window // 3, 0) if self.window is not None else 0
