import re

import pytest
from django.urls import reverse

PUBLIC_PAGES = [
    "core:home",
    "core:about",
    "campaign:index",
    "core:measure",
    "hub:index",
    "engage:index",
    "engage:updates",
    "plan:index",
    "plan:conceptual_model",
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_shows_the_988_crisis_banner(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="crisis-banner"' in html
    assert 'href="tel:988"' in html
    assert "free, confidential and available 24/7" in html


@pytest.mark.django_db
def test_the_not_found_page_keeps_the_crisis_banner(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert 'href="tel:988"' in response.content.decode()


@pytest.mark.django_db
def test_every_page_linked_from_the_home_page_has_the_banner(client):
    """Crawl internal links two levels deep: a page that forgot the base template fails."""
    seen: set[str] = set()
    frontier = ["/"]
    for _depth in range(2):
        nxt = []
        for url in frontier:
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code in (301, 302):
                continue
            assert response.status_code == 200, url
            html = response.content.decode()
            assert 'data-testid="crisis-banner"' in html, url
            nxt += [
                u
                for u in re.findall(r'href="(/[^"#]*)"', html)
                if not u.startswith(("/static/", "/admin/"))
            ]
        frontier = nxt
    assert len(seen) >= 10


@pytest.mark.django_db
def test_home_page_lists_the_seven_priority_areas_in_order(client):
    html = client.get("/").content.decode()
    titles = [
        "Create and Sustain Positive Work and Learning Environments and Culture",
        "Invest in Measurement, Assessment, Strategies, and Research",
        "Support Mental Health and Reduce Stigma",
        "Address Compliance, Regulatory, and Policy Barriers for Daily Work",
        "Engage Effective Technology Tools",
        "Institutionalize Well-Being as a Long-Term Value",
        "Recruit and Retain a Diverse and Inclusive Health Workforce",
    ]
    positions = [html.lower().find(t.lower()) for t in titles]
    assert all(p > 0 for p in positions), positions
    assert positions == sorted(positions)


@pytest.mark.django_db
def test_about_page_states_the_collaboratives_three_goals(client):
    html = client.get(reverse("core:about")).content.decode()
    assert (
        "Raise the visibility of clinician anxiety, burnout, depression, stress, and suicide"
        in html
    )
    assert "Improve baseline understanding of challenges to clinician well-being" in html
    assert "Advance evidence-based, multidisciplinary solutions" in html


@pytest.mark.django_db
def test_pages_send_a_content_security_policy_without_unsafe_inline(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["core:home", "plan:index", "engage:updates", "core:about"])
def test_pages_contain_no_inline_scripts_or_style_attributes(client, name):
    html = client.get(reverse(name)).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, f"inline script on {name}: {tag}"
    assert not re.search(r"\sstyle=\"", html), f"style attribute on {name}"
    assert "<style" not in html


@pytest.mark.django_db
def test_home_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get("/").status_code == 200


def _current_nav(html: str) -> list[str]:
    header = html[html.index("<header") : html.index("</header>")]
    return re.findall(r'usa-current"(?: aria-current="page")?><span>([^<]+)</span>', header)


@pytest.mark.django_db
def test_the_header_marks_the_current_section_and_only_it(client):
    # The header is rendered once per section and language for visitors: each section must
    # still get its own, and a page outside every section none.
    assert _current_nav(client.get(reverse("plan:index")).content.decode()) == ["Plan"]
    assert _current_nav(client.get(reverse("core:about")).content.decode()) == ["About"]
    assert _current_nav(client.get(reverse("engage:updates")).content.decode()) == ["Engage"]
    assert _current_nav(client.get(reverse("core:home")).content.decode()) == []
    assert _current_nav(client.get(reverse("plan:index")).content.decode()) == ["Plan"]


@pytest.mark.django_db
def test_a_signed_in_user_never_gets_a_visitors_header_or_the_reverse(client, org_admin):
    assert "Sign in</a>" in client.get(reverse("core:home")).content.decode()
    client.force_login(org_admin)
    html = client.get(reverse("core:home")).content.decode()
    assert "Sign out</button>" in html and "Sign in</a>" not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token is not None  # the sign-out form carries this user's CSRF token
    client.logout()
    html = client.get(reverse("core:home")).content.decode()
    assert "Sign in</a>" in html and "Sign out" not in html


@pytest.mark.django_db
def test_the_site_chrome_follows_the_language(client):
    english = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    spanish = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Skip to main content" in english and "Return to top" in english
    assert "Return to top" not in spanish
    assert 'href="tel:988"' in spanish
