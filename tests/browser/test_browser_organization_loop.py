"""A new organization runs the whole loop by itself, in Chromium, on desktop and phone.

It signs on, is approved, builds its unit tree from a CSV file, invites a unit lead who
accepts and signs in, mails a wave's personal links to 20 addresses; 12 people answer,
reminders go to the other 8 only, the wave closes, the commitment metric linked to the
survey fills, and the report shows the movement's norms next to its own figures. The lead
then forgets their password and chooses a new one. Every page passes axe-core.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"
ADMIN_PASSWORD = "correct-horse-battery-staple"
INSTRUMENTS = ["single-item-burnout", "who5"]
ADDRESSES = [f"clinician{n:02d}@harbor.test" for n in range(1, 21)]
UNITS_CSV = "Division,Department\nMedicine,Emergency Department\nMedicine,Intensive Care\nSurgery,Operating Rooms\n"


def _sign_in(site, email, password=PASSWORD):
    site.open("/accounts/login/")
    site.page.fill("#id_username", email)
    site.page.fill("#id_password", password)
    site.page.click("main button[type=submit]")
    site.page.wait_for_url(lambda url: "/login/" not in url)


def _check(site, name=None):
    """axe-core on the page as it is; a screenshot for the docs when named."""
    site.assert_accessible()
    site.assert_crisis_banner_visible()
    if site.viewport == "phone":
        site.assert_no_horizontal_scroll()
    if name:
        site.screenshot(f"{name}-{site.viewport}")


def _link(message, pattern):
    found = re.search(pattern, message.body)
    assert found, message.body
    return found.group(0)


def _peers(count=6):
    """Organizations of the movement with closed, published waves: what the norms come from."""
    from wellbeing.accounts import actions as accounts
    from wellbeing.reports import releases
    from wellbeing.surveys import actions

    now = timezone.now()
    for number in range(1, count + 1):
        org = accounts.create_organization(
            name=f"Peer Health {number}", kind="health_system", slug=f"peer-{number}"
        )
        survey = actions.create_survey(
            organization=org, name="Pulse", instruments=INSTRUMENTS, demographics=["role"]
        )
        wave = actions.create_wave(
            survey=survey, name="Spring", opens_at=now - timedelta(days=20), closes_at=now
        )
        actions.open_links(wave=wave, units=[None])
        actions.set_wave_status(wave=wave, status="open")
        rows = [
            actions.ImportedResponse(
                key=f"peer-{number}-{i}",
                unit=None,
                answers={
                    "single-item-burnout": [1 + (i + number) % 5],
                    "who5": [(i + number + j) % 6 for j in range(5)],
                },
                demographics={"role": "nurse" if i % 2 else "physician"},
            )
            for i in range(80)
        ]
        actions.record_synthetic_responses(wave=wave, rows=rows)
        actions.set_wave_status(wave=wave, status="closed")
        releases.publish_final(wave)


def _answer(live_server, link, burnout):
    """One clinician answers through their personal link, as a browser without JavaScript."""
    client = Client()
    first = client.get(link.replace(live_server.url, ""), follow=True)
    assert first.status_code == 200, link
    url, flow = first.request["PATH_INFO"], first.context["flow"]
    key = first.context["idempotency_key"]
    answers = {"single-item-burnout": [burnout], "who5": [3, 3, 2, 4, 3]}
    last = None
    for index, step in enumerate(flow.steps):
        data = {"idempotency_key": key, "step": str(index), "go": "next"}
        for instrument in flow.instruments:
            if instrument.id == step:
                codes = zip(instrument.items, answers[step], strict=True)
                data.update({f"{step}__{item.id}": str(code) for item, code in codes})
        if index == len(flow.steps) - 1:
            data["go"] = "submit"
        last = client.post(url, data)
    assert last is not None and last.status_code in (200, 303), last.status_code


def test_a_new_organization_runs_the_whole_loop_by_itself(open_site, live_server, settings):
    from wellbeing.accounts.models import User

    settings.SITE_URL = live_server.url
    User.objects.create_user("sam@campaign.test", PASSWORD, is_staff=True)
    _peers()

    # 1. Sign on as an Accelerator and confirm the address.
    admin = open_site("desktop")
    page = admin.page
    admin.open("/campaign/join/")
    page.get_by_role("link", name="Sign on for an institution").click()
    page.get_by_label("Your full name").fill("Dana Doe")
    page.get_by_label("Your title or position").fill("Chief Wellness Officer")
    page.get_by_label("Your email address").fill("dana@harbor.test")
    page.get_by_label("Choose a password").fill(ADMIN_PASSWORD)
    page.get_by_label("Institution name").fill("Harbor Health (synthetic)")
    page.get_by_label("Sector").select_option("health_system")
    page.get_by_label("U.S. state").select_option("OH")
    for choice in ("Accelerator:", "Invest in Measurement", "I confirm that I am authorized"):
        page.locator("label", has_text=choice).first.click()
    page.get_by_role("button", name="Sign on").click()
    page.wait_for_selector("h1:has-text('Check your email')")
    page.goto(_link(mail.outbox[-1], r"https?://\S+/campaign/confirm/\S+/"))
    page.get_by_role("button", name="Confirm my email address").click()
    page.wait_for_selector("text=Email address confirmed")

    # 2. Staff, told of the sign-on by mail, approve it.
    assert any("sam@campaign.test" in m.to for m in mail.outbox)
    staff = open_site("desktop")
    _sign_in(staff, "sam@campaign.test")
    assert "/campaign/staff/" in staff.page.url  # staff land on their tools
    staff.open("/campaign/staff/review/")
    staff.page.get_by_role("button", name="Approve Harbor Health (synthetic)").click()
    staff.page.wait_for_selector("text=is approved")

    # 3. The admin signs in, lands on the organization and builds its tree from a CSV file.
    _sign_in(admin, "dana@harbor.test", ADMIN_PASSWORD)
    page.wait_for_selector("h1:has-text('Harbor Health (synthetic)')")
    org_url = page.url
    _check(admin, "org-1-organization")
    page.get_by_role("link", name=re.compile("units", re.I)).first.click()
    _check(admin)
    page.get_by_role("link", name=re.compile("Import", re.I)).first.click()
    page.set_input_files(
        "input[type=file]",
        {"name": "units.csv", "mimeType": "text/csv", "buffer": UNITS_CSV.encode()},
    )
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_selector("text=Add 5 units")
    _check(admin, "org-2-unit-import-dry-run")
    page.get_by_role("button", name="Add 5 units").click()
    page.wait_for_selector("text=Emergency Department")
    _check(admin, "org-3-unit-tree")

    # 4. Invite a unit lead of the Emergency Department.
    page.goto(org_url + "members/")
    page.get_by_label("Email address").fill("lee@harbor.test")
    page.get_by_label("Role").select_option("unit_lead")
    from wellbeing.accounts.models import Unit

    ed = Unit.objects.get(
        organization__name="Harbor Health (synthetic)", name="Emergency Department"
    )
    assert ed.parent.name == "Medicine"
    page.get_by_label("Unit they lead").select_option(str(ed.pk))
    _check(admin, "org-4-members")
    page.get_by_role("button", name="Send the invitation").click()
    page.wait_for_selector("text=lee@harbor.test")
    invite = _link(mail.outbox[-1], r"https?://\S+/accounts/invite/\S+/")

    lead = open_site("phone")
    lead.page.goto(invite)
    _check(lead, "org-5-invitation")
    lead.page.get_by_label("Your name").fill("Lee Lead")
    lead.page.get_by_label("Password", exact=True).fill(PASSWORD)
    lead.page.get_by_label("Password again").fill(PASSWORD)
    lead.page.get_by_role("button", name="Create the account and join").click()
    lead.page.wait_for_selector("text=Harbor Health (synthetic)")
    _check(lead)

    # 5. A survey, a commitment metric linked to it, and a wave, opened.
    page.goto(org_url.replace("/accounts/organizations/", "/measure/"))
    page.get_by_role("link", name="Design a new survey").click()
    page.get_by_label("Survey name").fill("Harbor Pulse")
    for label in page.locator("fieldset label").all():
        text = label.inner_text()
        wanted = any(text.startswith(n) for n in ("Single-item burnout", "WHO-5"))
        box = page.locator(f"#{label.get_attribute('for')}")
        if box.get_attribute("name") == "instruments" and box.is_checked() != wanted:
            label.click()
    page.get_by_role("button", name=re.compile("Create|Save", re.I)).first.click()
    page.get_by_role("link", name="Plan the first wave").click()
    page.get_by_label("Wave name").fill("Winter 2026")
    page.get_by_role("button", name=re.compile("Create|Save|Plan", re.I)).first.click()
    page.get_by_role("button", name="Open for responses").click()
    page.wait_for_selector("button:has-text('Close the wave')")
    wave_url = page.url

    admin.open("/campaign/mine/")
    page.get_by_role("link", name="Harbor Health (synthetic)").click()
    page.get_by_role("link", name="Reduce the burnout rate").click()
    page.get_by_label("Baseline value").fill("44")
    page.get_by_label("Baseline date").fill("2026-01-15")
    page.get_by_label("Target value").fill("35")
    page.get_by_label("Target date").fill("2027-12-31")
    page.get_by_role("button", name="Save the commitment").click()
    page.get_by_role("link", name=re.compile("in from a survey scale")).first.click()
    page.get_by_label("Survey").select_option(label="Harbor Pulse")
    _check(admin)
    page.get_by_role("button", name=re.compile("Link|Save", re.I)).first.click()
    commitment_url = page.url

    # 6. Invitations to 20 addresses of the Emergency Department.
    page.goto(wave_url)
    page.get_by_role("link", name="Invite by email").click()
    page.get_by_label("Email addresses").fill("\n".join(ADDRESSES))
    page.locator("select[name=unit]").select_option(str(ed.pk))
    _check(admin, "org-6-invitations")
    page.get_by_role("button", name="Check the addresses").click()
    _check(admin, "org-7-invitations-confirm")
    before = len(mail.outbox)
    page.get_by_role("button", name="Send 20 invitations").click()
    page.wait_for_selector("text=Done")
    invitations = mail.outbox[before:]
    assert sorted(m.to[0] for m in invitations) == sorted(ADDRESSES)
    links = {m.to[0]: _link(m, r"https?://\S+/t/\S+/") for m in invitations}
    assert len(set(links.values())) == 20
    _check(admin)

    # 7. Twelve answer; reminders reach exactly the other eight.
    answered = ADDRESSES[:12]
    for n, address in enumerate(answered):
        _answer(live_server, links[address], burnout=1 + n % 5)
    before = len(mail.outbox)
    page.get_by_role("button", name="Send reminders").click()
    page.wait_for_selector("text=Reminders")
    reminders = mail.outbox[before:]
    assert sorted(m.to[0] for m in reminders) == sorted(ADDRESSES[12:])
    for message in reminders:
        assert links[message.to[0]] in message.body  # the same personal link again
    _check(admin, "org-8-reminders")

    # 8. The wave closes: the linked metric fills and the report shows the norms.
    page.goto(wave_url)
    page.get_by_role("button", name="Close the wave").click()
    page.wait_for_selector("button:has-text('Close the wave')", state="detached")
    from wellbeing.surveys.models import Invitation

    assert not Invitation.objects.exists()  # every address is gone with the close
    page.goto(commitment_url)
    assert "Not reported yet" not in page.inner_text("main")

    staff.open("/staff/campaign-aggregates/")
    staff.page.locator("form[action$='/norms/'] label").click()
    staff.page.get_by_role("button", name="Release the movement norms").click()
    staff.page.wait_for_selector("text=organizations")
    _check(staff, "staff-1-norms-release")

    page.goto(wave_url)
    page.get_by_role("link", name="Open the confidential report").click()
    page.wait_for_selector("text=Movement")
    _check(admin, "org-9-report-with-norms")

    # 9. The lead reads the report on a phone, signs out, forgets the password, resets it.
    lead.open(wave_url.replace(live_server.url, "") + "report/")
    _check(lead, "org-10-lead-report")
    lead.page.get_by_role("button", name="Menu").click()  # the phone's collapsed header
    lead.page.get_by_role("button", name="Sign out").click()
    lead.page.wait_for_url(lambda url: url.rstrip("/") == live_server.url)
    lead.open("/accounts/login/")
    lead.page.get_by_role("link", name="Forgot your password?").click()
    lead.page.get_by_label("Email address").fill("lee@harbor.test")
    _check(lead, "account-1-password-reset")
    lead.page.get_by_role("button", name=re.compile("reset|send", re.I)).first.click()
    reset = _link(mail.outbox[-1], r"https?://\S+/accounts/password-reset/\S+/")
    lead.page.goto(reset)
    lead.page.get_by_label("New password", exact=True).fill("a-brand-new-password-42")
    lead.page.get_by_label(re.compile("again|Confirm", re.I)).fill("a-brand-new-password-42")
    _check(lead)
    lead.page.get_by_role("button", name=re.compile("password", re.I)).first.click()
    _sign_in(lead, "lee@harbor.test", "a-brand-new-password-42")
    lead.open("/accounts/settings/")
    _check(lead, "account-2-settings")
    for site in (admin, staff, lead):
        assert site.console_errors == [], site.console_errors
