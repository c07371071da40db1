from django.urls import path

from paperfeed.web import views

urlpatterns = [
    path("", views.index, name="index"),
    path("papers/<path:arxiv_id>", views.paper_detail, name="paper"),
]
