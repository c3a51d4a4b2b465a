"""Keep numpy off its AVX-512 sorts on AMD Zen 4, where they are about five times slower.

numpy sorts 32- and 64-bit numbers with x86-simd-sort. On AVX-512 machines it takes the
AVX-512 path, which stores every partitioned vector with a compress to memory
(``vpcompressd/q`` with a memory operand). AMD's Zen 4 cores (cpu family 0x19 = 25 with
AVX-512) run that form in microcode, at about 142 cycles each. AMD's optimisation guide
for Zen 4 (section 2.11.2) says to avoid it. The x86-simd-sort issue #6 and the numpy
pull request #32690 discuss it, and OpenJDK turns its AVX-512 sort off on that family
(JDK-8317976). numpy's AVX2 path has no such store.

numpy reads ``NPY_DISABLE_CPU_FEATURES`` once, when it is first imported. So
:func:`avoid_slow_avx512_sort` runs when the ``scamtrace`` package is imported, before
numpy is. On such a CPU it sets the variable to numpy's names for the AVX-512 feature
groups; numpy ignores the names of other versions. numpy keeps its AVX2 code for
everything else, and on Zen 4 that runs at the same width, since the cores split 512-bit
operations into two 256-bit halves.

Measured on an AMD EPYC of family 25, model 17, with numpy 2.4.6 (4 million random
values, best of 3; docs/mule-sims.md gives the kernel's figures):

- np.sort of int32: 0.144 s with AVX-512, 0.022 s without;
- np.sort of int64: 0.236 s with AVX-512, 0.044 s without.

Nothing is set if numpy is already imported (too late to matter), if the variable or
``NPY_ENABLE_CPU_FEATURES`` is already set (the operator's choice is kept), or if
``SCAMTRACE_NUMPY_AVX512`` is set to any value other than an empty one (opt out).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Container, MutableMapping

#: numpy's names of its AVX-512 feature groups: 2.4 and later (X86_V4), then older.
AVX512_FEATURES = ("X86_V4", "AVX512F", "AVX512CD", "AVX512_SKX", "AVX512_CLX", "AVX512_CNL",
                   "AVX512_ICL", "AVX512_SPR")
#: Set to a non-empty value to leave numpy's AVX-512 paths on.
OPT_OUT = "SCAMTRACE_NUMPY_AVX512"
#: AMD's family of Zen 3 and Zen 4 (only Zen 4 has AVX-512); Zen 5 is 0x1A.
ZEN4_FAMILY = 0x19


def slow_compress_store(cpuinfo: str) -> bool:
    """Whether the first processor in ``cpuinfo`` (Linux ``/proc/cpuinfo``) is an AMD of
    family 0x19 with AVX-512, i.e. Zen 4."""
    fields: dict[str, str] = {}
    for line in cpuinfo.splitlines():
        if not line.strip():
            if fields:
                break
            continue
        key, _, value = line.partition(":")
        fields.setdefault(key.strip(), value.strip())
    try:
        family = int(fields.get("cpu family", ""))
    except ValueError:
        return False
    return (fields.get("vendor_id") == "AuthenticAMD" and family == ZEN4_FAMILY
            and "avx512f" in fields.get("flags", "").split())


def avoid_slow_avx512_sort(environ: MutableMapping[str, str] | None = None,
                           cpuinfo: str | None = None, modules: Container[str] | None = None) -> bool:
    """Set ``NPY_DISABLE_CPU_FEATURES`` to the AVX-512 groups on Zen 4 (see the module).

    Args:
        environ: the environment to read and write (default ``os.environ``).
        cpuinfo: the text of ``/proc/cpuinfo`` (default: read it; none on other systems).
        modules: the names of the modules already imported (default ``sys.modules``).

    Returns:
        Whether the variable was set.
    """
    environ = os.environ if environ is None else environ
    modules = sys.modules if modules is None else modules
    if ("numpy" in modules or environ.get(OPT_OUT) or "NPY_DISABLE_CPU_FEATURES" in environ
            or "NPY_ENABLE_CPU_FEATURES" in environ):
        return False
    if cpuinfo is None:
        try:
            with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
                cpuinfo = handle.read(65536)
        except OSError:
            return False
    if not slow_compress_store(cpuinfo):
        return False
    environ["NPY_DISABLE_CPU_FEATURES"] = " ".join(AVX512_FEATURES)
    return True
