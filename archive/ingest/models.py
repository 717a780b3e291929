"""Uploads waiting for an editor: a file and the draft read from it, between "Upload" and "Save"."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.urls import reverse


def pending_upload_to(instance, filename):
    """A generated storage name: the uploaded name is never used as a path."""
    suffix = "".join(ch for ch in PurePath(filename).suffix.lower() if ch.isalnum() or ch == ".")[:10]
    return f"ingest-pending/{uuid.uuid4().hex}{suffix}"


class PendingUpload(models.Model):
    file = models.FileField(upload_to=pending_upload_to, max_length=255)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    draft = models.JSONField(default=dict)
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
