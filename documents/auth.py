"""Authentication for API clients: `Authorization: Bearer <token>` or the browser session."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from documents import selectors, services
from project import logs


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


# Bearer first: an API client never needs a CSRF token; the session path checks CSRF.
api_auth = [BearerTokenAuth(), django_auth]
