"""Routes of archive.ingest: the staff upload pages, under /admin/ingest/."""

from django.contrib import admin
from django.urls import path

from archive.ingest import views

app_name = "ingest"

urlpatterns = [
    path("upload/", admin.site.admin_view(views.upload), name="upload"),
    path("pending/", admin.site.admin_view(views.pending_list), name="pending"),
    path("pending/status/", admin.site.admin_view(views.status), name="status"),
    path("pending/<int:pk>/", admin.site.admin_view(views.review), name="review"),
    path(
        "pending/<int:pk>/pages/<int:number>/",
        admin.site.admin_view(views.page_image),
        name="page",
    ),
    path("pending/<int:pk>/file/", admin.site.admin_view(views.pending_original), name="file"),
    path("pending/<int:pk>/discard/", admin.site.admin_view(views.discard), name="discard"),
]
