"""Authentication for API clients: `Authorization: Bearer <token>` or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import security
from ninja.security import HttpBearer

from documents import selectors, services
from ops import logs


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, read as ninja's HttpBearer reads it."""
    scheme, *rest = request.headers.get("Authorization", "").split(" ")
    return " ".join(rest) if rest and scheme.lower() == "bearer" else None


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):  # noqa: ANN201 (ninja's contract)
        api_token = selectors.api_token_user(token=token)
        if api_token is None:
            return None
        services.api_token_touch(token=api_token)
        # Views read request.user, whichever way the client authenticated.
        request.user = api_token.user
        logs.bind(user_id=api_token.user_id)
        return api_token.user


# Named like ninja's class, so the OpenAPI document's security scheme keeps its name.
class SessionAuth(security.SessionAuth):
    """The browser session, CSRF-checked, for requests that have a logged-in session only.

    ninja checks CSRF before it looks at the session, so a write without any credentials
    (curl, a revoked or mistyped token) got 403 "CSRF check Failed" instead of 401. Without a
    session there is nothing a forged request could ride on, so skipping the check is safe.
    """

    def __call__(self, request: HttpRequest):  # noqa: ANN204 (ninja's contract)
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


# Bearer first: an API client never needs a CSRF token; the session path checks CSRF.
api_auth = [BearerTokenAuth(), SessionAuth()]


def api_authenticate(request: HttpRequest) -> bool:
    """Whether the request carries credentials the API accepts, tried in api_auth's order as ninja
    tries them for its operations: for the SSE endpoint, a plain Django view of the same API."""
    for auth in api_auth:
        user = auth(request)
        if user:
            request.auth = user  # as ninja sets it
            return True
    return False
