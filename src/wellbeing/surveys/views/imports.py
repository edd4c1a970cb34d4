"""Importing a file of responses into a wave (org admins): upload, map, check, import.

Every step is a page that works without JavaScript; the import's progress bar updates
with htmx while the background task runs. The upload is received in memory only
(``core.uploads``), never in a temporary file.
"""

import json
import os
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from wellbeing.accounts.models import Membership, Organization, User
from wellbeing.accounts.permissions import get_org_for_user
from wellbeing.core.uploads import MemoryOnlyUploadHandler
from wellbeing.surveys import actions, scoring
from wellbeing.surveys.imports import completeness, presets, run
from wellbeing.surveys.imports.codes import ITEMS, MAX_LISTED
from wellbeing.surveys.imports.formats import KEPT, MAX_BYTES, FileError, Table
from wellbeing.surveys.imports.mapping import Checked, Mapping
from wellbeing.surveys.imports.models import ImportJob
from wellbeing.surveys.models import Wave
from wellbeing.surveys.queries import wave_for_org
from wellbeing.surveys.questions import DEMOGRAPHICS

ADMIN = Membership.Role.ORG_ADMIN
SAMPLE_ROWS = 3
MAX_BLOCKS = 100  # answer scales, the unit and demographic questions read from one post
# How each tool writes an answer, said above the tables of values to confirm.
NUMBERING = {
    "qualtrics": "Qualtrics writes a choice's recode value: 1, 2, 3… in the order the choices"
    " were created (usually the order shown), unless they were changed under “Recode values”."
    " With “Use choice text” it writes the choice's text.",
    "redcap": "REDCap writes the code typed before each choice in the field's settings"
    " (“0, At no time”): the project's data dictionary lists them. A labels export writes"
    " the choices' text.",
    "limesurvey": "LimeSurvey writes each answer's code as set in the question's answer"
    " options (often A1, A2, …), or with “Full answers” the answer's text.",
    "plain": "Check the tool's codebook for what each value stands for.",
}


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


def _mapping_from_post(request: HttpRequest, wave: Wave, job: ImportJob) -> Mapping:
    post = request.POST
    items = {}
    for instrument_id in wave.version.instruments:
        instrument = scoring.get_instrument(instrument_id)
        items[instrument_id] = _run_of_columns(request, instrument_id, instrument.n_items) or [
            post.get(f"item__{instrument_id}__{item.id}", "") for item in instrument.items
        ]
    keys = [k for k in post.getlist("key_columns") if k]
    demographics = {
        name: post.get(f"demo__{name}", "")
        for name in wave.version.demographics
        if name in DEMOGRAPHICS
    }
    codes, readings, confirmed = _answers_from_post(request, job)
    return Mapping(
        items=items,
        key_columns=keys,
        unit_column=post.get("unit_column", ""),
        demographics={k: v for k, v in demographics.items() if v},
        recode=post.get("recode", "")[:20_000],
        codes=codes,
        readings=readings,
        confirmed=confirmed,
    )


def _run_of_columns(request: HttpRequest, instrument_id: str, n_items: int) -> list[str] | None:
    """The run of columns chosen for all of an instrument's items at once, if any."""
    try:
        run_of = json.loads(request.POST.get(f"group__{instrument_id}", "") or "null")
    except ValueError:
        return None
    if (
        isinstance(run_of, list)
        and len(run_of) == n_items
        and all(isinstance(c, str) for c in run_of)
    ):
        return run_of
    return None


def _json_list(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [c for c in value if isinstance(c, str)] if isinstance(value, list) else []


def _answers_from_post(request: HttpRequest, job: ImportJob) -> tuple[dict, dict, dict]:
    """What the person said in the tables of values: an answer for each value, the
    numbering chosen for a scale, and the columns each answer scale was confirmed for.

    A page shown without the tables (opened again after a check) keeps what was said at
    the last check: a confirmation holds only for the columns it was given, so a changed
    mapping is asked about again."""
    post = request.POST
    if "block-0-key" not in post and job.mapping:
        kept = Mapping.from_json(job.mapping)
        return kept.codes, kept.readings, kept.confirmed
    codes: dict[str, dict[str, str]] = {}
    readings: dict[str, str] = {}
    confirmed: dict[str, list[str]] = {}
    for i in range(MAX_BLOCKS):
        key = post.get(f"block-{i}-key")
        if not key:
            break
        chosen = {}
        for j in range(MAX_LISTED):
            value = post.get(f"block-{i}-value-{j}")
            if value is None:
                break
            if answer := post.get(f"block-{i}-answer-{j}", ""):
                chosen[value] = answer
        codes[key] = chosen
        if reading := post.get(f"block-{i}-reading", ""):
            readings[key] = reading
        if post.get(f"block-{i}-confirm") == "1":
            confirmed[key] = _json_list(post.get(f"block-{i}-columns", ""))
    return codes, readings, confirmed


def _blocks(checked: Checked) -> list[dict]:
    """The tables of values as the page shows them: an answer list where the person may
    choose (every value of an answer scale; a unit or demographic value not matched by
    name), the matched name otherwise. Only the lists are posted back, numbered in turn."""
    out = []
    for index, block in enumerate(checked.blocks):
        rows, field = [], 0
        for found in block.listed:
            select = block.kind == ITEMS or not found.proposed or found.chosen != found.proposed
            label = block.choice_label(found.chosen) if found.chosen else ""
            rows.append({"found": found, "field": field if select else None, "answer": label})
            field += select
        out.append(
            {
                "block": block,
                "index": index,
                "columns": json.dumps(block.columns),
                "rows": rows,
                "labelled": any(found.label for found in block.values),
            }
        )
    return out


def _choices_from_post(request: HttpRequest) -> completeness.Choices:
    post = request.POST
    return completeness.Choices(
        include_incomplete=post.get("include_incomplete") == "1",
        event=post.get("event", "")[:200],
        repeat=post.get("repeat", "")[:200],
    )


def _rows_context(job: ImportJob, table: Table, choices: completeness.Choices) -> dict:
    """What the page says and asks about the file's rows: how it was read, the events and
    repeats it holds, and the rows the last check left out."""
    return {
        "choices": choices,
        "time_points": completeness.time_points(table.markers),
        "left_out": completeness.left_out_sentence(job.left_out) if job.left_out else "",
    }


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
        runs = presets.column_runs(table.columns, instrument.n_items)
        instruments.append(
            {
                "id": instrument_id,
                "name": instrument.name,
                "items": rows,
                "groups": [{"value": json.dumps(r), "first": r[0], "last": r[-1]} for r in runs],
            }
        )
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
    choices = completeness.Choices.from_json(job.choices)
    if request.method == "POST":
        mapping = _mapping_from_post(request, wave, job)
        choices = _choices_from_post(request)
        try:
            checked = run.dry_run(
                job=job, mapping=mapping, actor=cast(User, request.user), choices=choices
            )
        except FileError as error:  # cleared by housekeeping since the page was read
            context["file_error"] = str(error)
            return render(request, "surveys/imports/map.html", context, status=400)
        except ValueError as error:
            context["mapping_error"] = str(error)
            status = 400
        else:
            context["checked"] = checked
            context["blocks"] = _blocks(checked)
            context["numbering"] = NUMBERING.get(job.preset, "")
            context["valid_rows"] = checked.n_rows - checked.error_rows
            status = 200 if checked.ok else 400
            table = run.table_of(job)  # only the mapped columns are kept from now on
    elif job.mapping:
        mapping = Mapping.from_json(job.mapping)
    else:
        mapping = run.suggested_mapping(job, table)
    context.update(_fields(wave, mapping, table))
    context.update(_rows_context(job, table, choices))
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
    valid_rows_only = request.POST.get("valid_rows_only") == "1"
    try:
        run.start(job=job, actor=cast(User, request.user), valid_rows_only=valid_rows_only)
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
        "left_out": completeness.left_out_sentence(job.left_out) if job.left_out else "",
        # Only the person who uploaded the file may download the rows left out of it.
        "rejected_url": _rejected_url(request, org, wave, job),
    }
    template = (
        "surveys/imports/_progress.html"
        if request.headers.get("HX-Request")
        else "surveys/imports/job.html"
    )
    return render(request, template, context)


def _rejected_url(request: HttpRequest, org: Organization, wave: Wave, job: ImportJob) -> str:
    if job.rejected is None or job.created_by_id != request.user.pk:
        return ""
    return reverse("surveys:import_rejected", args=[org.slug, wave.pk, job.pk])


@login_required
def import_rejected(request: HttpRequest, slug: str, pk: int, job_pk: int) -> HttpResponse:
    """The rows a partial import left out, as CSV with a reason each: the file's own rows
    (mapped columns only), for the admin who uploaded it, until housekeeping deletes them
    24 hours after the import. Anyone else, and a deleted file, meet 404."""
    _org, wave = _admin_wave(request, slug, pk)
    job = (
        ImportJob.objects.filter(wave=wave, pk=job_pk, created_by=request.user)
        .exclude(rejected=None)
        .only("pk", "filename", "rejected")
        .first()
    )
    if job is None:
        raise Http404("No rows left out of this import are kept.")
    stem = os.path.splitext(os.path.basename(job.filename))[0] or "import"
    response = HttpResponse(bytes(job.rejected), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{stem}-rows-not-imported.csv"
    )
    response["Cache-Control"] = "no-store"
    return response
