"""Serving stored files (materials, results) to those allowed to see them; the caller checks access."""

from __future__ import annotations

import dataclasses
from urllib.parse import quote

from django.core.files.storage import default_storage
from django.http import FileResponse

from govhall.core.errors import DomainError, Problem

from .models import StoredFile

INLINE_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def serve_stored(stored: StoredFile, filename: str, *, inline: bool = False) -> FileResponse:
    """A download (or an in-browser preview for PDF and images) with the sniffed content type, never
    one a browser could run as a page of ours: nosniff, and a sandboxing CSP for previews."""
    response = FileResponse(default_storage.open(stored.storage_name, "rb"), content_type=stored.content_type)
    disposition = "inline" if inline and stored.content_type in INLINE_TYPES else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response["Content-Length"] = str(stored.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    response["Digest"] = f"sha-256={stored.sha256}"
    return response


def upload_material(request, application, material_id: int) -> list[Problem]:
    """Store the request's ``file`` for one material through ``services.material_upload``; the
    problems (none on success) all point at the material's field, ``material:<id>``."""
    from . import services

    field = f"material:{material_id}"
    upload = request.FILES.get("file")
    if upload is None:
        return [Problem("cases.upload.no_file", "请选择要上传的文件", "choose a file to upload", field)]
    try:
        services.material_upload(actor=request.user, application=application, material_id=material_id,
                                 upload=upload, filename=upload.name)
    except DomainError as exc:
        return [dataclasses.replace(p, field=field) for p in exc.problems]
    return []
