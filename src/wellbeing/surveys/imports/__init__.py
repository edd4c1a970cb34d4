"""Import of responses collected elsewhere (Qualtrics, REDCap, LimeSurvey, any CSV/XLSX/SPSS).

``formats`` reads a file into text columns, ``presets`` knows the column naming of the
common survey tools, ``mapping`` turns the columns into answers, units and demographics
with row-level errors (vectorised), and ``run`` is the write path: an all-or-nothing,
idempotent import as a background task. See ``docs/import.md``.
"""
