"""Confidential group statistics and change between waves (no Django).

Input: plain numbers and labels. Output: immutable results saying what may be
shown. Never imports Django and never reads settings: the caller passes the
minimum group size.
"""

from analysis.suppression import CountCell, CountTable, suppress_counts

__all__ = ["CountCell", "CountTable", "suppress_counts"]
