"""scamtrace: an open platform for an alliance against call-centre and SMS scams.

The package is split by domain (see ``docs/architecture.md``): ``identifiers`` gives
canonical forms, ``store`` the operational database, ``orgs`` members and keys,
``reports`` intake, ``messages`` text intelligence, ``intel`` the shared hub,
``analytics`` the batch engine, ``simulate`` the synthetic world, ``api`` the service.
"""

__version__ = "0.1.0"
