"""The reports door: the one way every figure about a wave's respondents leaves the platform.

Other apps call ``wellbeing.reports.door`` (read functions, and publishing a release);
everything else here is the door's own machinery: the ledger of releases (``releases``), the
report of a release (``build``), counts, the record export, charts, key drivers,
questionnaire results and campaign-wide aggregates. See docs/architecture.md.
"""
