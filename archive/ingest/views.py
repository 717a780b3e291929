"""Admin upload (staff only, wrapped in admin.site.admin_view in urls.py) and the public download
of an article's original file. Views are glue: reading files is archive.ingest.extract's job,
saving is archive.ingest.services'."""

import hashlib
import mimetypes

from django.conf import settings
from django.contrib import messages
from django.contrib.admin import site as admin_site
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from archive.articles.models import Article
from archive.ingest.draft import Draft, ExtractionError
from archive.ingest.extract import extract_file
from archive.ingest.forms import ArticleDraftForm, UploadForm
from archive.ingest.identity import identify
from archive.ingest.models import PendingUpload
from archive.ingest.services import (
    DUPLICATE,
    FAILED,
    Original,
    article_import,
    draft_fields,
)


def _admin_context(request, title, **extra):
    return {**admin_site.each_context(request), "title": title, "opts": Article._meta, **extra}


def _require_add(request):
    if not request.user.has_perm("articles.add_article"):
        raise PermissionDenied("You may not add articles.")


def upload(request):
    """Step 1: one or several files; each is read into a pending draft for review."""
    _require_add(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        ready = []
        limit = settings.ARCHIVE_INGEST_MAX_FILE_BYTES
        for uploaded in form.cleaned_data["files"]:
            if uploaded.size > limit:
                # Refuse before reading: a huge upload is already on disk, never in memory.
                messages.error(
                    request,
                    f"{uploaded.name} is {uploaded.size / 1048576:.1f} MB; the limit is "
                    f"{limit / 1048576:.1f} MB (ARCHIVE_INGEST_MAX_FILE_BYTES).",
                )
                continue
            data = uploaded.read()
            try:
                draft = extract_file(data, filename=uploaded.name)
            except ExtractionError as error:
                messages.error(request, str(error))
                continue
            pending = PendingUpload(
                filename=uploaded.name[:255],
                sha256=hashlib.sha256(data).hexdigest(),
                draft=draft.to_dict(),
                uploaded_by=request.user,
            )
            pending.file.save(uploaded.name, ContentFile(data), save=False)
            pending.save()
            ready.append(pending)
        if len(ready) == 1:
            return redirect("ingest:review", pk=ready[0].pk)
        return redirect("ingest:pending")
    return render(request, "ingest/admin/upload.html", _admin_context(request, "Upload articles", form=form))


def pending_list(request):
    _require_add(request)
    pending = PendingUpload.objects.all()
    return render(
        request,
        "ingest/admin/pending.html",
        _admin_context(request, "Uploads to check", pending=pending, upload_form=UploadForm()),
    )


def _missing(draft, obj):
    missing = []
    if not draft.title:
        missing.append(("title", "Title is missing: the file has no title line. Type the title in."))
    if not draft.date:
        missing.append(("date", "Date is missing: no publication date was found (set to today)."))
    if not draft.authors:
        missing.append(("authors", "Authors are missing: no byline was found."))
    if not obj["body"] and not obj["abstract"]:
        missing.append(("body", "Body is missing: no text was found."))
    return missing


def review(request, pk):
    """Step 2: the pre-filled article form for one file; saving goes through the import service."""
    _require_add(request)
    pending = get_object_or_404(PendingUpload, pk=pk)
    draft = Draft.from_dict(pending.draft)
    obj, warnings = draft_fields(draft, defaults={"status": "draft"})
    if request.method == "POST":
        form = ArticleDraftForm(request.POST)
        if form.is_valid():
            with pending.file.open("rb") as handle:
                original = Original(handle.read(), pending.filename)
            result = article_import(fields=form.fields_json, source=pending.filename, original=original)
            if result.status != FAILED:
                name = pending.file.name
                storage = pending.file.storage
                pending.delete()
                transaction.on_commit(lambda: storage.delete(name))
                verb = {"created": "Created", "updated": "Updated", DUPLICATE: "Nothing changed in"}[
                    result.status
                ]
                messages.success(request, f"{verb} “{result.article.title}”.")
                return redirect(reverse("admin:articles_article_change", args=[result.article.pk]))
            form.add_error(None, result.error)
    else:
        form = ArticleDraftForm(initial=ArticleDraftForm.initial_from_fields(obj))
    identity = identify(obj, sha256=pending.sha256)
    duplicates = [(identity.article, identity.reason)] if identity.article else []
    duplicates += [(item.article, item.reason) for item in identity.likely]
    context = _admin_context(
        request,
        f"Check “{pending.filename}”",
        pending=pending,
        form=form,
        warnings=warnings,
        missing=_missing(draft, obj),
        duplicates=duplicates,
    )
    return render(request, "ingest/admin/review.html", context)


@require_POST
def discard(request, pk):
    _require_add(request)
    pending = get_object_or_404(PendingUpload, pk=pk)
    name, storage = pending.file.name, pending.file.storage
    pending.delete()
    transaction.on_commit(lambda: storage.delete(name))
    messages.info(request, f"Discarded “{pending.filename}”.")
    return redirect("ingest:pending")


def original(request, slug):
    """The article's original file as a download. The public sees published articles only."""
    articles = (
        Article.objects.all()
        if request.user.is_active and request.user.is_staff
        else Article.objects.published()
    )
    article = get_object_or_404(articles, slug=slug)
    if not article.original_file:
        raise Http404("This article has no original file.")
    try:
        handle = article.original_file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The original file is missing.") from error
    name = article.original_download_name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-cache" if not article.is_public else "public, max-age=3600"
    return response
