"""Confidential reports: load a wave's scored responses as arrays, hand them to ``analysis``.

No statistic is computed here or in a view: this package only gathers data
and turns ``analysis`` results into what pages, exports and the API show.
"""
