"""Uploads waiting for an editor: a file and the draft read from it, between "Upload" and "Save".

An upload is read in the background (archive.ingest.jobs): `state` goes queued -> reading ->
ready (or failed, with `error`). While it is read, the reader beats `heartbeat_at` and records
pages done; a reading whose heartbeat stopped (the reader was killed, the server restarted) is
picked up again, or marked failed with a message after `MAX_ATTEMPTS`.
"""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def pending_upload_to(instance, filename):
    """A generated storage name: the uploaded name is never used as a path."""
    suffix = "".join(ch for ch in PurePath(filename).suffix.lower() if ch.isalnum() or ch == ".")[:10]
    return f"ingest-pending/{uuid.uuid4().hex}{suffix}"


class PendingUpload(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to be read")
        READING = "reading", _("Being read")
        READY = "ready", _("Read")
        FAILED = "failed", _("Could not be read")

    file = models.FileField(upload_to=pending_upload_to, max_length=255)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    draft = models.JSONField(default=dict)
    state = models.CharField(max_length=10, choices=State.choices, default=State.READY, db_index=True)
    error = models.TextField(blank=True)
    # What the reader has done: `progress_done` of `progress_total` pages of `progress_stage`
    # ("text" or "ocr").
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    progress_stage = models.CharField(max_length=10, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The text of a non-PDF original as read, shown beside the check form.
    original_text = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("ingest:review", kwargs={"pk": self.pk})

    @property
    def is_finished(self):
        return self.state in {self.State.READY, self.State.FAILED}

    @property
    def is_pdf(self):
        return PurePath(self.filename).suffix.lower() == ".pdf"

    @property
    def read_seconds(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
