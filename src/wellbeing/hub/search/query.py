"""Turn what a visitor typed into terms and phrases that are safe for any backend.

Only runs of letters and digits survive, so quotes, FTS5 operators (AND, NEAR,
column filters, ``*``, ``^``), tsquery operators and SQL fragments become plain
words, and each backend quotes every term itself. Nothing is dropped silently:
a shortened query carries a notice that the page shows.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MIN_PREFIX_CHARS = 3
_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class ParsedQuery:
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    # The last word also matches as a prefix ("burn" finds "burnout") so short
    # queries typed as you go still find something.
    prefix_last: bool = False
    notices: tuple[str, ...] = field(default=(), compare=False)

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    @property
    def text(self) -> str:
        """The query as understood, for display and links."""
        parts = [f'"{" ".join(p)}"' for p in self.phrases] + list(self.words)
        return " ".join(parts)


def parse_query(raw: str) -> ParsedQuery:
    notices: list[str] = []
    raw = (raw or "").strip()
    if len(raw) > MAX_QUERY_CHARS:
        raw = raw[:MAX_QUERY_CHARS]
        notices.append(
            _("Your search was long, so only its first %(n)s characters were used.")
            % {"n": MAX_QUERY_CHARS}
        )
    phrases: list[tuple[str, ...]] = []
    for match in _PHRASE.finditer(raw):
        phrase = tuple(w.lower() for w in _WORD.findall(match.group(1)))
        if phrase:
            phrases.append(phrase)  # a one-word phrase is an exact word (no prefix)
    rest = _PHRASE.sub(" ", raw)
    words = [w.lower() for w in _WORD.findall(rest)]
    budget = MAX_TERMS
    kept_phrases = tuple(phrases[:budget])
    budget -= len(kept_phrases)
    kept_words = tuple(dict.fromkeys(words))[: max(budget, 0)]
    if len(kept_phrases) < len(phrases) or len(kept_words) < len(dict.fromkeys(words)):
        notices.append(
            _("Only the first %(n)s words or phrases of your search were used.") % {"n": MAX_TERMS}
        )
    prefix = bool(kept_words) and len(kept_words[-1]) >= MIN_PREFIX_CHARS and not rest.endswith(" ")
    return ParsedQuery(kept_words, kept_phrases, prefix, tuple(notices))
