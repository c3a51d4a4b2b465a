"""Investigations: cases, the indicators and reports they hold, and the actions they request."""
