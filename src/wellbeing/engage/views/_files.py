"""Serving stored uploads through views, so that only what a visitor may see is reachable."""

import mimetypes

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


def serve_file(field: FieldFile, *, download: bool = False) -> FileResponse:
    try:
        handle = field.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    content_type = mimetypes.guess_type(field.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type, as_attachment=download)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
