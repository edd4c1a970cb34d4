"""gunicorn's access log without what would tie a respondent to their visit.

An access log keeps every request's path, query string, address and browser with the time.
For a respondent that is exactly what the survey promises not to record: a personal link's
token (``/t/<token>/``) next to a time joins the token to the visit. ``RedactingLogger``
therefore writes

- respondent paths as ``/t/-``, ``/s/-`` and ``/r/-``, without the address or the browser;
- the single-use links of accounts (an invitation, a password reset, an email change) as
  ``/accounts/invite/-``, ``/accounts/password-reset/-`` and ``/accounts/settings/email/confirm/-``;
- every path without its query string (search terms, ``?step=``, ``?next=``);
- no referer, no cookie and no other request or response header or WSGI variable
  (``%({name}i)s``, ``%({name}o)s``, ``%({name}e)s`` are logged as ``-``).

Use it through ``wellbeing.gunicorn_conf`` (``gunicorn -c python:wellbeing.gunicorn_conf``).
The reverse proxy's own access log needs the same care (docs/operations.md).
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

# The first path segment of the respondent's routes (surveys/urls.py): personal link,
# open link, and the token-free address of a survey in progress. Leading slashes repeat
# in a hand-typed address; PATH_INFO is already percent-decoded (``/%74/`` is ``/t/``).
_RESPONDENT = re.compile(r"^/+([tsr])(?:/|$)")
# Account links whose last segments are a single-use token (accounts/urls.py); the page a
# reset ends on ("sent", "done") carries none and is logged as it is.
_ACCOUNT_TOKEN = re.compile(
    r"^/+accounts/+(invite|password-reset|settings/+email/+confirm)/+(?!(?:sent|done)/*$)[^?]+"
)
# Atoms kept as gunicorn computes them: none of them holds a path, a query or a header.
_KEPT = ("l", "t", "s", "m", "H", "b", "B", "T", "D", "M", "L", "p")


def redacted_path(path: str) -> tuple[str, bool]:
    """The path to log for ``path`` (query string dropped), and whether it is a respondent's."""
    path = path.split("?", 1)[0]
    token = _ACCOUNT_TOKEN.match(path)
    if token is not None:
        return f"/accounts/{re.sub('/+', '/', token.group(1))}/-", False
    match = _RESPONDENT.match(path)
    if match is None:
        return path or "-", False
    return f"/{match.group(1)}/-", True


class RedactingLogger(Logger):
    """A gunicorn logger whose access-log atoms never carry a token, a query or a header."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        full = super().atoms(resp, req, environ, request_time)
        path, respondent = redacted_path(environ.get("PATH_INFO") or "")
        method = environ.get("REQUEST_METHOD") or "-"
        protocol = environ.get("SERVER_PROTOCOL") or "-"
        atoms = {name: full[name] for name in _KEPT if name in full}
        atoms.update(
            {
                "r": f"{method} {path} {protocol}",
                "U": path,
                "q": "-",
                "f": "-",
                # The address and the browser of a respondent are not recorded at all.
                "h": "-" if respondent else full.get("h", "-"),
                "u": "-" if respondent else full.get("u", "-"),
                "a": "-" if respondent else full.get("a", "-"),
            }
        )
        return atoms
