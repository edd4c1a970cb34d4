"""WSGI entry point for production servers (gunicorn wellbeing.wsgi).

Importing this module does what a server process would otherwise do on its first requests:
Django's set-up, every URL configuration with the view modules it names, the URL reversing
tables and translation catalogs of each language, the template engine with its tag libraries,
loaders and context processors. gunicorn imports it in its master (``preload_app`` in
``gunicorn_conf``), so a worker forked from the master, a replacement for one that died
included, answers its first request at once (``bench/boot.py``).

Nothing here opens a database connection, creates a cache client or starts a thread
(``tests/core/test_core_startup.py``): a forked worker must not share one with the master.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.template import engines
from django.template.backends.django import DjangoTemplates
from django.urls import URLResolver, get_resolver
from django.utils import translation

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wellbeing.settings")
application = get_wsgi_application()


def _load_urls(resolver: URLResolver) -> None:
    """Import every URL configuration below ``resolver`` and build its reversing tables.

    Django builds the tables on the first ``reverse`` or ``{% url %}``, once per language.
    """
    resolver.reverse_dict  # noqa: B018  # a property: reading it builds the tables
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            _load_urls(pattern)


def _prepare() -> None:
    """Fill what Django fills lazily, per process, on the first requests (see the module)."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # loads the language's catalogs
            _load_urls(get_resolver())
    for backend in engines.all():  # imports every app's template tag libraries
        if isinstance(backend, DjangoTemplates):
            # Properties: reading them imports the loaders and context processors.
            backend.engine.template_loaders  # noqa: B018
            backend.engine.template_context_processors  # noqa: B018


_prepare()
