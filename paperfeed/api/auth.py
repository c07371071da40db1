"""Who is calling: a personal API token (`Authorization: Bearer pf_...`) or the site's session
cookie (with Django's CSRF check for unsafe methods, as the website's own forms have)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from paperfeed.accounts.tokens import api_token_user

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class AuthedRequest(HttpRequest):
    """The request of an endpoint that requires authentication (`auth=AUTH`): `auth` holds the
    caller that TokenAuth or SessionAuth found, a User. For type checking only; ninja builds the
    requests and sets `auth` (compare paperfeed.accounts.http.AuthenticatedHttpRequest)."""

    auth: User


class TokenAuth(HttpBearer):
    """A personal API token, created on the profile page. A token that is sent but unknown or
    revoked is refused outright (401) rather than falling back to the session."""

    openapi_description = "A personal API token from your profile page: `Bearer pf_...`."

    def authenticate(self, request: HttpRequest, token: str) -> User:
        user = api_token_user(secret=token)
        if user is None:
            raise AuthenticationError(
                401,
                "This API token is unknown or has been revoked; create a new one on your "
                "profile page (/accounts/profile/).",
            )
        return user


class SessionAuth(APIKeyCookie):
    """The website's login session. Unsafe methods must carry the CSRF token (the `csrftoken`
    cookie's value in an `X-CSRFToken` header)."""

    param_name = settings.SESSION_COOKIE_NAME
    openapi_description = (
        "The website's session cookie; POST, PUT, PATCH and DELETE also need the X-CSRFToken "
        "header."
    )

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not request.user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403,
                "CSRF check failed: with the session cookie, send the csrftoken cookie's value "
                "in an X-CSRFToken header, or use an API token (Authorization: Bearer ...).",
            )
        return request.user


def bearer_user(request: HttpRequest) -> User | None:
    """The user of a valid bearer token sent with the request, else None (never raises): read
    endpoints ignore credentials they do not know, such as a Hugging Face token that a client
    sends by habit."""
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return api_token_user(secret=secret.strip())


AUTH = [TokenAuth(), SessionAuth()]
