"""Confidential group statistics and change between waves (no Django)."""
