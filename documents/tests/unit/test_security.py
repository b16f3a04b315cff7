"""Rate limits on log-in, sign-up and uploads, and the security headers and cookies of every
response. The counters are in the real Redis of the test run (the root conftest clears them).
Rates here are per hour: django-ratelimit counts in fixed windows, and a test must not straddle
the end of one."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from documents import services
from documents.models import Document

LOGIN = "/accounts/login/"


def _login(client: Client, username: str, password: str = "wrong-password"):  # noqa: ANN202
    return client.post(LOGIN, {"username": username, "password": password})


# ----------------------------------------------------------------------------- log-in


def test_login_attempts_per_username_are_limited_even_with_the_right_password(client, user, settings):
    settings.LOGIN_RATE_PER_USERNAME = "3/h"
    for _ in range(3):
        assert _login(client, "alice").status_code == 200  # the form again, with "wrong password"

    refused = _login(client, "Alice ", "correct-horse-9")  # same account, however it is typed

    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many log-in attempts" in refused.content.decode()
    assert 'data-testid="rate-limited"' in refused.content.decode()
    assert "_auth_user_id" not in client.session, "no log-in while limited, even with the password"


def test_a_username_typed_in_full_width_letters_spends_the_same_budget(client, user, settings):
    # Django authenticates the NFKC form: "ａｌｉｃｅ" is alice, so it is alice's budget it spends.
    settings.LOGIN_RATE_PER_USERNAME = "3/h"
    for _ in range(3):
        assert _login(client, "ａｌｉｃｅ").status_code == 200

    assert _login(Client(REMOTE_ADDR="198.51.100.7"), "alice", "correct-horse-9").status_code == 429


def test_the_admin_log_in_is_rate_limited_like_ours(client, user, settings):
    settings.LOGIN_RATE_PER_USERNAME = "3/h"
    user.is_staff = True
    user.save()
    for _ in range(3):
        assert client.post("/admin/login/", {"username": "alice", "password": "guess"}).status_code == 200

    refused = client.post("/admin/login/", {"username": "alice", "password": "correct-horse-9"})

    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 3600
    assert "Too many log-in attempts" in refused.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/login/").status_code == 200  # the form itself is still there


def test_login_attempts_per_address_are_limited_across_usernames(client, user, settings):
    settings.LOGIN_RATE_PER_IP = "4/h"
    for name in ("a", "b", "c", "d"):
        assert _login(client, name).status_code == 200

    assert _login(client, "alice", "correct-horse-9").status_code == 429


def test_other_addresses_and_usernames_are_not_limited_by_one_attacker(user, settings):
    settings.LOGIN_RATE_PER_USERNAME = "2/h"
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        _login(attacker, "mallory")

    response = _login(Client(REMOTE_ADDR="198.51.100.7"), "alice", "correct-horse-9")

    assert response.status_code == 302
    assert response["Location"] == reverse("documents:document_list")


def test_an_attacker_guessing_from_his_address_does_not_lock_the_user_out_of_hers(user, settings):
    settings.LOGIN_RATE_PER_USERNAME_IP, settings.LOGIN_RATE_PER_USERNAME = "10/h", "50/h"
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        assert _login(attacker, "alice").status_code == 200

    assert _login(attacker, "alice", "correct-horse-9").status_code == 429  # his budget is spent
    response = _login(Client(REMOTE_ADDR="198.51.100.7"), "alice", "correct-horse-9")
    assert response.status_code == 302  # hers is not


def test_a_username_guessed_from_many_addresses_still_meets_a_ceiling(user, settings):
    settings.LOGIN_RATE_PER_USERNAME_IP, settings.LOGIN_RATE_PER_USERNAME = "10/h", "6/h"
    for number in range(6):
        assert _login(Client(REMOTE_ADDR=f"203.0.113.{number}"), "alice").status_code == 200

    assert _login(Client(REMOTE_ADDR="198.51.100.7"), "alice", "correct-horse-9").status_code == 429


def test_login_works_when_the_rate_limit_store_is_down(client, user, settings):
    settings.CACHES = {
        **settings.CACHES,
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "KEY_PREFIX": "outliner:ratelimit",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        },
    }

    assert _login(client, "alice", "correct-horse-9").status_code == 302


def test_signup_is_limited_per_address(client, settings, db):
    settings.SIGNUP_RATE_PER_IP = "1/h"
    password = "a-long-passphrase-城市-42"
    first = client.post("/accounts/signup/", {"username": "u1", "password1": password, "password2": password})
    assert first.status_code == 302
    client.logout()

    second = client.post(
        "/accounts/signup/", {"username": "u2", "password1": password, "password2": password}
    )

    assert second.status_code == 429
    assert "Too many accounts" in second.content.decode()


# ----------------------------------------------------------------------------- uploads


def _files(docx_bytes, n: int = 1) -> list[SimpleUploadedFile]:  # noqa: ANN001
    return [SimpleUploadedFile(f"报告-{i}.docx", docx_bytes()) for i in range(n)]


def test_uploads_over_the_rate_get_429_and_store_nothing(logged_in, docx_bytes, settings):
    settings.UPLOAD_RATE_PER_USER = "2/h"
    url = reverse("documents:document_upload")
    for _ in range(2):
        assert logged_in.post(url, {"files": _files(docx_bytes)}).status_code == 302

    refused = logged_in.post(url, {"files": _files(docx_bytes)})
    htmx = logged_in.post(url, {"files": _files(docx_bytes)}, headers={"HX-Request": "true"})

    assert refused.status_code == 429 and htmx.status_code == 429
    assert "You are uploading too fast" in refused.content.decode()
    assert 'data-testid="upload-error"' in htmx.content.decode()
    assert Document.objects.count() == 2


def test_every_file_of_a_multi_file_upload_counts_against_the_limit(logged_in, docx_bytes, settings):
    # One POST may hold 20 files: counted once, 60 uploads per 10 minutes became 1,200.
    settings.UPLOAD_RATE_PER_USER = "3/h"
    url = reverse("documents:document_upload")

    response = logged_in.post(url, {"files": _files(docx_bytes, 5)}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 3600
    assert Document.objects.count() == 3  # the files within the limit are kept
    assert html.count("You are uploading too fast") == 2  # the other two say why, each by name
    assert "报告-3.docx" in html and "报告-4.docx" in html
    assert logged_in.post(url, {"files": _files(docx_bytes)}).status_code == 429


def test_api_uploads_over_the_rate_get_429_json_and_other_users_are_unaffected(
    api_client, other_user, docx_bytes, settings
):
    settings.UPLOAD_RATE_PER_USER = "1/h"
    assert api_client.post("/api/v1/documents", {"file": _files(docx_bytes)[0]}).status_code == 201

    refused = api_client.post("/api/v1/documents", {"file": _files(docx_bytes)[0]})
    other = Client(headers={"Authorization": f"Bearer {services.api_token_create(user=other_user)}"})

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused["Retry-After"]) >= 1
    assert other.post("/api/v1/documents", {"file": _files(docx_bytes)[0]}).status_code == 201
    assert Document.objects.count() == 2


def test_a_revision_upload_counts_against_the_same_limit(logged_in, user, docx_bytes, settings):
    settings.UPLOAD_RATE_PER_USER = "1/h"
    document = services.document_create(owner=user, uploaded=_files(docx_bytes)[0])  # a service: not counted
    url = reverse("documents:document_revise", args=[document.pk])
    logged_in.post(url, {"file": _files(docx_bytes)[0]})

    response = logged_in.post(url, {"file": _files(docx_bytes)[0]}, follow=True)

    assert "You are uploading too fast" in response.content.decode()
    document.refresh_from_db()
    assert document.revision == 2, "the second revision was refused"


# ----------------------------------------------------------------------------- headers and cookies


class _Scripts(HTMLParser):
    """Collects inline scripts and inline event handler / style attributes of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name in names:
            if name.startswith("on") or name == "style":
                self.inline.append(f"<{tag} {name}=…>")
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self._in_inline_script = True

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.inline.append(data.strip()[:60])

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


@pytest.mark.parametrize("path", [LOGIN, "/accounts/signup/", "/documents/", "/documents/activity/"])
def test_pages_carry_a_strict_content_security_policy_and_have_no_inline_script(logged_in, path):
    if path.startswith("/accounts/"):
        logged_in.logout()
    response = logged_in.get(path)
    policy = dict(
        directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";")
    )

    assert response.status_code == 200
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response["Content-Security-Policy"]
    parser = _Scripts()
    parser.feed(response.content.decode())
    assert parser.inline == []


def test_pages_carry_the_other_security_headers(client, db):
    response = client.get(LOGIN)

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_responses_carry_nosniff_and_the_policy(api_client):
    response = api_client.get("/api/v1/documents")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_production_settings_send_session_and_csrf_cookies_secure_and_http_only(client, user, settings):
    # The tests run with DJANGO_DEBUG=0, the production default (see the Makefile's TEST_ENV).
    assert settings.DEBUG is False
    page = client.get(LOGIN)
    response = client.post(
        LOGIN,
        {
            "username": "alice",
            "password": "correct-horse-9",
            "csrfmiddlewaretoken": page.context["csrf_token"],
        },
    )

    session, csrf = response.cookies[settings.SESSION_COOKIE_NAME], page.cookies[settings.CSRF_COOKIE_NAME]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert csrf["secure"]


def test_an_htmx_request_after_the_session_ended_sends_the_browser_to_log_in_and_back(client, db):
    response = client.get(
        "/documents/activity/",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/documents/42/"},
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=%2Fdocuments%2F42%2F"
    assert response.content == b"", "no log-in page swapped into the fragment"


def test_a_plain_request_after_the_session_ended_is_redirected_as_before(client, db):
    response = client.get("/documents/activity/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/documents/activity/"
