from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import include, path, reverse_lazy

from paperfeed.web.views import accounts, actions, daily, digests, papers, search
from paperfeed.web.views import recommend as for_you

# The paper routes take a path (old-style ids hold a slash: hep-th/9901001), so the routes with
# a fixed suffix or prefix come first.
urlpatterns = [
    path("", daily.index, name="index"),
    path("papers/date/<str:slug>", daily.by_period, {"kind": "day"}, name="daily_day"),
    path("papers/week/<str:slug>", daily.by_period, {"kind": "week"}, name="daily_week"),
    path("papers/month/<str:slug>", daily.by_period, {"kind": "month"}, name="daily_month"),
    path("trending", daily.trending_view, name="trending"),
    path("search", search.search, name="search"),
    path("searches/save", search.saved_search_save, name="saved_search_save"),
    path("searches/<int:search_id>/delete", search.saved_search_delete, name="saved_search_delete"),
    path("searches/<int:search_id>/alert", search.alert_set_view, name="alert_set"),
    path("searches/<int:search_id>/alert/stop", search.alert_stop_view, name="alert_stop"),
    path("searches/<int:search_id>/alert/renew", search.alert_renew_view, name="alert_renew"),
    path("submit", actions.submit, name="submit"),
    path("papers/<path:arxiv_id>/vote", actions.vote, name="vote"),
    path("papers/<path:arxiv_id>/library", actions.library, name="library"),
    path("papers/<path:arxiv_id>/comments", actions.comment_new, name="comment_new"),
    path("papers/<path:arxiv_id>", papers.paper_detail, name="paper"),
    path("comments/<int:comment_id>/edit", actions.comment_update, name="comment_edit"),
    path("comments/<int:comment_id>/delete", actions.comment_remove, name="comment_delete"),
    path("comments/<int:comment_id>/hide", actions.comment_moderate, name="comment_hide"),
    path("authors/<path:name>", papers.author_detail, name="author"),
    # Feeds (RSS 2.0 and Atom).
    path("feeds/", include("paperfeed.web.feeds")),
    # Email digests: subscribe, confirm, unsubscribe, preview.
    path("subscribe", digests.subscribe, name="subscribe"),
    path("subscribe/sent", digests.subscribe_sent, name="subscribe_sent"),
    path("subscribe/confirm/<str:token>", digests.confirm, name="digest_confirm"),
    path("unsubscribe/<str:token>", digests.unsubscribe, name="digest_unsubscribe"),
    path("digests/manage", digests.manage, name="digest_manage"),
    path("digests/preview", digests.preview, name="digest_preview"),
    # Recommendations: "For you".
    path("for-you", for_you.for_you, name="for_you"),
    path("for-you/setup", for_you.setup, name="for_you_setup"),
    path("for-you/follow", for_you.follow, name="for_you_follow"),
    path("for-you/unfollow/<int:interest_id>", for_you.unfollow, name="for_you_unfollow"),
    path("for-you/import", for_you.library_import, name="for_you_import"),
    path("for-you/dismiss/<path:arxiv_id>", for_you.dismiss, name="for_you_dismiss"),
    # Accounts: Django's auth views with this site's templates.
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/profile/", accounts.profile, name="profile"),
    path("accounts/tokens/new", accounts.api_token_new, name="api_token_new"),
    path(
        "accounts/tokens/<int:token_id>/revoke", accounts.api_token_delete, name="api_token_revoke"
    ),
    path(
        "accounts/login/",
        auth.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password_reset/",
        auth.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password_reset/done/",
        auth.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
