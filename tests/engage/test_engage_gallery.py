"""The art gallery: uploads checked by decoding, alt text, moderation, hosting requests."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from wellbeing.engage.models import Artwork, HostRequest

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _png(size=(40, 30), fmt="PNG", exif=None) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 80, 40))
    kwargs = {"exif": exif} if exif is not None else {}
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def _form(**overrides):
    values = {
        "title": "Night shift",
        "artist_name": "R. Rivera",
        "location": "Omaha, NE",
        "perspective": "clinician",
        "medium": "image",
        "alt_text": "An orange square at dusk.",
        "media_url": "",
        "writing": "",
        "statement": "What the hours after midnight feel like.",
        "licence": "cc-by-4.0",
        "consent_to_publish": "on",
        "contact_email": "rivera@example.org",
    }
    return {**values, **overrides}


def _submit(client, data, image_bytes=None, name="work.png", content_type="image/png"):
    if image_bytes is not None:
        data["image_file"] = SimpleUploadedFile(name, image_bytes, content_type=content_type)
    return client.post(reverse("engage:gallery_submit"), data)


def test_it_stores_a_valid_image_submission_for_review(client):
    response = _submit(client, _form(), _png())
    assert response.status_code == 302
    work = Artwork.objects.get()
    assert work.status == "submitted"
    assert (work.image_width, work.image_height) == (40, 30)
    assert work.image.name.endswith(".png")


def test_it_refuses_a_renamed_executable(client):
    fake = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200  # a Windows executable's header
    response = _submit(client, _form(), fake, name="picture.png", content_type="image/png")
    assert response.status_code == 400
    assert b"The file is not a JPEG, PNG or WebP image" in response.content
    assert Artwork.objects.count() == 0


def test_it_refuses_an_image_format_outside_the_list(client):
    response = _submit(client, _form(), _png(fmt="GIF"), name="anim.gif", content_type="image/gif")
    assert response.status_code == 400
    assert Artwork.objects.count() == 0


def test_it_refuses_an_image_above_the_size_limit(client, settings):
    settings.ENGAGE_MAX_UPLOAD_BYTES = 1024
    response = _submit(client, _form(), _png(size=(400, 400)) + b"\x00" * 2048)
    assert response.status_code == 400
    assert b"too large" in response.content
    assert Artwork.objects.count() == 0


def test_every_image_requires_alt_text(client):
    response = _submit(client, _form(alt_text="  "), _png())
    assert response.status_code == 400
    assert b"Describe the image in alternative text." in response.content
    assert Artwork.objects.count() == 0


def test_the_database_refuses_an_image_without_alt_text(db):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Artwork.objects.create(
            title="t",
            artist_name="a",
            perspective="other",
            medium="image",
            image="x.png",
            alt_text="",
            statement="s",
            licence="cc-by-4.0",
            contact_email="a@example.org",
        )


def test_it_strips_exif_and_gps_from_uploaded_images(client):
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    exif.get_ifd(0x8825).update({1: "N", 2: (41.0, 15.0, 0.0)})  # GPS latitude
    original = _png(fmt="JPEG", exif=exif.tobytes())
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload carries GPS
    _submit(client, _form(), original, name="photo.jpg", content_type="image/jpeg")
    work = Artwork.objects.get()
    with work.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
    assert stored.format == "JPEG"
    assert dict(stored.getexif()) == {}


def test_it_requires_consent_to_publish(client):
    data = _form()
    del data["consent_to_publish"]
    response = _submit(client, data, _png())
    assert response.status_code == 400
    assert b"Tick the box to agree to publication" in response.content


def test_audio_and_video_are_accepted_as_links_only(client):
    response = _submit(client, _form(medium="video", alt_text="", media_url=""))
    assert response.status_code == 400
    assert b"Give the link to the audio or video." in response.content
    response = _submit(
        client, _form(medium="video", alt_text="", media_url="https://video.example.org/poem")
    )
    assert response.status_code == 302
    assert Artwork.objects.get().image.name == ""


def test_writing_is_accepted_without_an_image(client):
    response = _submit(client, _form(medium="writing", alt_text="", writing="A poem\nin two lines"))
    assert response.status_code == 302


@pytest.fixture
def submitted(client):
    _submit(client, _form(), _png())
    return Artwork.objects.get()


def test_unmoderated_works_and_their_images_are_not_public(client, submitted):
    assert b"Night shift" not in client.get(reverse("engage:gallery_index")).content
    assert client.get(reverse("engage:gallery_work", args=[submitted.pk])).status_code == 404
    assert client.get(reverse("engage:gallery_image", args=[submitted.pk])).status_code == 404


def test_staff_approve_a_work_and_it_becomes_public(
    client, submitted, staff_curator, django_capture_on_commit_callbacks
):
    client.force_login(staff_curator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("engage:gallery_staff_decide", args=[submitted.pk, "approve"])
        )
    assert response.status_code == 302
    client.logout()
    page = client.get(reverse("engage:gallery_index")).content.decode()
    assert "Night shift" in page
    assert 'alt="An orange square at dusk."' in page
    image = client.get(reverse("engage:gallery_image", args=[submitted.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert mail.outbox[-1].to == ["rivera@example.org"]


def test_a_declined_work_stays_hidden(client, submitted, staff_curator):
    client.force_login(staff_curator)
    client.post(
        reverse("engage:gallery_staff_decide", args=[submitted.pk, "decline"]),
        {"note": "Off topic"},
    )
    client.logout()
    assert client.get(reverse("engage:gallery_work", args=[submitted.pk])).status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "clinician", "org_admin"])
def test_moderation_refuses_everyone_but_staff(client, submitted, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("engage:gallery_staff")).status_code == 404
    response = client.post(reverse("engage:gallery_staff_decide", args=[submitted.pk, "approve"]))
    assert response.status_code == 404
    submitted.refresh_from_db()
    assert submitted.status == "submitted"


def test_the_gallery_filters_by_kind_and_maker(client, db):
    from wellbeing.engage.actions.gallery import ArtworkSubmission, submit_artwork

    for title, medium, perspective in [
        ("Poem", "writing", "patient"),
        ("Song", "audio", "clinician"),
    ]:
        work = submit_artwork(
            ArtworkSubmission(
                title=title,
                artist_name="x",
                location="",
                perspective=perspective,
                medium=medium,
                alt_text="",
                media_url="https://a.example.org/x" if medium == "audio" else "",
                writing="words" if medium == "writing" else "",
                statement="s",
                licence="cc-by-4.0",
                consent_to_publish=True,
                contact_email="x@example.org",
            )
        )
        Artwork.objects.filter(pk=work.pk).update(status="approved")
    page = client.get(reverse("engage:gallery_index"), {"medium": "writing"}).content.decode()
    assert "Poem" in page and "Song" not in page
    page = client.get(
        reverse("engage:gallery_index"), {"perspective": "clinician"}
    ).content.decode()
    assert "Song" in page and "Poem" not in page
    page = client.get(reverse("engage:gallery_index"), {"medium": "<script>"}).content.decode()
    assert "Song" in page and "Poem" in page


def _host_form(**overrides):
    start = timezone.localdate() + dt.timedelta(days=60)
    values = {
        "institution": "Plains Medical Library",
        "venue": "Reading room, 2nd floor",
        "location": "Omaha, NE",
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(days=10)).isoformat(),
        "contact_name": "Jo Lee",
        "contact_email": "jo@example.org",
        "contact_phone": "",
        "programming": "Three facilitated discussions.",
    }
    return {**values, **overrides}


def test_a_host_request_is_stored_and_acknowledged(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engage:gallery_host"), _host_form())
    assert response.status_code == 302
    assert HostRequest.objects.get().status == "received"
    assert mail.outbox[-1].to == ["jo@example.org"]


def test_a_host_request_with_dates_backwards_is_refused(client):
    start = timezone.localdate() + dt.timedelta(days=60)
    response = client.post(
        reverse("engage:gallery_host"),
        _host_form(ends_on=(start - dt.timedelta(days=1)).isoformat()),
    )
    assert response.status_code == 400
    assert b"The last day must be on or after the first day." in response.content
    assert HostRequest.objects.count() == 0


def test_staff_move_a_host_request_through_the_workflow(client, staff_curator):
    client.post(reverse("engage:gallery_host"), _host_form())
    host = HostRequest.objects.get()
    client.force_login(staff_curator)
    url = reverse("engage:gallery_staff_hosting_move", args=[host.pk])
    client.post(url, {"status": "scheduled", "note": "Crates ship on the 1st."})
    host.refresh_from_db()
    assert host.status == "scheduled" and "Crates ship" in host.staff_note
    client.post(url, {"status": "received"})  # not an allowed move
    host.refresh_from_db()
    assert host.status == "scheduled"
    assert b"Plains Medical Library" in client.get(reverse("engage:gallery_staff_hosting")).content


def test_the_hosting_workflow_refuses_non_staff(client, clinician):
    client.post(reverse("engage:gallery_host"), _host_form())
    host = HostRequest.objects.get()
    client.force_login(clinician)
    assert client.get(reverse("engage:gallery_staff_hosting")).status_code == 404
    assert (
        client.post(
            reverse("engage:gallery_staff_hosting_move", args=[host.pk]), {"status": "scheduled"}
        ).status_code
        == 404
    )
    host.refresh_from_db()
    assert host.status == "received"
