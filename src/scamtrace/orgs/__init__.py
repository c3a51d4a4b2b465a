"""Alliance members, API keys and roles, sharing groups, and the tamper-evident audit log."""
