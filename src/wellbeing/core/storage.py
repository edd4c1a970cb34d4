"""Static file storage whose URLs are worked out once per name and process.

Every page asks for the same handful of static URLs (stylesheets, scripts, icons); with
plain ``StaticFilesStorage`` each ``{% static %}`` joins and quotes the path again. The
files and ``STATIC_URL`` do not change while a process runs, so the answer is kept.
"""

from django.contrib.staticfiles.storage import StaticFilesStorage


class StaticStorage(StaticFilesStorage):
    _urls: dict[str, str]

    def url(self, name: str | None) -> str:
        if name is None:
            return super().url(name)
        urls = self.__dict__.setdefault("_urls", {})
        found = urls.get(name)
        if found is None:
            found = urls[name] = super().url(name)
        return found
