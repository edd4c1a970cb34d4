"""Validated instruments: definitions and a vectorised scoring engine (no Django)."""
