"""Campaign staff and organization data, attacked over every route of an organization.

Being staff opens nothing of an organization: every page, file, import, record export,
member list, audit log, API route and admin page of org A is a 404 (the API: 401, it has no
session sign-in). Org A's admin may grant one staff member read access to its reports for a
few days: then its report pages and files answer, each read leaves an audit row naming the
grant, and nothing else opens; once the grant is revoked or expired, every route is a 404
again. A grant for org B gives nothing of org A.
"""

import datetime as dt

import pytest
from _routes import Pattern, patterns, url_for
from django.utils import timezone
from test_ops_authorization_matrix import EXPECTED, arguments, entry_name

# Routes that name an organization's data: its slug (the API's under /orgs/), or the page
# that links a campaign metric to one of the organization's surveys.
ORG_APPS = {"accounts", "surveys", "reports", "api_pages"}
ALSO = {"campaign:metric_link"}
# What a support grant opens: the report and unit pages and the report's files.
READS = {
    "reports:wave_report",
    "reports:wave_report_unit",
    "reports:wave_report_csv",
    "reports:wave_report_xlsx",
    "reports:wave_report_pdf",
    "reports:wave_report_long",
}


def org_routes() -> list[Pattern]:
    found = [p for p in patterns() if _names_organization_data(p)]
    names = {p.name for p in found}
    assert names >= READS and "reports:wave_raw_export" in names  # the walk found them
    assert {"surveys:import_upload", "accounts:organization_audit", "api:wave_report"} <= names
    return found


def _names_organization_data(pattern: Pattern) -> bool:
    if pattern.name in ALSO:
        return True
    if pattern.name.startswith("api:"):
        return "orgs/" in pattern.route
    return "slug" in pattern.params and pattern.name.split(":")[0] in ORG_APPS


def answer(client, pattern: Pattern, kwargs: dict) -> int:
    """The status of a GET, or of a bodiless POST for a POST-only route."""
    url = url_for(pattern, arguments(pattern, kwargs))
    if EXPECTED[entry_name(pattern)].post is not None:
        return client.post(url, {}).status_code
    return client.get(url).status_code


def refused(pattern: Pattern) -> int:
    return 401 if pattern.name.startswith("api:") else 404


def _reads(user, org):
    from wellbeing.core.models import AuditEvent

    return AuditEvent.objects.filter(actor=user, organization=org, verb__startswith="report.")


def _all_refused(client, kwargs: dict) -> list[str]:
    wrong = []
    for pattern in org_routes():
        got = answer(client, pattern, kwargs)
        if got != refused(pattern):
            wrong.append(f"{pattern.name}: {got}, expected {refused(pattern)}")
    return wrong


def test_staff_without_org_a_s_grant_meet_404_on_every_route_of_org_a(
    client, world, org, other_org, staff_curator
):
    from wellbeing.reports.access import active_grant

    assert active_grant(staff_curator, other_org) is not None  # org B's grant, not A's
    client.force_login(staff_curator)
    wrong = _all_refused(client, world.kwargs)
    assert not wrong, "\n".join(wrong)
    assert not _reads(staff_curator, org).exists()


def test_with_org_a_s_grant_the_report_reads_alone_answer_each_audited(
    client, world, org, support_staff
):
    grant_pk = world.kwargs["grant_pk"]
    client.force_login(support_staff)
    wrong = []
    for pattern in org_routes():
        before = _reads(support_staff, org).count()
        got = answer(client, pattern, world.kwargs)
        expected = 200 if pattern.name in READS else refused(pattern)
        if got != expected:
            wrong.append(f"{pattern.name}: {got}, expected {expected}")
        reads = _reads(support_staff, org)
        if pattern.name in READS:
            latest = reads.order_by("-pk").first()
            if reads.count() != before + 1 or latest.detail.get("support_access") != grant_pk:
                wrong.append(f"{pattern.name}: no audit row naming the grant")
        elif reads.count() != before:
            wrong.append(f"{pattern.name}: audited a read that was refused")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("ending", ["revoked", "expired"])
def test_once_the_grant_ends_every_route_of_org_a_is_404_again(
    client, world, org, org_admin, support_staff, ending
):
    from wellbeing.reports import actions
    from wellbeing.reports.models import SupportAccess

    grant = SupportAccess.objects.get(pk=world.kwargs["grant_pk"])
    if ending == "revoked":
        actions.revoke_support_access(grant=grant, actor=org_admin)
    else:
        grant.expires_at = timezone.now() - dt.timedelta(seconds=1)
        grant.save(update_fields=["expires_at"])
    client.force_login(support_staff)
    before = _reads(support_staff, org).count()
    wrong = _all_refused(client, world.kwargs)
    assert not wrong, "\n".join(wrong)
    assert _reads(support_staff, org).count() == before


def test_the_admin_site_offers_staff_no_respondent_data_tokens_or_grants():
    """Staff may hold admin permissions: no model of responses, scores, comments, releases,
    import jobs, invitation or API tokens, or support grants may be registered there."""
    from django.apps import apps
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    forbidden = {
        m._meta.label
        for label in ("surveys", "reports", "api")
        for m in apps.get_app_config(label).get_models()
    }
    assert "surveys.Response" in forbidden and "reports.SupportAccess" in forbidden
    assert not registered & forbidden, sorted(registered & forbidden)
