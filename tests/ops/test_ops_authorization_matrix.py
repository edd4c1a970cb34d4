"""Every URL pattern and API route, requested by every actor of the test world.

``EXPECTED`` is the one table of who gets what: an entry per URL name with the
status of a GET for each actor (and of a bodiless POST for POST-only routes).
A route without an entry fails ``test_every_route_has_an_entry``; a changed
answer fails the actor's test with the route named.

Actors: ``anonymous``; ``respondent`` (anonymous, holding org A's survey link,
which they opened); ``member``, ``lead`` and ``admin_a`` of org A; ``admin_b``
(the outsider: admin of org B, nothing in org A); ``staff`` (campaign staff with
no role in org A, holding org B's support grant); ``support`` (campaign staff
holding org A's support grant). On ``/api/v1/`` an organization's admin carries
their organization's bearer token, as a dashboard would; the others have none.
Every object named in a URL belongs to org A, so org B's admin must meet 404
wherever org A's admin meets 200, and so must staff: being staff opens no
organization's pages, and a support grant opens its report pages and files only.
"""

from dataclasses import dataclass

import pytest
from _routes import ACTORS, Pattern, patterns, url_for

LOGIN = "login"  # a 302 to the sign-in page (the admin's own for /admin/)
Status = int | str


def row(*statuses: Status) -> dict[str, Status]:
    if len(statuses) != len(ACTORS):
        raise TypeError(f"statuses: expected {len(ACTORS)}, got {len(statuses)}")
    return dict(zip(ACTORS, statuses, strict=True))


def everyone(status: Status) -> dict[str, Status]:
    return row(*[status] * len(ACTORS))


#                   anonymous respondent member lead  admin_a admin_b staff support
PUBLIC = everyone(200)
SIGNED_IN = row(LOGIN, LOGIN, 200, 200, 200, 200, 200, 200)
# Organization pages: a role in org A and nothing else (staff hold none; a grant is no role).
ORG_MEMBER = row(LOGIN, LOGIN, 200, 200, 200, 404, 404, 404)
ORG_LEAD = row(LOGIN, LOGIN, 404, 200, 200, 404, 404, 404)
ORG_ADMIN_ONLY = row(LOGIN, LOGIN, 404, 404, 200, 404, 404, 404)
# The report pages and files: a lead or admin of org A, or staff under org A's support grant.
REPORT_READER = row(LOGIN, LOGIN, 404, 200, 200, 404, 404, 200)
# A campaign participant's own pages: its organization's admin, or staff (campaign.access).
CAMPAIGN_MANAGER = row(LOGIN, LOGIN, 404, 404, 200, 404, 200, 200)
STAFF = row(404, 404, 404, 404, 404, 404, 200, 200)
STAFF_SIGNED_IN = row(LOGIN, LOGIN, 404, 404, 404, 404, 200, 200)
API_TOKEN = row(401, 401, 401, 401, 200, 404, 401, 401)
ADMIN_SITE = row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 200, 200)
# Staff without a model's permissions are refused its admin pages.
ADMIN_MODEL = row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 403, 403)
# Staff reaching a model page of an object that does not exist are sent to the index.
ADMIN_MODEL_REDIRECT = row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 302, 302)
POST_ONLY = everyone(405)
POST_ONLY_SIGNED_IN = row(LOGIN, LOGIN, 405, 405, 405, 405, 405, 405)  # sign-in is asked first


@dataclass(frozen=True)
class Route:
    get: dict[str, Status]
    post: dict[str, Status] | None = None  # exact answers to a bodiless POST, if POST-only


def post_only(post: dict[str, Status], get: dict[str, Status] = POST_ONLY) -> Route:
    return Route(get, post)


def signed_in_post_only(post: dict[str, Status]) -> Route:
    return Route(POST_ONLY_SIGNED_IN, post)


EXPECTED: dict[str, Route] = {
    "core:home": Route(PUBLIC),
    "core:about": Route(PUBLIC),
    "core:measure": Route(PUBLIC),
    "core:staff_audit": Route(STAFF),
    "core:healthz": Route(PUBLIC),
    "accounts:login": Route(row(200, 200, 302, 302, 302, 302, 302, 302)),
    "accounts:logout": post_only(everyone(302)),
    "accounts:home": Route(SIGNED_IN),
    "accounts:two_factor_setup": Route(SIGNED_IN),  # anyone may add a second factor
    # Without an enrolled device, verification sends everyone to setup.
    "accounts:two_factor_verify": Route(row(LOGIN, LOGIN, 302, 302, 302, 302, 302, 302)),
    "accounts:organization": Route(ORG_MEMBER),
    "accounts:organization_audit": Route(ORG_ADMIN_ONLY),
    # An organization's set-up (org_views): its admins only; a bodiless POST fails the form.
    "accounts:units": Route(ORG_ADMIN_ONLY),
    "accounts:units_import": Route(ORG_ADMIN_ONLY),
    "accounts:units_import_confirm": signed_in_post_only(
        row(LOGIN, LOGIN, 404, 404, 400, 404, 404, 404)
    ),
    "accounts:unit": Route(ORG_ADMIN_ONLY),
    "accounts:unit_retire": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "accounts:unit_restore": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "accounts:members": Route(ORG_ADMIN_ONLY),
    "accounts:member": Route(ORG_ADMIN_ONLY),
    "accounts:member_remove": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "accounts:invite_resend": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "accounts:invite_cancel": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    # The token in the link is the capability: a form for a new account, or (signed in
    # as another address) a page that says so; accepting takes a POST by the invited address.
    "accounts:invite_accept": Route(PUBLIC),
    # Password reset: the same pages for everyone; a bad link is a 400 page.
    "accounts:password_reset": Route(PUBLIC),
    "accounts:password_reset_done": Route(PUBLIC),
    "accounts:password_reset_confirm": Route(everyone(400)),
    "accounts:password_reset_complete": Route(PUBLIC),
    # A person's own settings: a bodiless POST fails the form (400) or needs none (302).
    "accounts:settings": Route(SIGNED_IN),
    "accounts:settings_profile": signed_in_post_only(row(LOGIN, LOGIN, *[302] * 6)),
    "accounts:settings_email": signed_in_post_only(row(LOGIN, LOGIN, *[400] * 6)),
    "accounts:email_confirm": Route(row(LOGIN, LOGIN, *[400] * 6)),  # a bad link
    "accounts:settings_password": signed_in_post_only(row(LOGIN, LOGIN, *[400] * 6)),
    "accounts:settings_sessions": signed_in_post_only(row(LOGIN, LOGIN, *[400] * 6)),
    "accounts:settings_backup_codes": signed_in_post_only(row(LOGIN, LOGIN, *[400] * 6)),
    "accounts:settings_two_factor_remove": signed_in_post_only(row(LOGIN, LOGIN, *[400] * 6)),
    "plan:index": Route(PUBLIC),
    "plan:conceptual_model": Route(PUBLIC),
    "plan:priority_area": Route(PUBLIC),
    "plan:actor_groups": Route(PUBLIC),
    "plan:actor_group": Route(PUBLIC),
    "plan:completeness": Route(STAFF),  # what staff still have to enter from the Plan
    "campaign:index": Route(PUBLIC),
    "campaign:directory": Route(PUBLIC),
    "campaign:explorer": Route(PUBLIC),
    "campaign:participant": Route(PUBLIC),
    "campaign:badge": Route(PUBLIC),
    "campaign:join": Route(PUBLIC),
    "campaign:sign_on_institution": Route(PUBLIC),
    "campaign:sign_on_individual": Route(PUBLIC),
    "campaign:sign_on_sent": Route(PUBLIC),  # the same page for a new and a known address
    "campaign:thanks": Route(CAMPAIGN_MANAGER),
    "campaign:confirm": Route(PUBLIC),  # the token in the URL is the capability
    "campaign:mine": Route(SIGNED_IN),
    "campaign:manage": Route(CAMPAIGN_MANAGER),
    "campaign:listing": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 400, 404, 400, 400)),
    "campaign:commitment_new": Route(CAMPAIGN_MANAGER),
    "campaign:commitment": Route(CAMPAIGN_MANAGER),
    "campaign:commitment_status": signed_in_post_only(
        row(LOGIN, LOGIN, 404, 404, 400, 404, 400, 400)
    ),
    "campaign:metric_new": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 400, 404, 400, 400)),
    "campaign:progress_new": Route(CAMPAIGN_MANAGER),
    # Lists org A's surveys: through accounts.permissions, so staff meet 404 here.
    "campaign:metric_link": Route(ORG_ADMIN_ONLY),
    "campaign:support": Route(CAMPAIGN_MANAGER),
    "campaign:support_thread": Route(CAMPAIGN_MANAGER),
    "campaign:dashboard": Route(STAFF),
    "campaign:review_queue": Route(STAFF),
    "campaign:staff_support": Route(STAFF),
    "campaign:staff_support_thread": Route(STAFF),
    "campaign:export_participants": Route(STAFF),
    "campaign:export_commitments": Route(STAFF),
    "campaign:review": post_only(row(404, 404, 404, 404, 404, 404, 400, 400)),
    "campaign:staff_participants": Route(STAFF),
    "campaign:staff_participant": Route(STAFF),
    "campaign:staff_notifications": Route(STAFF),
    "hub:index": Route(PUBLIC),
    "hub:resource": Route(everyone(301)),  # a case study lives at its own address
    "hub:save": post_only(row(LOGIN, LOGIN, 302, 302, 302, 302, 302, 302)),
    "hub:case_studies": Route(everyone(302)),  # the hub's list, filtered
    "hub:case_study": Route(PUBLIC),
    "hub:compendium": Route(PUBLIC),
    "hub:compendium_element": Route(PUBLIC),
    "hub:instruments": Route(PUBLIC),
    "hub:instrument": Route(PUBLIC),
    "hub:suggest": Route(PUBLIC),
    "hub:suggest_thanks": Route(PUBLIC),
    "hub:lists": Route(SIGNED_IN),
    "hub:list": Route(ORG_ADMIN_ONLY),  # a saved list is its owner's (admin_a) alone
    "hub:list_remove": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    # Placing a resource in the compendium: staff only, 404 to everyone else; a bodiless
    # removal tells staff to choose an element and changes nothing.
    "hub:curate": Route(STAFF),
    "hub:curate_remove": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:index": Route(PUBLIC),
    "engage:updates": Route(PUBLIC),
    "engage:updates_thanks": Route(PUBLIC),
    "engage:event_list": Route(PUBLIC),
    "engage:event_cancel": Route(PUBLIC),  # the token in the URL is the capability
    "engage:event_detail": Route(PUBLIC),
    "engage:event_registered": Route(PUBLIC),
    "engage:event_ics": Route(PUBLIC),
    "engage:awareness_day": Route(PUBLIC),
    "engage:awareness_graphic": Route(PUBLIC),
    "engage:gallery_index": Route(PUBLIC),
    "engage:gallery_submit": Route(PUBLIC),
    "engage:gallery_thanks": Route(PUBLIC),
    "engage:gallery_host": Route(PUBLIC),
    "engage:gallery_host_thanks": Route(PUBLIC),
    "engage:gallery_work": Route(PUBLIC),
    "engage:gallery_image": Route(everyone(404)),  # the world's work is writing, no image
    "engage:gallery_staff": Route(STAFF),
    "engage:gallery_staff_decide": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:gallery_staff_hosting": Route(STAFF),
    "engage:gallery_staff_hosting_move": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:questionnaire_list": Route(PUBLIC),
    "engage:questionnaire_staff_list": Route(STAFF),
    "engage:questionnaire_results": Route(STAFF),  # results not yet published
    "engage:questionnaire_staff": Route(STAFF),
    "engage:questionnaire_theme_rename": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:questionnaire_staff_action": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    # Signed links: the token in the URL is the capability, no sign-in.
    "engage:updates_confirm": Route(PUBLIC),
    "engage:updates_unsubscribe": Route(PUBLIC),
    "engage:updates_preferences": Route(PUBLIC),
    "engage:newsletter_staff_list": Route(STAFF),
    "engage:newsletter_staff": Route(STAFF),
    "engage:newsletter_staff_send": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:contact": Route(PUBLIC),
    "engage:contact_thanks": Route(PUBLIC),
    "engage:contact_staff": Route(STAFF),
    "engage:contact_staff_handled": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:consultation_list": Route(PUBLIC),
    "engage:consultation_staff_list": Route(STAFF),
    "engage:consultation_verify": Route(PUBLIC),
    "engage:consultation_detail": Route(PUBLIC),
    "engage:consultation_comment": Route(PUBLIC),
    "engage:consultation_comment_paragraph": Route(PUBLIC),
    "engage:consultation_thanks": Route(PUBLIC),
    "engage:consultation_staff": Route(STAFF),
    "engage:consultation_queue": Route(STAFF),
    "engage:consultation_comment_tag": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:consultation_comment_decide": post_only(row(404, 404, 404, 404, 404, 404, 302, 302)),
    "engage:consultation_export": Route(STAFF),
    # Both entrances send the respondent on to the survey's random address (/r/<rid>/).
    "surveys:respond_link": Route(everyone(303)),
    "surveys:respond_token": Route(everyone(303)),
    # A survey in progress lives at a random id whose draft cookie only its browser holds.
    "surveys:respond": Route(everyone(410)),
    "reports:campaign_private": Route(STAFF_SIGNED_IN),  # a bodiless POST releases nothing
    # Staff only; a bodiless POST is a form error on the staff page and releases nothing.
    "reports:norms_release": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 404, 404, 400, 400)),
    "reports:support_mine": Route(STAFF_SIGNED_IN),
    "reports:support_access": Route(ORG_ADMIN_ONLY),
    "reports:support_access_revoke": signed_in_post_only(
        row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)
    ),
    "surveys:survey_list": Route(ORG_LEAD),
    "surveys:survey_new": Route(ORG_ADMIN_ONLY),
    "surveys:survey": Route(ORG_LEAD),
    "surveys:wave_new": Route(ORG_ADMIN_ONLY),
    "surveys:wave": Route(ORG_LEAD),
    "surveys:wave_counts": Route(ORG_LEAD),
    "surveys:wave_status": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "surveys:wave_tokens": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    # Invitations by email: the admin's own pages; a bodiless send has no confirmation (400).
    "surveys:invitations": Route(ORG_ADMIN_ONLY),
    "surveys:invitations_status": Route(ORG_ADMIN_ONLY),
    "surveys:invitations_send": signed_in_post_only(
        row(LOGIN, LOGIN, 404, 404, 400, 404, 404, 404)
    ),
    "surveys:invitations_remind": signed_in_post_only(
        row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)
    ),
    "reports:wave_report": Route(REPORT_READER),
    "reports:publish_interim": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    # The world's unit is the Emergency Department: outside the lead's Nursing subtree.
    "reports:wave_report_unit": Route(row(LOGIN, LOGIN, 404, 404, 200, 404, 404, 200)),
    "reports:wave_report_xlsx": Route(REPORT_READER),
    "reports:wave_report_pdf": Route(REPORT_READER),
    "reports:wave_raw_export": Route(ORG_ADMIN_ONLY),  # never under a support grant
    "reports:wave_report_csv": Route(REPORT_READER),
    "reports:wave_report_long": Route(REPORT_READER),
    "surveys:import_upload": Route(ORG_ADMIN_ONLY),
    "surveys:import_map": Route(ORG_ADMIN_ONLY),
    "surveys:import_start": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "surveys:import_job": Route(ORG_ADMIN_ONLY),
    # The rows a partial import left out: for the admin who uploaded the file, while kept;
    # the world's import left none out, so everyone, its uploader too, meets 404.
    "surveys:import_rejected": Route(row(LOGIN, LOGIN, 404, 404, 404, 404, 404, 404)),
    "api:openapi-json": Route(PUBLIC),
    "api:openapi-view": Route(PUBLIC),
    "api:api-root": Route(everyone(404)),
    "api:priority_areas": Route(PUBLIC),
    "api:participants": Route(PUBLIC),
    "api:participant_commitments": Route(PUBLIC),
    "api:hub_search": Route(PUBLIC),
    "api:hub_resource": Route(PUBLIC),
    "api:instrument_catalogue": Route(PUBLIC),
    "api:instrument_detail": Route(PUBLIC),
    "api:events": Route(PUBLIC),
    "api:event_detail": Route(PUBLIC),
    "api:surveys": Route(API_TOKEN),
    "api:waves": Route(API_TOKEN),
    "api:wave": Route(API_TOKEN),
    "api:wave_counts": Route(API_TOKEN),
    "api:wave_report": Route(API_TOKEN),
    "api:survey_export": Route(API_TOKEN),
    "api:commitments": Route(API_TOKEN),
    # A bodiless POST fails validation before the handler; with a body, org B's token
    # meets 404 (test_an_outsider_s_token_cannot_file_progress_for_org_a).
    "api:file_progress": post_only(row(401, 401, 401, 401, 400, 400, 401, 401)),
    "api_pages:tokens": Route(ORG_ADMIN_ONLY),
    "api_pages:token_revoke": signed_in_post_only(row(LOGIN, LOGIN, 404, 404, 302, 404, 404, 404)),
    "set_language": Route(everyone(302)),
    "admin:index": Route(ADMIN_SITE),
    "admin:login": Route(row(200, 200, 200, 200, 200, 200, 302, 302)),
    "admin:logout": post_only(everyone(302), get=row(302, 302, 302, 302, 302, 302, 405, 405)),
    "admin:password_change": Route(ADMIN_SITE),
    "admin:password_change_done": Route(ADMIN_SITE),
    "admin:jsi18n": Route(ADMIN_SITE),
    "admin:autocomplete": Route(row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 403, 403)),
    "admin:app_list": Route(row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 404, 404)),
    "admin:view_on_site": Route(row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 404, 404)),
    # django-otp's admin pages of a TOTP device (its secret and QR code): refused to
    # everyone by OTP_ADMIN_HIDE_SENSITIVE_DATA (without it, a missing device was a 500).
    "admin:otp_totp_totpdevice_config": Route(ADMIN_MODEL),
    "admin:otp_totp_totpdevice_qrcode": Route(ADMIN_MODEL),
    "admin/(?P<url>.*)$": Route(row(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, 404, 404)),
    # Every model page of the admin (changelist, add, change, delete) answers alike;
    # its history and object redirect of a missing object (the world asks for id 0) too.
    "admin:<model pages>": Route(ADMIN_MODEL),
    "admin:<model redirects>": Route(ADMIN_MODEL_REDIRECT),
}

# How each URL's arguments are filled from the world (``=value`` is a literal).
ARGS: dict[str, dict[str, str]] = {
    "accounts:unit": {"pk": "spare_unit_pk"},
    "accounts:unit_retire": {"pk": "spare_unit_pk"},
    "accounts:unit_restore": {"pk": "spare_unit_pk"},
    "accounts:member": {"pk": "spare_member_pk"},
    "accounts:member_remove": {"pk": "spare_member_pk"},
    "accounts:invite_resend": {"pk": "spare_invite_pk"},
    "accounts:invite_cancel": {"pk": "spare_invite_pk"},
    "accounts:invite_accept": {"token": "invite_token"},
    "accounts:password_reset_confirm": {"uidb64": "=MQ", "token": "=not-a-reset-token"},
    "accounts:email_confirm": {"token": "=not-a-signed-link"},
    "surveys:import_upload": {"pk": "import_wave_pk"},
    "surveys:import_map": {"pk": "import_wave_pk"},
    "surveys:import_start": {"pk": "import_wave_pk"},
    "surveys:import_job": {"pk": "import_wave_pk"},
    "surveys:import_rejected": {"pk": "import_wave_pk"},
    "plan:priority_area": {"slug": "area_slug"},
    "plan:actor_group": {"slug": "=health-systems"},
    "surveys:respond": {"rid": "=" + "A" * 22},
    "campaign:participant": {"pk": "participant_pk"},
    "campaign:badge": {"pk": "participant_pk"},
    "campaign:thanks": {"pk": "participant_pk"},
    "campaign:confirm": {"token": "confirm"},
    "campaign:review": {"pk": "participant_pk", "decision": "=approve"},
    "campaign:staff_support_thread": {"request_pk": "request_pk"},
    "hub:resource": {"slug": "resource_slug"},
    "hub:save": {"slug": "resource_slug"},
    "hub:case_study": {"slug": "resource_slug"},
    "hub:compendium_element": {"element": "=conducting-workplace-assessments"},
    "hub:instrument": {"instrument_id": "=who5"},
    "hub:list": {"pk": "list_pk"},
    "hub:list_remove": {"pk": "list_pk", "slug": "resource_slug"},
    "hub:curate": {"slug": "resource_slug"},
    "hub:curate_remove": {"slug": "resource_slug"},
    "engage:event_cancel": {"token": "cancel"},
    "engage:event_detail": {"slug": "event_slug"},
    "engage:event_registered": {"slug": "event_slug", "outcome": "=confirmed"},
    "engage:event_ics": {"slug": "event_slug"},
    "engage:awareness_graphic": {"pk": "graphic_pk"},
    "engage:gallery_work": {"pk": "work_pk"},
    "engage:gallery_image": {"pk": "work_pk"},
    "engage:gallery_staff_decide": {"pk": "work_pk", "decision": "=approve"},
    "engage:gallery_staff_hosting_move": {"pk": "host_pk"},
    "engage:questionnaire_results": {"slug": "questionnaire_slug"},
    "engage:questionnaire_staff": {"slug": "questionnaire_slug"},
    "engage:questionnaire_theme_rename": {"slug": "questionnaire_slug", "pk": "theme_pk"},
    "engage:questionnaire_staff_action": {"slug": "questionnaire_slug", "what": "=publish"},
    "engage:updates_confirm": {"token": "subscribe_confirm"},
    "engage:updates_unsubscribe": {"token": "unsubscribe"},
    "engage:updates_preferences": {"token": "preferences"},
    "engage:newsletter_staff": {"pk": "newsletter_pk"},
    "engage:newsletter_staff_send": {"pk": "newsletter_pk"},
    "engage:contact_staff_handled": {"pk": "contact_pk"},
    "engage:consultation_verify": {"token": "verify"},
    "engage:consultation_detail": {"slug": "consultation_slug"},
    "engage:consultation_comment": {"slug": "consultation_slug"},
    "engage:consultation_comment_paragraph": {"slug": "consultation_slug", "anchor": "anchor"},
    "engage:consultation_thanks": {"slug": "consultation_slug"},
    "engage:consultation_staff": {"slug": "consultation_slug"},
    "engage:consultation_queue": {"slug": "consultation_slug"},
    "engage:consultation_comment_tag": {"slug": "consultation_slug", "pk": "comment_pk"},
    "engage:consultation_comment_decide": {
        "slug": "consultation_slug",
        "pk": "comment_pk",
        "decision": "=publish",
    },
    "engage:consultation_export": {"slug": "consultation_slug", "fmt": "=csv"},
    "api:event_detail": {"slug": "event_slug"},
    "surveys:survey": {"pk": "survey_pk"},
    "surveys:wave_new": {"pk": "survey_pk"},
    "api:participant_commitments": {"participant_id": "participant_pk"},
    "api:hub_resource": {"slug": "resource_slug"},
    "api:instrument_detail": {"instrument_id": "=who5"},
    "api:waves": {"survey_id": "survey_pk"},
    "api:survey_export": {"survey_id": "survey_pk"},
    "api_pages:token_revoke": {"pk": "token_pk"},
    "reports:support_access_revoke": {"pk": "grant_pk"},
}
# Defaults by parameter name: org A's slug, its wave, its campaign participant.
DEFAULTS = {
    "slug": "slug",
    "survey_id": "survey_pk",
    "wave_id": "wave_pk",
    "commitment_id": "commitment_pk",
    "commitment_pk": "commitment_pk",
    "metric_pk": "metric_pk",
    "request_pk": "request_pk",
    "unit_pk": "unit_pk",
    "job_pk": "job_pk",
    "key": "key",
    "token": "token",
}
PK_BY_APP = {"campaign": "participant_pk", "surveys": "wave_pk", "reports": "wave_pk"}
DENIED = {LOGIN, 401, 403, 404, 405}


MODEL_PAGES = {"changelist", "add", "change", "delete"}


def entry_name(pattern: Pattern) -> str:
    name = pattern.name
    if name in EXPECTED:
        return name
    if name.startswith("admin/") and name.endswith("<path:object_id>/"):
        return "admin:<model redirects>"  # the unnamed object redirect of each model admin
    if name.startswith("admin:") and name.rsplit("_", 1)[-1] == "history":
        return "admin:<model redirects>"
    if name.startswith("admin:") and name.rsplit("_", 1)[-1] in MODEL_PAGES:
        return "admin:<model pages>"
    return name


def arguments(pattern: Pattern, kwargs: dict) -> dict[str, str]:
    if pattern.name.startswith("admin"):
        return {}  # the admin's own arguments: _routes.ADMIN_ARGS
    spec = ARGS.get(pattern.name, {})
    app = pattern.name.split(":")[0]
    values = {}
    for param in pattern.params:
        source = spec.get(param) or DEFAULTS.get(param)
        if param == "pk" and source is None:
            source = PK_BY_APP[app]
        if source is None:
            raise KeyError(f"{pattern.name}: no value for {param!r}; add it to ARGS")
        values[param] = source[1:] if source.startswith("=") else str(kwargs[source])
    return values


def check(response, expected: Status, actor: str) -> bool:
    if expected == LOGIN:
        location = response.get("Location", "")
        return response.status_code == 302 and "/login/" in location
    return response.status_code == expected


@pytest.fixture
def as_actor(
    client, world, clinician, unit_lead, org_admin, outsider, staff_curator, support_staff
):
    """Return a function that (re)signs the client in as an actor and gives its headers."""
    from django.core.cache import cache

    users = {
        "member": clinician,
        "lead": unit_lead,
        "admin_a": org_admin,
        "admin_b": outsider,
        "staff": staff_curator,
        "support": support_staff,
    }
    tokens = {"admin_a": world.token_a, "admin_b": world.token_b}

    def _as(actor: str, api: bool) -> dict[str, str]:
        cache.clear()  # public forms are rate limited per address
        if actor in users:
            client.force_login(users[actor])  # again: a logout route ends the session
        if api and actor in tokens:
            return {"HTTP_AUTHORIZATION": f"Bearer {tokens[actor]}"}
        return {}

    client.get(f"/s/{world.link_key}/")  # the respondent's link (harmless for the others)
    return _as


def test_every_route_has_an_entry_and_every_entry_a_route():
    names = {entry_name(p) for p in patterns()}
    missing = sorted(names - set(EXPECTED))
    stale = sorted(set(EXPECTED) - names)
    assert not missing, f"URL patterns without an entry in EXPECTED: {missing}"
    assert not stale, f"entries in EXPECTED without a URL pattern: {stale}"


@pytest.mark.slow
@pytest.mark.parametrize("actor", ACTORS)
def test_each_actor_gets_exactly_the_allowed_status_everywhere(actor, client, world, as_actor):
    wrong = []
    for pattern in patterns():
        route = EXPECTED[entry_name(pattern)]
        url = url_for(pattern, arguments(pattern, world.kwargs))
        api = pattern.name.startswith("api:")
        got = client.get(url, **as_actor(actor, api))
        if not check(got, route.get[actor], actor):
            wrong.append(
                f"GET {pattern.name} {url}: {got.status_code}, expected {route.get[actor]}"
            )
        posted = client.post(url, {}, **as_actor(actor, api))
        if route.post is not None:
            if not check(posted, route.post[actor], actor):
                wrong.append(
                    f"POST {pattern.name} {url}: {posted.status_code}, expected {route.post[actor]}"
                )
        elif posted.status_code >= 500:
            wrong.append(f"POST {pattern.name} {url}: {posted.status_code}")
        elif route.get[actor] in DENIED and not any(check(posted, d, actor) for d in DENIED):
            wrong.append(f"POST {pattern.name} {url}: {posted.status_code} to a refused actor")
    assert not wrong, f"{actor}:\n" + "\n".join(wrong)


def test_an_outsider_s_token_cannot_file_progress_for_org_a(client, world):
    url = (
        f"/api/v1/orgs/{world.kwargs['slug']}/commitments/{world.kwargs['commitment_pk']}/progress"
    )
    body = {"period_end": "2026-03-31", "narrative": "On track.", "values": {}}
    theirs = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {world.token_b}"
    )
    assert theirs.status_code == 404
    ours = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {world.token_a}"
    )
    assert ours.status_code == 201
