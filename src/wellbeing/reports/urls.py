from django.urls import path

from wellbeing.reports.views import exports, pages, records, staff, support

app_name = "reports"

WAVE = "measure/<slug:slug>/waves/<int:pk>"
SUPPORT = "measure/<slug:slug>/support-access"

urlpatterns = [
    path("staff/campaign-aggregates/", staff.campaign_private, name="campaign_private"),
    path("staff/campaign-aggregates/norms/", staff.norms_release, name="norms_release"),
    path("staff/support-access/", support.my_support_access, name="support_mine"),
    path(f"{SUPPORT}/", support.support_access, name="support_access"),
    path(
        f"{SUPPORT}/<int:pk>/revoke/", support.support_access_revoke, name="support_access_revoke"
    ),
    path(f"{WAVE}/report/", pages.wave_report, name="wave_report"),
    path(f"{WAVE}/report/units/<int:unit_pk>/", pages.wave_report_unit, name="wave_report_unit"),
    path(f"{WAVE}/report/publish/", pages.publish_interim, name="publish_interim"),
    path(f"{WAVE}/report.csv", exports.wave_report_csv, name="wave_report_csv"),
    path(f"{WAVE}/report.xlsx", exports.wave_report_xlsx, name="wave_report_xlsx"),
    path(f"{WAVE}/report.pdf", exports.wave_report_pdf, name="wave_report_pdf"),
    path(f"{WAVE}/report-long.csv", exports.wave_report_long, name="wave_report_long"),
    path(f"{WAVE}/export/", records.wave_raw_export, name="wave_raw_export"),
]
