"""Registered modules (filled per sub-package)."""
