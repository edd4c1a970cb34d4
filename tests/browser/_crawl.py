"""The whole-site crawl's world, its list of pages and what it looks for in them.

Which pages exist comes from the URL patterns (``tests/ops/_routes.py``); who may read each
one from the authorization matrix (``tests/ops/test_ops_authorization_matrix.py``); the objects
the URLs name from the operations tests' world (``build_world`` in ``tests/ops/conftest.py``),
here built once for the whole crawl. A page is read by the first actor of ``READERS`` the
matrix lets read it, so a new URL pattern joins the crawl as soon as it has a matrix row.
"""

import importlib.util
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType
from urllib.parse import urljoin, urlsplit

OPS = Path(__file__).resolve().parents[1] / "ops"
PASSWORD = "a-long-test-password"
PHONE = {"width": 390, "height": 844}  # the sizes of tests/browser/conftest.py
DESKTOP = {"width": 1280, "height": 900}

# Anonymous visitors (and respondents, who hold a survey link) first, then a member of org A,
# its admin, and campaign staff: the four kinds of reader of the site.
READERS = ("anonymous", "member", "admin_a", "staff")
# Django's admin is not our page; switching the language is a redirect that changes the session.
# The API's public routes are read anonymously; its organization routes take a dashboard's
# bearer token, not a person's session (tests/api covers them).
SKIPPED = ("admin", "set_language")

# Words a finished page never shows (issue #21): placeholders and developer wording.
PLACEHOLDERS = (
    "MISSING",
    "[Demo placeholder",
    "verification.unverified",
    "---------",
    "(optional) (optional)",
    "Careerstage",
)
PLACEHOLDERS_ANY_CASE = ("to be completed",)  # "TO BE COMPLETED", "still to be completed"
# A developer's name for a field or a value (snake_case), outside code: `record_id` in a <code>
# element is an example for the reader; "career_stage" in a sentence is a leak.
SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
# Addresses and file names may hold underscores; they are not names of fields.
ADDRESSES = re.compile(
    r"(?:https?://|www\.)\S+|\S+@\S+|(?:/[\w.-]+)+/?|\S+\.(?:csv|tsv|txt|xlsx|sav|pdf)\b"
)
# Elements whose text the reader does not see as prose: code samples, scripts, styles.
UNREAD = {"code", "pre", "kbd", "samp", "script", "style", "template", "var"}
LABELS = ("alt", "title", "aria-label", "placeholder")
# Links the crawl does not follow: not pages of ours, or a link that would sign the reader out.
NOT_FOLLOWED = ("/admin/", "/static/", "/media/")


def ops_module(name: str) -> ModuleType:
    """A module of tests/ops: ``_routes`` and the matrix by name, ``conftest`` by its path.

    The ops modules import each other by bare name (pytest puts their folder on ``sys.path``
    when it collects them), so the folder goes on the path here too. Every folder's conftest
    is called ``conftest``, so the ops one is loaded from its file under a name of its own.
    """
    if str(OPS) not in sys.path:
        sys.path.insert(0, str(OPS))
    if name != "conftest":
        return importlib.import_module(name)
    spec = importlib.util.spec_from_file_location("ops_world", OPS / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Actors:
    org: object
    other_org: object
    units: dict
    users: dict  # actor name of the matrix -> User


def make_actors() -> Actors:
    """The shared test world's organizations and people (tests/conftest.py), without fixtures."""
    from wellbeing.accounts import actions
    from wellbeing.accounts.models import User

    org = actions.create_organization(
        name="Riverbend Health", kind="health_system", slug="riverbend"
    )
    other_org = actions.create_organization(
        name="Lakeside Clinic", kind="hospital_clinic", slug="lakeside"
    )
    ed = actions.add_unit(organization=org, name="Emergency Department")
    nursing = actions.add_unit(organization=org, name="Nursing")
    icu = actions.add_unit(organization=org, name="Intensive Care Unit", parent=nursing)
    night = actions.add_unit(organization=org, name="ICU Night Team", parent=icu)

    def person(email: str, organization=None, role: str = "", unit=None, **extra):
        user = User.objects.create_user(email, PASSWORD, **extra)
        if organization is not None:
            actions.add_member(organization=organization, user=user, role=role, unit=unit)
        return user

    users = {
        "admin_a": person("alice@riverbend.test", org, "org_admin"),
        "lead": person("lee@riverbend.test", org, "unit_lead", nursing),
        "member": person("casey@riverbend.test", org, "member"),
        "staff": person("sam@campaign.test", is_staff=True),
        "admin_b": person("olu@lakeside.test", other_org, "org_admin"),
        "support": person("sue@campaign.test", is_staff=True),
    }
    units = {"ed": ed, "nursing": nursing, "icu": icu, "night": night}
    return Actors(org, other_org, units, users)


def build_world(actors: Actors):
    """The operations tests' world (one object of every kind a URL names) on these actors."""
    users = actors.users
    return ops_module("conftest").build_world(
        actors.org,
        actors.other_org,
        actors.units,
        users["admin_a"],
        users["staff"],
        users["admin_b"],
        users["support"],
    )


@dataclass(frozen=True)
class Target:
    """One URL of each GET-able pattern, and the actor who reads it."""

    name: str
    url: str
    actor: str


def targets(kwargs: dict) -> tuple[list[Target], list[str]]:
    """Every URL pattern some reader may GET, filled from the world, with its first reader;
    and the URL names the matrix has no row for yet (they cannot be crawled)."""
    routes = ops_module("_routes")
    matrix = ops_module("test_ops_authorization_matrix")
    found, unknown = [], []
    for pattern in routes.patterns():
        route = matrix.EXPECTED.get(matrix.entry_name(pattern))
        if pattern.name.startswith(SKIPPED):
            continue
        if route is None:
            unknown.append(pattern.name)
            continue
        readers = ("anonymous",) if pattern.name.startswith("api:") else READERS
        reader = next((a for a in readers if _readable(route.get[a])), None)
        if route.post is not None or reader is None:
            continue  # POST-only, or no reader may (a bad link's 400; the API's bearer tokens)
        url = routes.url_for(pattern, matrix.arguments(pattern, kwargs))
        found.append(Target(pattern.name, url, reader))
    return found, unknown


def _readable(status) -> bool:
    return isinstance(status, int) and status < 400


class PageText(HTMLParser):
    """What a reader sees of a page (text and labels outside code) and the links it holds."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.prose: list[str] = []
        self.links: list[str] = []
        self.unread: list[str] = []  # the open code-like elements around the parser

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        self.prose.extend(values[name] for name in LABELS if values.get(name))
        if tag in UNREAD:
            self.unread.append(tag)

    def handle_endtag(self, tag):
        if tag in self.unread:
            while self.unread.pop() != tag:
                pass

    def handle_data(self, data):
        if not self.unread and data.strip():
            self.prose.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.prose).split())


def read(html: str) -> PageText:
    page = PageText()
    page.feed(html)
    page.close()
    return page


def unfinished(text: str) -> list[str]:
    """Placeholders and developer names in a page's visible text, each quoted once."""
    found = [p for p in PLACEHOLDERS if p in text]
    found += [p for p in PLACEHOLDERS_ANY_CASE if p in text.lower()]
    names = sorted(set(SNAKE_CASE.findall(ADDRESSES.sub(" ", text))))
    return [repr(f) for f in found] + [f"developer name {n!r}" for n in names]


def internal(href: str, page_url: str) -> str | None:
    """The path and query of a link to one of our pages, or None (another site, a file, admin)."""
    parts = urlsplit(urljoin("http://testserver" + page_url, href))
    if parts.scheme not in {"http", "https"} or parts.netloc != "testserver":
        return None
    if parts.path.startswith(NOT_FOLLOWED) or "logout" in parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class Visit:
    """A page as the test client got it, redirects followed."""

    status: int
    path: str  # where the redirects ended, with the query
    html: str  # "" unless the answer is an HTML page


def visit(client, url: str) -> Visit:
    response = client.get(url, follow=True)
    path = response.request["PATH_INFO"]
    if response.request.get("QUERY_STRING"):
        path += "?" + response.request["QUERY_STRING"]
    is_html = response.get("Content-Type", "").startswith("text/html")
    html = response.content.decode() if is_html and not response.streaming else ""
    return Visit(response.status_code, path, html)


def internal_links(visits: dict) -> dict[tuple[str, str], tuple[str, str]]:
    """Links to our pages not crawled already, per language: {(path, language): (reader, page)}."""
    opened = {(seen.path, lang) for (_, lang), seen in visits.items()}
    opened |= {(target.url, lang) for target, lang in visits}
    links: dict[tuple[str, str], tuple[str, str]] = {}
    for (target, language), seen in visits.items():
        for href in read(seen.html).links if seen.html else ():
            path = internal(href, seen.path)
            if path and (path, language) not in opened:
                links.setdefault((path, language), (target.actor, seen.path))
    return links


def html_pages(visits: dict, language: str, readers=READERS) -> list[Target]:
    """The targets that opened as HTML pages, each final page once (a redirect joins its target)."""
    ended, pages = set(), []
    for (target, lang), seen in visits.items():
        if lang != language or "<html" not in seen.html or seen.status >= 400:
            continue  # a file, a failed page, or a fragment that htmx puts into a page
        if target.actor in readers and seen.path not in ended:
            ended.add(seen.path)
            pages.append(target)
    return pages


class BrowserChecks:
    """Open pages in a few tabs per reader and language, and run axe-core in them at once.

    axe-core takes most of a page's time, in the tab's own renderer process, so it is started
    without waiting and its result read when the tab is next needed: the server renders the
    next pages meanwhile. A page is opened once, at its first width; the tab is resized for the
    others. Each tab is a ``Page`` of tests/browser/conftest.py.
    """

    TABS = 3
    WIDTHS = {"phone": PHONE, "desktop": DESKTOP}

    def __init__(self, browser, base_url: str, cookies, wrap):
        self.browser, self.base_url, self.cookies, self.wrap = browser, base_url, cookies, wrap
        self.tabs: dict[tuple[str, str], list] = {}
        self.todo: dict = {}  # tab -> (where, widths still to check)
        self.running: dict = {}  # tab -> where its axe-core run started
        self.problems: list[str] = []

    def check(self, target: Target, language: str, widths: tuple[str, ...]) -> None:
        """Open ``target`` in ``language`` and check it at each of ``widths``: it opens, it does
        not scroll sideways, and axe-core finds nothing (read later)."""
        tab = self._idle_tab(target.actor, language)
        tab.page.set_viewport_size(self.WIDTHS[widths[0]])
        where = f"{target.name} [{target.actor}, {language}] {target.url}"
        response = tab.page.goto(self.base_url + target.url, wait_until="load")
        if response is None or response.status >= 400:
            self.problems.append(f"{where}: status {response and response.status} in the browser")
        elif target.actor != "anonymous" and "/login/" in tab.page.url:
            self.problems.append(f"{where}: the browser was sent to sign in")
        else:
            self.todo[tab] = (where, list(widths))
            self._next_width(tab)

    def finish(self) -> list[str]:
        for tabs in self.tabs.values():
            for tab in tabs:
                while not self._advance(tab):
                    pass
            tabs[0].page.context.close()
        return self.problems

    def _idle_tab(self, actor: str, language: str):
        if (actor, language) not in self.tabs:
            context = self.browser.new_context(viewport=PHONE)
            context.add_cookies(
                [
                    {"name": name, "value": value, "url": self.base_url}
                    for name, value in self.cookies(actor, language).items()
                ]
            )
            self.tabs[actor, language] = [
                self.wrap(context.new_page(), self.base_url) for _ in range(self.TABS)
            ]
        tabs = self.tabs[actor, language]
        while True:
            tabs.append(tabs.pop(0))  # the tab waited on longest comes first
            for tab in tabs:
                if self._advance(tab):
                    return tab

    def _advance(self, tab) -> bool:
        """Read the tab's finished axe-core run and start its next width; True once idle."""
        where = self.running.pop(tab, None)
        if where is not None:
            for v in tab.started_axe_violations():
                nodes = [n["target"] for n in v["nodes"][:3]]
                self.problems.append(f"{where}: axe {v['id']} ({v['impact']}) at {nodes}")
        if self.todo.get(tab, ("", []))[1]:
            self._next_width(tab)
            return False
        self.todo.pop(tab, None)
        return True

    def _next_width(self, tab) -> None:
        where, widths = self.todo[tab]
        name = widths.pop(0)
        size = self.WIDTHS[name]
        tab.page.set_viewport_size(size)
        scrolled = tab.page.evaluate("document.documentElement.scrollWidth")
        if scrolled > size["width"]:
            self.problems.append(f"{where} [{name}]: {scrolled} px wide, scrolls sideways")
        tab.start_axe()
        self.running[tab] = f"{where} [{name}]"
