"""Importing a file of responses into a wave (org admins): upload, map, check, import.

Every step is a page that works without JavaScript; the import's progress bar updates
with htmx while the background task runs. The upload is received in memory only
(``core.uploads``), never in a temporary file.
"""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, Organization, User
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.core.uploads import MemoryOnlyUploadHandler
from wellbeing.surveys import actions, scoring
from wellbeing.surveys.imports import presets, run
from wellbeing.surveys.imports.formats import KEPT, MAX_BYTES, FileError, Table
from wellbeing.surveys.imports.mapping import Mapping
from wellbeing.surveys.imports.models import ImportJob
from wellbeing.surveys.models import Wave
from wellbeing.surveys.queries import wave_for_org
from wellbeing.surveys.questions import DEMOGRAPHICS

ADMIN = Membership.Role.ORG_ADMIN
SAMPLE_ROWS = 3


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File of responses",
        help_text="CSV, Excel (.xlsx) or SPSS (.sav), up to 50 MB, one row per response.",
        error_messages={"required": "Choose a file to upload."},
    )
    preset = forms.ChoiceField(
        label="Exported from",
        choices=[
            ("auto", "Work it out from the columns"),
            *((k, p.name) for k, p in presets.PRESETS.items()),
        ],
        initial="auto",
    )


def _admin_wave(request: HttpRequest, slug: str, pk: int) -> tuple[Organization, Wave]:
    org = get_org_for_user(cast(User, request.user), slug, min_role=ADMIN)
    return org, wave_for_org(org, pk)


def _job(wave: Wave, job_pk: int) -> ImportJob:
    job = ImportJob.objects.filter(wave=wave, pk=job_pk).first()
    if job is None:
        raise Http404("No such import.")
    return job


@csrf_exempt  # checked by csrf_protect below, once the upload handlers are set
@login_required
def import_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The upload step. The file is received in memory only: Django's default handlers
    write a large upload to a temporary file, which a crash would leave on disk. The
    handlers must be set before the body is read, and the CSRF check reads it, hence
    the check after this point rather than in the middleware. Only an admin's request
    gets as far as reading the body."""
    org, wave = _admin_wave(request, slug, pk)
    request.upload_handlers = [MemoryOnlyUploadHandler(request, limit=MAX_BYTES)]
    return _upload(request, org, wave)


@csrf_protect
def _upload(request: HttpRequest, org: Organization, wave: Wave) -> HttpResponse:
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"org": org, "wave": wave, "survey": wave.survey, "form": form}
    context["jobs"] = ImportJob.objects.filter(wave=wave).defer("content")[:20]
    try:
        actions.check_importable(wave)
    except actions.OriginRefused as refused:
        # Said before anyone picks a file; a POST gets the same answer.
        context["refused"] = str(refused)
        return render(
            request,
            "surveys/imports/upload.html",
            context,
            status=409 if request.method == "POST" else 200,
        )
    if request.method != "POST":
        return render(request, "surveys/imports/upload.html", context)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            form.add_error("file", f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
        else:
            try:
                job = run.upload(
                    wave=wave,
                    filename=upload.name,
                    content=upload.read(),
                    preset=form.cleaned_data["preset"],
                    actor=cast(User, request.user),
                )
            except FileError as error:
                form.add_error("file", str(error))
            else:
                return redirect("surveys:import_map", org.slug, wave.pk, job.pk)
    return render(request, "surveys/imports/upload.html", context, status=400)


def _mapping_from_post(request: HttpRequest, wave: Wave) -> Mapping:
    post = request.POST
    items = {}
    for instrument_id in wave.version.instruments:
        instrument = scoring.get_instrument(instrument_id)
        items[instrument_id] = [
            post.get(f"item__{instrument_id}__{item.id}", "") for item in instrument.items
        ]
    keys = [k for k in post.getlist("key_columns") if k]
    demographics = {
        name: post.get(f"demo__{name}", "")
        for name in wave.version.demographics
        if name in DEMOGRAPHICS
    }
    return Mapping(
        items=items,
        key_columns=keys,
        unit_column=post.get("unit_column", ""),
        demographics={k: v for k, v in demographics.items() if v},
        recode=post.get("recode", "")[:20_000],
    )


def _fields(wave: Wave, mapping: Mapping, table: Table) -> dict:
    instruments = []
    for instrument_id in wave.version.instruments:
        instrument = scoring.get_instrument(instrument_id)
        chosen = mapping.items.get(instrument_id) or [""] * instrument.n_items
        rows = [
            {
                "name": f"item__{instrument_id}__{item.id}",
                "label": f"Item {n}: {item.text or item.id}",
                "chosen": column,
                "codes": ", ".join(
                    f"{o.code}{' = ' + o.label if o.label else ''}" for o in item.option_set.options
                ),
            }
            for n, (item, column) in enumerate(zip(instrument.items, chosen, strict=True), start=1)
        ]
        instruments.append({"id": instrument_id, "name": instrument.name, "items": rows})
    demographics = [
        {
            "name": f"demo__{name}",
            "label": str(DEMOGRAPHICS[name].label),
            "chosen": mapping.demographics.get(name, ""),
            "keys": ", ".join(k for k, _ in DEMOGRAPHICS[name].choices),
        }
        for name in wave.version.demographics
        if name in DEMOGRAPHICS
    ]
    samples = [
        {
            "column": c,
            "values": [str(v) for v in table.data[c].head(SAMPLE_ROWS).tolist()],
            "labels": table.value_labels.get(c, {}),
        }
        for c in table.columns
    ]
    return {"instruments": instruments, "demographics": demographics, "samples": samples}


@login_required
def import_map(request: HttpRequest, slug: str, pk: int, job_pk: int) -> HttpResponse:
    """The mapping step; posting it runs the dry run and shows its row-level errors."""
    org, wave = _admin_wave(request, slug, pk)
    job = _job(wave, job_pk)
    if job.status not in (ImportJob.Status.UPLOADED, ImportJob.Status.CHECKED):
        return redirect(job)
    context: dict = {"org": org, "wave": wave, "survey": wave.survey, "job": job}
    try:
        table = run.table_of(job)
    except FileError as error:
        context["file_error"] = str(error)
        return render(request, "surveys/imports/map.html", context, status=400)
    status = 200
    if request.method == "POST":
        mapping = _mapping_from_post(request, wave)
        try:
            checked = run.dry_run(job=job, mapping=mapping, actor=cast(User, request.user))
        except FileError as error:  # cleared by housekeeping since the page was read
            context["file_error"] = str(error)
            return render(request, "surveys/imports/map.html", context, status=400)
        except ValueError as error:
            context["mapping_error"] = str(error)
            status = 400
        else:
            context["checked"] = checked
            status = 200 if checked.ok else 400
            table = run.table_of(job)  # only the mapped columns are kept from now on
    elif job.mapping:
        mapping = Mapping.from_json(job.mapping)
    else:
        mapping = run.suggested_mapping(job, table)
    context.update(_fields(wave, mapping, table))
    context.update(
        {
            "mapping": mapping,
            "columns": table.columns,
            "metadata": [c for c in table.columns if presets.is_metadata(job.preset, c)],
            "preset_name": presets.PRESETS[job.preset].name,
            "rows": table.n_rows,
            "kept": job.format == KEPT,
        }
    )
    return render(request, "surveys/imports/map.html", context, status=status)


@login_required
@require_POST
def import_start(request: HttpRequest, slug: str, pk: int, job_pk: int) -> HttpResponse:
    org, wave = _admin_wave(request, slug, pk)
    job = _job(wave, job_pk)
    try:
        run.start(job=job, actor=cast(User, request.user))
    except actions.OriginRefused as refused:
        messages.error(request, str(refused))
        return redirect("surveys:import_map", org.slug, wave.pk, job.pk)
    except ValueError:
        return redirect("surveys:import_map", org.slug, wave.pk, job.pk)
    return redirect(job)


@login_required
def import_job(request: HttpRequest, slug: str, pk: int, job_pk: int) -> HttpResponse:
    """The import's status: a progress bar while it runs (polled by htmx), then the outcome."""
    org, wave = _admin_wave(request, slug, pk)
    job = _job(wave, job_pk)
    done = run.processed(job)
    percent = (
        100
        if job.status == ImportJob.Status.DONE
        else (int(100 * done / job.total_rows) if job.total_rows else 0)
    )
    context = {
        "org": org,
        "wave": wave,
        "survey": wave.survey,
        "job": job,
        "done": done,
        "percent": percent,
    }
    template = (
        "surveys/imports/_progress.html"
        if request.headers.get("HX-Request")
        else "surveys/imports/job.html"
    )
    return render(request, template, context)
