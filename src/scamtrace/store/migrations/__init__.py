"""Alembic migrations of the scamtrace store (run by ``scamtrace db upgrade``)."""
