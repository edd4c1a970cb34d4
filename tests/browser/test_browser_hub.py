"""The knowledge hub in a browser: search, filter by two facets, open a case study, save it;
a compendium element, the hub filtered by a conceptual-model factor, and the hub in Spanish.

Synthetic resources (example.org links), created through the hub's actions.
"""

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def hub_world(transactional_db, national_plan):
    from wellbeing.hub import actions
    from wellbeing.hub.models import CompendiumEntry

    def make(slug, title, summary, **fields):
        values = {
            "slug": slug,
            "title": title,
            "summary": summary,
            "kind": fields.pop("kind", "report"),
            "url": f"https://example.org/{slug}",
            "source": "synthetic test data",
            "status": "published",
            **fields,
        }
        case = fields.pop("case_study", None)
        values.pop("case_study", None)
        outcomes = values.pop("outcomes", [])
        factors = values.pop("factors", [])
        resource, _ = actions.upsert_resource(
            values, case_study=case, outcomes=outcomes, factors=factors
        )
        return resource

    make("peer-toolkit", "Peer support toolkit (synthetic)", "Colleagues support each other after hard shifts and burnout.",
         kind="toolkit", professions=["nurse", "physician"], elements=["cultivating-a-culture-of-connection-and-support"],
         evidence="practice-guide", published="2023-04", factors=["organizational-factors"])  # fmt: skip
    make("nurse-staffing", "Nurse staffing and burnout (synthetic)", "Staffing ratios and burnout among nurses.",
         kind="research", professions=["nurse"], care_settings=["hospital"], evidence="observational-study",
         published="2022-01")  # fmt: skip
    efficiency = make(
        "scribe-case",
        "Documentation support in a hospital (synthetic)",
        "Scribes took over notes so nurses and physicians could leave on time, reducing burnout.",
        kind="case-study",
        professions=["nurse", "physician"],
        care_settings=["hospital"],
        elements=["enhancing-workplace-efficiency"],
        published="2021-06",
        case_study={
            "organization": "Example Hospital (synthetic)",
            "setting": "hospital",
            "population": "Ward nurses and physicians",
            "challenge": "Charting after hours",
            "intervention": "Documentation support on every shift",
        },
        outcomes=[{"metric": "Burnout", "before": "50%", "after": "35%", "instrument": "Mini Z"}],
    )
    for i in range(4):
        make(f"filler-{i}", f"Leadership note {i} (synthetic)", "Leaders and burnout.",
             kind="blog", professions=["physician"], published=f"2020-0{i + 1}")  # fmt: skip
    CompendiumEntry.objects.create(
        element="enhancing-workplace-efficiency",
        resource=efficiency,
        order=1,
        note="A worked example.",
    )
    # A citation with a long unbroken address, as on an instrument page.
    make("long-citation", "A resource with a long citation (synthetic)", "Checked at a long address.",
         source="https://example.org/" + "a-very-long-path-segment-without-any-break" * 4)  # fmt: skip


def _count(site) -> str:
    return site.page.get_by_test_id("result-count").inner_text()


def test_search_filter_by_two_facets_open_a_case_study_and_save_it(site, hub_world, live_server):
    from django.test import Client

    from wellbeing.accounts.models import User
    from wellbeing.hub.models import SavedItem

    user = User.objects.create_user(f"{site.viewport}@example.org", "a-long-test-password")
    client = Client()
    client.force_login(user)
    site.page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    site.open("/hub/")
    site.page.fill("#hub-q", "burnout")
    site.page.press("#hub-q", "Enter")
    site.page.wait_for_url("**q=burnout**")
    assert _count(site).startswith("7 resources")

    site.page.wait_for_load_state("networkidle")
    site.page.locator("summary", has_text="Profession").click()  # the group starts folded
    site.page.click('label[for="f-profession-nurse"]')
    site.page.wait_for_url("**profession=nurse**")
    site.page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText.startsWith('3 ')"
    )
    site.page.click('label[for="f-kind-case-study"]')
    site.page.wait_for_url("**kind=case-study**")
    site.page.wait_for_function(
        "document.querySelector('[data-testid=result-count]').innerText.startsWith('1 ')"
    )
    assert "<mark>" in site.page.inner_html("#hub-results")
    assert site.page.is_checked("#f-profession-nurse") and site.page.is_checked(
        "#f-kind-case-study"
    )
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors
    site.screenshot(f"hub-search-{site.viewport}")

    site.page.get_by_role("link", name="Documentation support in a hospital (synthetic)").click()
    site.page.wait_for_url("**/hub/case-studies/scribe-case/")
    assert "Charting after hours" in site.page.inner_text("main")
    assert "Mini Z" in site.page.inner_text("main")
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.screenshot(f"hub-case-study-{site.viewport}")

    site.page.get_by_role("button", name="Save to my list").click()
    site.page.wait_for_selector(".usa-alert--success")
    assert "Saved resources" in site.page.inner_text("main")
    assert SavedItem.objects.filter(saved_list__owner=user, resource__slug="scribe-case").exists()
    site.assert_accessible()


@pytest.mark.parametrize(
    "path",
    [
        "/hub/compendium/",
        "/hub/compendium/enhancing-workplace-efficiency/",
        "/hub/instruments/",
        "/hub/instruments/who5/",
        "/hub/suggest/",
        "/hub/?q=burnuot",
        "/hub/compendium/advancing-organizational-commitment/",
        "/hub/instruments/pes-nwi/",
        "/hub/r/long-citation/",
    ],
)
def test_hub_pages_are_accessible(site, hub_world, path):
    site.open(path)
    site.assert_crisis_banner_visible()
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    assert site.console_errors == [], site.console_errors


def test_search_works_without_javascript(browser, live_server, hub_world):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/hub/")
    page.fill("#hub-q", "staffing")
    page.click("button:has-text('Search')")
    page.wait_for_url("**q=staffing**")
    assert page.get_by_test_id("result-count").inner_text().startswith("1 resource")
    page.click('label[for="f-kind-research"]')
    page.click("button:has-text('Apply filters')")
    page.wait_for_url("**kind=research**")
    assert "Nurse staffing and burnout" in page.inner_text("main")
    context.close()


def test_a_compendium_element_is_labelled_as_our_curation(site, hub_world):
    site.open("/hub/compendium/enhancing-workplace-efficiency/")
    label = site.page.get_by_test_id("curation-label")
    assert "not the National Academy of Medicine's list" in label.inner_text()
    main = site.page.inner_text("main")
    assert "Documentation support in a hospital (synthetic)" in main
    assert "A worked example." in main
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot(f"hub-compendium-element-{site.viewport}")


def test_the_hub_filtered_by_a_factor_names_it_and_clears_it(site, hub_world):
    site.open("/hub/?factor=organizational-factors")
    applied = site.page.get_by_test_id("applied-filters")
    assert "Conceptual-model factor" in applied.inner_text()
    assert site.page.get_by_test_id("result-count").inner_text().startswith("1 resource")
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
    site.screenshot(f"hub-factor-{site.viewport}")
    applied.get_by_role("link", name="Remove").click()
    site.page.wait_for_url("**/hub/")
    assert site.page.get_by_test_id("applied-filters").count() == 0
    assert site.page.get_by_test_id("result-count").inner_text().startswith("8 resources")


@pytest.mark.parametrize("path", ["/hub/?factor=organizational-factors", "/hub/case-studies/scribe-case/",
                                  "/hub/compendium/enhancing-workplace-efficiency/", "/hub/instruments/who5/"])  # fmt: skip
def test_hub_pages_in_spanish(site, hub_world, live_server, path):
    site.page.context.add_cookies(
        [{"name": "django_language", "value": "es", "url": live_server.url}]
    )
    site.open(path)
    assert site.page.get_attribute("html", "lang") == "es"
    site.assert_accessible()
    site.assert_no_horizontal_scroll()
