"""scamtrace: an open platform for an alliance against call-centre and SMS scams.

The package is split by domain (see ``docs/architecture.md``): ``identifiers`` gives
canonical forms, ``store`` the operational database, ``orgs`` members and keys,
``reports`` intake, ``messages`` text intelligence, ``intel`` the shared hub,
``analytics`` the batch engine, ``simulate`` the synthetic world, ``api`` the service.

Importing the package first keeps numpy off its slow AVX-512 sorts on AMD Zen 4
(:mod:`scamtrace.numpy_cpu`); it has to happen before numpy is imported.
"""

from scamtrace.numpy_cpu import avoid_slow_avx512_sort as _avoid_slow_avx512_sort

_avoid_slow_avx512_sort()

__version__ = "0.1.0"
