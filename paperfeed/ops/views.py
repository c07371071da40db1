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


# Seconds a client is asked to wait while the database is unreachable.
UNAVAILABLE_RETRY_AFTER = 5


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. A request that failed because the database is unreachable (restarting, a
    failover, the network) is a 503 with Retry-After, not a 500: problem details under /api/, a
    plain page elsewhere, both rendered without touching the database. Once it is back, the
    next request reconnects (CONN_HEALTH_CHECKS), so nothing needs restarting."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.template.loader import render_to_string

    error = sys.exc_info()[1]
    if not isinstance(error, OperationalError | InterfaceError):
        from django.views import defaults

        return defaults.server_error(request)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"type": "about:blank", "title": "Service Unavailable", "status": 503,
             "detail": "The database is unreachable just now; try again in a few seconds."},
            status=503, content_type="application/problem+json",
        )  # fmt: skip
    else:
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(UNAVAILABLE_RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response
