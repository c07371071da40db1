from django.contrib import admin
from django.urls import include, path

from paperfeed.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    # /healthz, /readyz, /metrics: before the site's pages, whose paths are catch-alls.
    path("", include("paperfeed.ops.urls")),
    path("", include("paperfeed.web.urls")),
]

# A request body too large to read (DATA_UPLOAD_MAX_MEMORY_SIZE) is a 413, other bad requests 400.
handler400 = "paperfeed.web.views.errors.bad_request"
# The database unreachable is a 503 with Retry-After; any other failure the plain 500 page.
handler500 = "paperfeed.ops.views.server_error"
