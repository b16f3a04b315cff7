"""The account's API tokens page: create (named, shown once), last use, revoke (issue 21, item 12)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from documents.models import ApiToken
from documents.views.api import TOKENS_PATH, api

TOKEN = re.compile(r'id="new-token-value"[^>]*value="(otl_[A-Za-z0-9_-]+)"')


def _create(client: Client, name: str) -> str:
    response = client.post(reverse("api_tokens"), {"name": name}, follow=True)
    assert response.status_code == 200
    match = TOKEN.search(response.content.decode())
    assert match, "the new token is shown after it was created"
    return match.group(1)


def _api_status(token: str) -> int:
    client = Client(headers={"Authorization": f"Bearer {token}"})
    return client.get(reverse("api-v1:document_list")).status_code


def test_a_named_token_is_shown_once_works_for_the_api_and_shows_its_last_use(logged_in, user):
    token = _create(logged_in, "笔记本 script")

    page = logged_in.get(reverse("api_tokens"))
    html = page.content.decode()
    assert token not in html and "new-token-value" not in html  # only once
    assert "笔记本 script" in html and f"{token[:12]}…" in html and "never used" in html
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    assert ApiToken.objects.get(user=user).name == "笔记本 script"

    api_client = Client(headers={"Authorization": f"Bearer {token}"})
    assert api_client.get(reverse("api-v1:document_list")).status_code == 200
    html = logged_in.get(reverse("api_tokens")).content.decode()
    assert "never used" not in html and "last used" in html


def test_a_revoked_token_is_refused_at_once_and_the_page_says_which_was_revoked(logged_in, user):
    keep, revoke = _create(logged_in, "keep me"), _create(logged_in, "old laptop")
    revoked = ApiToken.objects.get(user=user, name="old laptop")

    response = logged_in.post(reverse("api_token_revoke", args=[revoked.pk]), follow=True)

    html = response.content.decode()
    assert "Revoked “old laptop”" in html and "keep me" in html and 'data-testid="token-row"' in html
    assert html.count('data-testid="token-row"') == 1
    assert _api_status(revoke) == 401 and _api_status(keep) == 200


def test_someone_elses_token_is_not_found_and_stays(logged_in, other_user):
    other = Client()
    other.force_login(other_user)
    _create(other, "bob's")
    theirs = ApiToken.objects.get(user=other_user)

    assert logged_in.post(reverse("api_token_revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    assert "bob&#x27;s" not in logged_in.get(reverse("api_tokens")).content.decode()


@pytest.mark.parametrize(
    ("name", "error"),
    [("", "Name the token: what will use it?"), ("x" * 101, "at most 100 characters")],
)
def test_a_token_needs_a_name_of_at_most_100_characters(logged_in, user, name, error):
    response = logged_in.post(reverse("api_tokens"), {"name": name})

    assert response.status_code == 400 and error in response.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()


def test_an_account_holds_at_most_max_api_tokens(logged_in, user, settings):
    settings.MAX_API_TOKENS_PER_USER = 2
    _create(logged_in, "one"), _create(logged_in, "two")

    response = logged_in.post(reverse("api_tokens"), {"name": "three"})

    assert response.status_code == 400 and "the most an account may hold" in response.content.decode()
    assert ApiToken.objects.filter(user=user).count() == 2


def test_the_page_needs_a_log_in(client):
    response = client.get(reverse("api_tokens"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_api_docs_have_the_app_header_and_lead_to_the_tokens_page(logged_in):
    assert reverse("api_tokens") == TOKENS_PATH
    html = logged_in.get(reverse("api-v1:openapi-view")).content.decode()

    assert 'id="swagger-ui"' in html and "skip" in html.lower()  # Swagger UI inside our layout
    assert f'href="{TOKENS_PATH}"' in html and 'data-testid="api-tokens-link"' in html
    assert TOKENS_PATH in api.get_openapi_schema()["info"]["description"]
    assert f'href="{TOKENS_PATH}"' in logged_in.get(reverse("documents:document_list")).content.decode()
