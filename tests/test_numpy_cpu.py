"""numpy's AVX-512 sorts are turned off on AMD Zen 4 only, and never against the
operator's own setting or once numpy is loaded."""

from __future__ import annotations

import os
import subprocess
import sys

from scamtrace import numpy_cpu

ZEN4 = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
flags\t\t: fpu sse2 avx2 avx512f avx512dq avx512bw

processor\t: 1
vendor_id\t: AuthenticAMD
"""
ZEN3 = ZEN4.replace(" avx512f avx512dq avx512bw", "")
ZEN5 = ZEN4.replace("cpu family\t: 25", "cpu family\t: 26")
INTEL = ZEN4.replace("AuthenticAMD", "GenuineIntel").replace(": 25", ": 6")


def test_only_zen4_has_the_slow_store():
    assert numpy_cpu.slow_compress_store(ZEN4)
    for other in (ZEN3, ZEN5, INTEL, "", "garbage without colons\n", ZEN4.replace(": 25", ": x")):
        assert not numpy_cpu.slow_compress_store(other)


def test_sets_the_avx512_groups_on_zen4_before_numpy():
    env: dict[str, str] = {}
    assert numpy_cpu.avoid_slow_avx512_sort(env, ZEN4, modules=())
    assert set(env["NPY_DISABLE_CPU_FEATURES"].split()) >= {"X86_V4", "AVX512F", "AVX512_SKX"}


def test_leaves_everything_else_alone():
    for cpuinfo in (ZEN3, ZEN5, INTEL):
        env: dict[str, str] = {}
        assert not numpy_cpu.avoid_slow_avx512_sort(env, cpuinfo, modules=())
        assert env == {}
    kept = [{"NPY_DISABLE_CPU_FEATURES": ""}, {"NPY_ENABLE_CPU_FEATURES": "AVX2"},
            {numpy_cpu.OPT_OUT: "1"}]
    for env in kept:
        before = dict(env)
        assert not numpy_cpu.avoid_slow_avx512_sort(env, ZEN4, modules=())
        assert env == before
    env = {}
    assert not numpy_cpu.avoid_slow_avx512_sort(env, ZEN4, modules=("numpy",))  # too late
    assert env == {}
    assert numpy_cpu.avoid_slow_avx512_sort({numpy_cpu.OPT_OUT: ""}, ZEN4, modules=())


def test_importing_scamtrace_first_reaches_numpy():
    # In a fresh interpreter: numpy sees the variable exactly when this machine is a Zen 4.
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            zen4 = numpy_cpu.slow_compress_store(handle.read(65536))
    except OSError:  # not Linux: nothing is set
        zen4 = False
    env = {k: v for k, v in os.environ.items()
           if k not in ("NPY_DISABLE_CPU_FEATURES", "NPY_ENABLE_CPU_FEATURES", numpy_cpu.OPT_OUT)}
    code = ("import scamtrace, os, numpy; from numpy._core._multiarray_umath import __cpu_features__ as f; "
            "print(os.environ.get('NPY_DISABLE_CPU_FEATURES', '')); "
            "print(any(f.get(g, False) for g in ('X86_V4', 'AVX512_SKX', 'AVX512_ICL')))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert bool(out[0]) == zen4
    if zen4:
        assert out[1] == "False"
