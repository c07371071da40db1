"""/healthz, /readyz and /metrics: thin views over paperfeed/ops/health.py and metrics.py.

No session, no CSRF token, never cached: load balancers and Prometheus call them anonymously and
need the answer of this moment."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from paperfeed.ops.health import readiness
from paperfeed.ops.metrics import metrics_allowed, metrics_render


@csrf_exempt
@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; touches nothing else (no database)."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    result = readiness()
    return JsonResponse(result.as_dict(), status=200 if result.ok else 503)


@csrf_exempt
@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponse(
            "Metrics are not open to this caller: see PAPERFEED_METRICS_ALLOW.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    body, content_type = metrics_render(request.META.get("HTTP_ACCEPT", ""))
    return HttpResponse(body, content_type=content_type)
