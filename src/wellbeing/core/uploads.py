"""Receive an uploaded file in memory only, never in a temporary file.

Django's default upload handlers write a file above ``FILE_UPLOAD_MAX_MEMORY_SIZE``
(2.5 MB) to a temporary file: a crash or a killed worker leaves it on disk, with every
column of the export (names, e-mail and IP addresses of a response export, the addresses
of an invitation list). Every upload the platform reads (response imports, invitation
lists, unit trees) is read whole into memory anyway, so holding it there costs nothing more.
"""

from io import BytesIO

from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest


class MemoryOnlyUploadHandler(FileUploadHandler):
    """Hold the request's files in memory, at most ``limit`` + 1 bytes in all.

    Bytes past the limit are counted but dropped: memory stays bounded, and the file's
    ``size`` is still its real size, so the view refuses it as too large.
    """

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.held = 0  # bytes held, over every file of the request

    def new_file(self, *args: object, **kwargs: object) -> None:
        super().new_file(*args, **kwargs)  # type: ignore[arg-type]
        self.file = BytesIO()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        room = self.limit + 1 - self.held
        if room > 0:
            kept = raw_data[:room]
            self.file.write(kept)
            self.held += len(kept)

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.file.seek(0)
        return InMemoryUploadedFile(
            file=self.file,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=file_size,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
