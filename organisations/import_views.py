"""Importing staff from a CSV: upload and dry run, the job's page (preview, progress,
result) and its problems as a CSV. The rules are in organisations.staff_import."""

from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from improvewell.http import csv_response

from . import permissions, staff_csv
from . import staff_import as imports
from .forms import StaffImportForm
from .models import ImportJob, Profession
from .permissions import privileged

PROBLEMS_SHOWN = 100


# The multipart parts other than the file (the token, the mode, boundaries) take a few
# hundred bytes; a request longer than the largest file allowed and this is refused unread.
UPLOAD_OVERHEAD = 64 * 1024


# A refused body is read and thrown away up to this much, so that the browser, still
# sending, gets the page rather than a reset connection; beyond it, the proxy's limit
# (deployment.md) or a reset is the answer.
DISCARD_AT_MOST = 8 * staff_csv.MAX_BYTES


def _declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django refuses a malformed length when it reads the body


def _discard_body(request, length: int) -> None:
    """Read the body in small pieces and keep none of it: no parsing, no temporary file."""
    remaining = min(length, DISCARD_AT_MOST)
    while remaining > 0 and (chunk := request.read(min(remaining, 64 * 1024))):
        remaining -= len(chunk)


# Exempt here only so that an upload too large is refused before anything reads its
# body: CSRF middleware would read (and store) all of it to look for the token. Every
# request that goes on is checked by csrf_protect below, as the middleware would.
@csrf_exempt
@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def staff_import(request, org_slug):
    length = _declared_length(request) if request.method == "POST" else 0
    if length > staff_csv.MAX_BYTES + UPLOAD_OVERHEAD:
        # Refused from its stated length, before the file is parsed or stored; the form's
        # check after reading stays for a request that does not say its length.
        _discard_body(request, length)
        return _upload_page(request, StaffImportForm.too_large(), status=413)
    return _staff_import(request, org_slug)


@csrf_protect
def _staff_import(request, org_slug):
    posted = request.method == "POST"
    form = StaffImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        job = imports.staff_import_check(
            member=request.membership,
            file_name=form.cleaned_data["file"].name,
            text=form.cleaned_data["text"],
            mode=form.cleaned_data["mode"],
        )
        return redirect("organisations:staff_import_job", org_slug=org_slug, import_job_id=job.pk)
    return _upload_page(request, form, status=400 if form.errors else 200)


def _upload_page(request, form, *, status):
    recent = ImportJob.objects.filter(organisation=request.organisation).select_related(
        "created_by"
    )[:5]
    return render(
        request,
        "organisations/import/upload.html",
        {"form": form, "recent": recent, "staff_groups": Profession.labels},
        status=status,
    )


def _job(request, import_job_id) -> ImportJob:
    return get_object_or_404(
        ImportJob.objects.select_related("created_by", "applied_by"),
        organisation=request.organisation,
        pk=import_job_id,
    )


@privileged(permissions.can_manage_organisation)
@require_http_methods(["GET", "POST"])
def staff_import_job(request, org_slug, import_job_id):
    """The dry run's preview and the apply button; then the progress, polled every 2 s."""
    job = _job(request, import_job_id)
    if request.method == "POST":
        imports.staff_import_start(member=request.membership, job=job)
        return redirect("organisations:staff_import_job", org_slug=org_slug, import_job_id=job.pk)
    done = imports.progress_of(job)
    context = {
        "job": job,
        "done": done,
        "percent": round(100 * done / job.total) if job.total else 0,
        "errors": job.errors[:PROBLEMS_SHOWN],
        "notes": job.notes[:PROBLEMS_SHOWN],
        "more_problems": max(len(job.errors), len(job.notes)) > PROBLEMS_SHOWN,
    }
    template = "_job.html" if request.htmx else "job.html"
    return render(request, f"organisations/import/{template}", context)


@privileged(permissions.can_manage_organisation)
def staff_import_problems(request, org_slug, import_job_id):
    """Every problem and note of a job, to fix in the spreadsheet (cells never run as formulas)."""
    job = _job(request, import_job_id)  # another organisation's job: 404 whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    rows = [["Problem", message] for message in job.errors]
    rows += [["Note", message] for message in job.notes]
    return csv_response(
        f"staff-import-problems-{job.created_at:%Y-%m-%d}.csv", ["Kind", "What"], rows
    )
