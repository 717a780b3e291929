"""Admin upload (staff only, wrapped in admin.site.admin_view in urls.py) and the public download
of an article's original file. Views are glue: storing and reading files is archive.ingest.jobs'
job (in the background), identity archive.ingest.identity's, saving archive.ingest.services'."""

import mimetypes

from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archive.articles.html import UnsafeHTMLError, clean_body_html
from archive.articles.models import Article, text_direction
from archive.ingest import jobs
from archive.ingest.archive_json import ItemError, body_to_html, clean_item
from archive.ingest.draft import Draft, ExtractionError
from archive.ingest.files import Limits
from archive.ingest.forms import NEW, ArticleDraftForm, AuthorRowFormSet, UploadForm
from archive.ingest.identity import identify
from archive.ingest.models import PendingUpload
from archive.ingest.sandbox import render_page_in_subprocess
from archive.ingest.services import DUPLICATE, FAILED, Original, article_import, draft_fields

State = PendingUpload.State
MAX_PAGE_IMAGES = 60  # pages of a PDF shown beside the form; the download has the rest
PAGE_WIDTH = 900


def _admin_context(request, title, **extra):
    return {**admin_site.each_context(request), "title": title, "opts": Article._meta, **extra}


def _require_add(request):
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied("You may not add articles.")


def upload(request):
    """Step 1: one or several files, stored and queued to be read in the background."""
    _require_add(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        queued, refused = jobs.uploads_create(files=form.cleaned_data["files"], user=request.user)
        for sentence in refused:
            messages.error(request, sentence)
        if len(queued) == 1 and not refused:
            return redirect("ingest:review", pk=queued[0].pk)
        return redirect("ingest:pending")
    return render(
        request, "ingest/admin/upload.html", _admin_context(request, _("Upload articles"), form=form)
    )


# --- What each upload needs -------------------------------------------------------------------

# The draft's own warnings for what is missing: shown next to their fields instead.
_MISSING_WARNINGS = {
    "No title found: give the piece a title.",
    "No publication date found.",
    "No publication date found: set to today and kept as a draft.",
    "No author found.",
    "No body text found.",
}


def _as_imported(obj):
    """The file's own fields, cleaned as an import cleans them: what a re-import of the same file
    is compared with, so the editor's corrections on this screen are kept (archive.ingest.merge)."""
    try:
        return clean_item(obj, default_status=obj["status"])
    except ItemError:
        return None


def _missing(draft, obj):
    """{field: sentence} for what the file did not give."""
    missing = {}
    if not draft.title:
        missing["title"] = _("Title is missing: the file has no title line. Type the title in.")
    if not draft.date:
        missing["date"] = _("Date is missing: no publication date was found (set to today).")
    if not draft.authors:
        missing["authors"] = _("Authors are missing: no byline was found.")
    if not obj["body"] and not obj["abstract"]:
        missing["body"] = _("Body is missing: no text was found.")
    return missing


def _summary_row(pending):
    """One upload on the summary page: its category and what to say about it."""
    row = {"upload": pending, "category": pending.state, "notes": []}
    if pending.state != State.READY:
        return row
    draft = Draft.from_dict(pending.draft)
    obj, _warnings = draft_fields(draft, defaults={"status": "draft"})
    row["title"] = draft.title
    identity = identify(obj, sha256=pending.sha256)
    if identity.article is not None or identity.duplicates:
        row["category"] = "duplicate"
        found = identity.article or identity.duplicates[0].article
        row["duplicate"] = found
    missing = _missing(draft, obj)
    if missing and row["category"] == State.READY:
        row["category"] = "attention"
    row["notes"] = list(missing.values())
    row["ocr"] = draft.text_from_ocr
    return row


def pending_list(request):
    """Every upload not saved yet, as a summary: being read (with progress), read, needs attention,
    likely duplicate, failed; each links to its check screen."""
    _require_add(request)
    jobs.start_reader()
    rows = [_summary_row(p) for p in PendingUpload.objects.all()]
    groups = [
        ("reading", _("Being read"), [r for r in rows if r["category"] in {State.QUEUED, State.READING}]),
        ("ready", _("Read: ready to check"), [r for r in rows if r["category"] == State.READY]),
        ("attention", _("Needs attention"), [r for r in rows if r["category"] == "attention"]),
        ("duplicate", _("Likely duplicates"), [r for r in rows if r["category"] == "duplicate"]),
        ("failed", _("Could not be read"), [r for r in rows if r["category"] == State.FAILED]),
    ]
    context = _admin_context(
        request,
        _("Uploads to check"),
        groups=groups,
        counts=[(key, label, len(items)) for key, label, items in groups],
        total=len(rows),
        reading_ids=",".join(str(r["upload"].pk) for r in groups[0][2]),
        upload_form=UploadForm(),
    )
    return render(request, "ingest/admin/pending.html", context)


def status(request):
    """The reading state of some uploads as JSON, for the progress bars (static/js/ingest.js)."""
    _require_add(request)
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.strip().isdigit()][:100]
    if ids:
        jobs.start_reader()
    found = PendingUpload.objects.filter(pk__in=ids).values(
        "pk", "state", "progress_done", "progress_total", "progress_stage"
    )
    return JsonResponse(
        {
            "uploads": [
                {
                    "id": row["pk"],
                    "state": row["state"],
                    "done": row["progress_done"],
                    "total": row["progress_total"],
                    "stage": row["progress_stage"],
                    "finished": row["state"] in {State.READY, State.FAILED},
                    "label": _progress_label(row),
                }
                for row in found
            ]
        }
    )


def _progress_label(row):
    if row["state"] == State.QUEUED:
        return _("Waiting to be read")
    if row["state"] == State.READY:
        return _("Read")
    if row["state"] == State.FAILED:
        return _("Could not be read")
    if not row["progress_total"]:
        return _("Being read")
    what = _("OCR") if row["progress_stage"] == "ocr" else _("text")
    return _("Page %(done)s of %(total)s (%(what)s)") % {
        "done": row["progress_done"],
        "total": row["progress_total"],
        "what": what,
    }


# --- The check screen -------------------------------------------------------------------------


def _readable_body(form, obj):
    """The body as the reader will see it (sanitised HTML)."""
    if form.is_bound:
        try:
            return body_to_html(form.data.get("body", ""))
        except UnsafeHTMLError:
            return ""
    try:
        return clean_body_html(obj["body"])
    except UnsafeHTMLError:
        return ""


def review(request, pk):
    """Step 2: the original beside the pre-filled article form; saving goes through the import
    service. While the file is still being read, its progress."""
    _require_add(request)
    pending = get_object_or_404(PendingUpload, pk=pk)
    if pending.state != State.READY:
        jobs.start_reader()
        context = _admin_context(
            request, _("Reading “%(name)s”") % {"name": pending.filename}, pending=pending
        )
        return render(request, "ingest/admin/reading.html", context)
    draft = Draft.from_dict(pending.draft)
    obj, warnings = draft_fields(draft, defaults={"status": "draft"})
    identity = identify(obj, sha256=pending.sha256)
    targets = ([identity.article] if identity.article else []) + [
        item.article for item in identity.duplicates
    ]
    default_target = str(identity.article.pk) if identity.article else NEW
    rows_posted = request.method == "POST" and "author-TOTAL_FORMS" in request.POST
    rows = AuthorRowFormSet(request.POST if rows_posted else None, prefix="author", initial=obj["authors"])
    if request.method == "POST":
        data = request.POST.copy()
        data.setdefault("target", default_target)
        form = ArticleDraftForm(data, targets=targets, authors_formset=rows if rows_posted else None)
        if form.is_valid():
            with pending.file.open("rb") as handle:
                original = Original(handle.read(), pending.filename)
            target = form.target_article
            result = article_import(
                fields=form.fields_json,
                source=pending.filename,
                original=original,
                article=target,
                create=target is None,
                text_from_ocr=draft.text_from_ocr,
                authors=form.author_records,
                keep_edits=False,  # the editor has checked every field
                source_fields=_as_imported(obj),
            )
            if result.status != FAILED:
                _discard_pending(pending)
                verb = {
                    "created": _("Created “%(title)s”."),
                    "updated": _("Updated “%(title)s”."),
                    DUPLICATE: _("Nothing changed in “%(title)s”."),
                }[result.status]
                messages.success(request, verb % {"title": result.article.title})
                return redirect(reverse("admin:articles_article_change", args=[result.article.pk]))
            form.add_error(None, result.error)
    else:
        initial = ArticleDraftForm.initial_from_fields(obj, target=default_target)
        form = ArticleDraftForm(initial=initial, targets=targets, authors_formset=rows)
    missing = _missing(draft, obj)
    language = form["language"].value() or obj["language"] or "en"
    context = _admin_context(
        request,
        _("Check “%(name)s”") % {"name": pending.filename},
        pending=pending,
        draft=draft,
        form=form,
        rows=rows,
        # What is missing is said next to its field, OCR in its own notice: each once.
        warnings=[
            w for w in warnings if w not in _MISSING_WARNINGS and not w.startswith("The text was read by OCR")
        ],
        missing=missing,
        identity=identity,
        likely=identity.likely,
        readable_body=_readable_body(form, obj),
        page_numbers=range(1, min(draft.page_count, MAX_PAGE_IMAGES) + 1) if pending.is_pdf else [],
        more_pages=max(0, draft.page_count - MAX_PAGE_IMAGES) if pending.is_pdf else 0,
        text_dir=text_direction(language),
        text_lang=language,
    )
    return render(request, "ingest/admin/review.html", context)


def page_image(request, pk, number):
    """Page `number` of an uploaded PDF as a PNG, for the check screen (staff only): rendered in
    the sandbox the first time, then kept beside the upload until it is saved or discarded."""
    _require_add(request)
    pending = get_object_or_404(PendingUpload, pk=pk)
    page_count = Draft.from_dict(pending.draft).page_count if pending.state == State.READY else 0
    if not pending.is_pdf or not 1 <= number <= min(page_count, MAX_PAGE_IMAGES):
        raise Http404("No such page.")
    storage = pending.file.storage
    name = _page_name(pending, number)
    if storage.exists(name):
        with storage.open(name, "rb") as handle:
            png = handle.read()
    else:
        with pending.file.open("rb") as handle:
            data = handle.read()
        try:
            png = render_page_in_subprocess(
                data,
                filename=pending.filename,
                number=number,
                width=PAGE_WIDTH,
                limits=Limits.from_settings(),
            )
        except ExtractionError as error:
            raise Http404(str(error)) from error
        storage.save(name, ContentFile(png))
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _page_name(pending, number):
    return f"{pending.file.name}.page-{number}.png"


def pending_original(request, pk):
    """The uploaded file itself, as a download (staff only)."""
    _require_add(request)
    pending = get_object_or_404(PendingUpload, pk=pk)
    handle = pending.file.open("rb")
    content_type = mimetypes.guess_type(pending.filename)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=pending.filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _discard_pending(pending):
    names = [pending.file.name]
    if pending.is_pdf and pending.state == State.READY:
        count = min(Draft.from_dict(pending.draft).page_count, MAX_PAGE_IMAGES)
        names += [_page_name(pending, n) for n in range(1, count + 1)]
    storage = pending.file.storage
    pending.delete()

    def remove():
        for name in names:
            if storage.exists(name):
                storage.delete(name)

    transaction.on_commit(remove)


@require_POST
def discard(request, pk):
    _require_add(request)
    pending = get_object_or_404(PendingUpload, pk=pk)
    _discard_pending(pending)
    messages.info(request, _("Discarded “%(name)s”.") % {"name": pending.filename})
    return redirect("ingest:pending")
