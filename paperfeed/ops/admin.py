from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.template.response import TemplateResponse

from paperfeed.ops.models import JobRun, WorkerHeartbeat
from paperfeed.ops.status import jobs_status, workers_alive


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin[JobRun]):
    """Every run of every job; above the list, what `paperfeed worker status` prints."""

    list_display = ("job", "scope", "label", "state", "attempts", "started_at", "duration",
                    "short_error")  # fmt: skip
    list_filter = ("job", "state", "scope")
    search_fields = ("job", "label", "error")
    date_hierarchy = "due_at"
    readonly_fields = [field.name for field in JobRun._meta.fields]

    @admin.display(description="last error")
    def short_error(self, run: JobRun) -> str:
        return run.error.splitlines()[0][:120] if run.error else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> TemplateResponse:
        extra = {**(extra_context or {}), "jobs": jobs_status(), "workers": workers_alive()}
        return super().changelist_view(request, extra_context=extra)  # type: ignore[return-value]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ("worker", "host", "pid", "started_at", "seen_at")
    readonly_fields = ("worker", "host", "pid", "started_at", "seen_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
