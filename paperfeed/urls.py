from django.contrib import admin
from django.urls import include, path

from paperfeed.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("paperfeed.web.urls")),
]
