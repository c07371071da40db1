from __future__ import annotations

from django.contrib.auth import views as auth
from django.urls import include, path, reverse_lazy

from paperfeed.web import collection_feeds
from paperfeed.web.views import accounts, actions, alerts, authors, daily, digests, papers, search
from paperfeed.web.views import collection_actions as collect
from paperfeed.web.views import collections as pages
from paperfeed.web.views import recommend as for_you

COLLECTION = "collections/<str:owner>/<str:slug>"
EDITOR = f"{COLLECTION}/editors/<str:username>"
ITEM = f"{COLLECTION}/items/<int:item_id>"

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
    path("searches/alert", alerts.search_alert_save_view, name="search_alert_save"),
    path("searches/<int:search_id>/alert", alerts.alert_set_view, name="alert_set"),
    path("searches/<int:search_id>/alert/stop", alerts.alert_stop_view, name="alert_stop"),
    path("searches/<int:search_id>/alert/renew", alerts.alert_renew_view, name="alert_renew"),
    path("alerts/stop/<str:token>", alerts.alert_email_stop, name="alert_email_stop"),
    path("submit", actions.submit, name="submit"),
    path("papers/<path:arxiv_id>/vote", actions.vote, name="vote"),
    path("papers/<path:arxiv_id>/library", actions.library, name="library"),
    path("papers/<path:arxiv_id>/comments", actions.comment_new, name="comment_new"),
    path("papers/<path:arxiv_id>/collections", collect.paper_collections, name="paper_collections"),
    path("papers/<path:arxiv_id>", papers.paper_detail, name="paper"),
    path("comments/<int:comment_id>/edit", actions.comment_update, name="comment_edit"),
    path("comments/<int:comment_id>/delete", actions.comment_remove, name="comment_delete"),
    path("comments/<int:comment_id>/hide", actions.comment_moderate, name="comment_hide"),
    path("authors/<path:name>/claim", authors.author_claim, name="author_claim"),
    path("authors/<path:name>/follow", authors.author_follow, name="author_follow"),
    path("authors/<path:name>", authors.author_detail, name="author"),
    # Claimed authors: the claimant's link, withdrawing, "not me" (and undo) per paper.
    path("claims/<int:claim_id>/profile", authors.claim_profile, name="claim_profile"),
    path("claims/<int:claim_id>/withdraw", authors.claim_remove, name="claim_withdraw"),
    path("claims/<int:claim_id>/papers/<path:arxiv_id>", authors.claim_paper, name="claim_paper"),
    # Collections: /collections/<owner>/<slug> is the share address; the actions are POSTs.
    path("collections", pages.collections_index, name="collections"),
    path("collections/<str:owner>", pages.collections_of, name="collections_of"),
    path(COLLECTION, pages.collection_detail, name="collection"),
    path(f"{COLLECTION}/feed.atom", collection_feeds.collection_feed, name="collection_feed"),
    path(f"{COLLECTION}/bibtex", pages.collection_bibtex, name="collection_bibtex"),
    path(f"{COLLECTION}/edit", pages.collection_settings, name="collection_edit"),
    path(f"{COLLECTION}/delete", collect.delete, name="collection_delete"),
    path(f"{COLLECTION}/upvote", collect.upvote, name="collection_upvote"),
    path(f"{COLLECTION}/editors", collect.editor_add, name="collection_editor_add"),
    path(f"{EDITOR}/remove", collect.editor_remove, name="collection_editor_remove"),
    path(f"{COLLECTION}/items", collect.item_add, name="collection_item_add"),
    path(f"{ITEM}/move", collect.item_move, name="collection_item_move"),
    path(f"{ITEM}/note", collect.item_note, name="collection_item_note"),
    path(f"{ITEM}/remove", collect.item_remove, name="collection_item_remove"),
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
