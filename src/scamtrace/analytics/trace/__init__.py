"""Money trails: follow victim transfers through layers of mule accounts.

    from scamtrace.analytics.trace import TraceOptions, trace_victim_transfers

See docs/trace.md for investigators and :mod:`.tracing` for the algorithm.
"""

from __future__ import annotations

from scamtrace.analytics.trace.options import POLICIES, TraceOptions
from scamtrace.analytics.trace.tracing import TraceResult, trace_victim_transfers

__all__ = ["POLICIES", "TraceOptions", "TraceResult", "trace_victim_transfers"]
