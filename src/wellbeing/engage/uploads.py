"""Artwork images: decoded with Pillow to prove they are images, re-encoded to drop metadata.

The file name and the browser's content type are ignored; a renamed
executable fails to decode and is refused. Re-encoding writes only pixels, so
EXIF (camera, GPS position, time) never reaches the gallery.
"""

import io
import secrets
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 40_000_000  # larger images are refused before decoding (decompression bombs)


@dataclass(frozen=True)
class CleanImage:
    content: ContentFile
    width: int
    height: int


def max_upload_bytes() -> int:
    return int(settings.ENGAGE_MAX_UPLOAD_BYTES)


def clean_image(upload: UploadedFile) -> CleanImage:
    """Return the image re-encoded without metadata, or raise ``ValidationError`` saying why."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            f"The image is {upload.size / 1_048_576:.1f} MB; the largest accepted is "
            f"{limit / 1_048_576:.0f} MB."
        )
    data = upload.read()
    image = _decode(data)
    fmt = image.format or ""
    image = ImageOps.exif_transpose(image)  # keep the intended orientation once EXIF is gone
    if fmt == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    name = f"{secrets.token_hex(12)}.{ACCEPTED[fmt]}"
    return CleanImage(ContentFile(out.getvalue(), name=name), image.width, image.height)


def _decode(data: bytes) -> Image.Image:
    refused = ValidationError("The file is not a JPEG, PNG or WebP image. Choose an image file.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ACCEPTED:
                raise refused
            if probe.width * probe.height > MAX_PIXELS:
                raise ValidationError(
                    "The image has too many pixels; make it smaller than 40 megapixels."
                )
            probe.verify()  # checks the structure; the probe is unusable afterwards
        image = Image.open(io.BytesIO(data))
        image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise refused from error
    return image
