from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from wellbeing.accounts.middleware import PRIVILEGED
from wellbeing.accounts.permissions import is_staff, organizations_administered_by

register = template.Library()

_INPUT_CLASS = {
    forms.Textarea: "usa-textarea",
    forms.Select: "usa-select",
    forms.CheckboxInput: "usa-checkbox__input",
}


@register.simple_tag
def usa_widget(field: BoundField) -> SafeString:
    """Render a widget with USWDS classes and aria-describedby pointing at hint and error."""
    widget = field.field.widget
    css = next((c for t, c in _INPUT_CLASS.items() if isinstance(widget, t)), "usa-input")
    if field.errors:
        css += f" {css}--error" if css in {"usa-input", "usa-textarea", "usa-select"} else ""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


# The site chrome (crisis banner, header, footer) is on every page. For a visitor who is not
# signed in it depends only on the language and the section of the site, so each variant is
# rendered once per process and reused: on a respondent's final submit this saved about a
# third of the page's rendering. Signed-in users get a fresh rendering every time, never
# memoized: the header holds their sign-out form, its CSRF token and links that depend on
# their roles (staff tools, API tokens), none of which may reach another user.
# The header's language switch is the one per-request part of a visitor's header (it posts
# this page's address and this visitor's CSRF token): the memo keeps LANGUAGE_SLOT in its
# places (one for phones, one for wider screens), and each request puts its own switch there.
SECTIONS = ("plan", "campaign", "measure", "hub", "engage", "about")
_chrome: dict[tuple[str, str, str], SafeString] = {}
HEADER = "core/_header.html"
LANGUAGE_SWITCH = "core/_language.html"
LANGUAGE_SLOT = SafeString("<!--wb:language-switch-->")


def nav_section(path: str) -> str:
    """The top-level section a path belongs to ("" for none), for the header's current item."""
    first = path.lstrip("/").split("/", 1)[0]
    return first if first in SECTIONS else ""


def signed_in_menu(request: Any, user: Any) -> dict[str, object]:
    """What the header offers a signed-in user: staff tools, and their organizations' API tokens.

    Never memoized across requests (it is this user's). A member's pages cost no query:
    the organizations a user administers are looked up only for a privileged session
    that is not staff (``accounts.middleware`` marks it at sign-in), and staff reach the
    tokens of an organization they also run from "My organizations"."""
    staff = is_staff(user)
    session = getattr(request, "session", None)
    privileged = bool(session.get(PRIVILEGED)) if session is not None else True
    admin_of: list[Any] = []
    if privileged and not staff:
        admin_of = list(organizations_administered_by(user).only("slug")[:2])
    return {"menu_staff": staff, "menu_admin_of": admin_of}


def language_switch(context: template.Context) -> SafeString:
    """The header's switch to the other language, which brings the visitor back to this page.

    A plain form posting to Django's ``set_language`` (no script needed): ``next`` is this
    page's path and query string, which ``set_language`` accepts only on this host. The
    choice is kept in the language cookie alone: no session row, nothing stored with a
    survey response."""
    request = context.get("request")
    if request is None:
        return SafeString("")
    values = {"next": request.get_full_path(), "csrf_token": context.get("csrf_token")}
    return SafeString(render_to_string(LANGUAGE_SWITCH, values))


@register.simple_tag(takes_context=True)
def chrome(context: template.Context, template_name: str) -> SafeString:
    """Render a piece of the site chrome, from the per-process memo where it is safe."""
    html = chrome_without_switch(context, template_name)
    if template_name != HEADER:
        return html
    return SafeString(html.replace(LANGUAGE_SLOT, language_switch(context)))


def chrome_without_switch(context: template.Context, template_name: str) -> SafeString:
    """The chrome with ``LANGUAGE_SLOT`` where the header's language switch goes."""
    request = context.get("request")
    section = nav_section(request.path) if request is not None else ""
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    values = {
        "section": section,
        "user": user,
        "request": request,
        "SITE_NAME": context.get("SITE_NAME"),
        "CONTACT_EMAIL": context.get("CONTACT_EMAIL"),
        "csrf_token": context.get("csrf_token"),
        "language_switch": LANGUAGE_SLOT,
    }
    if signed_in or request is None:
        if signed_in and template_name == HEADER:
            values.update(signed_in_menu(request, user))
        return SafeString(render_to_string(template_name, values))
    key = (template_name, get_language() or "", section)
    html = _chrome.get(key)
    if html is None:
        html = _chrome[key] = SafeString(render_to_string(template_name, values))
    return html
