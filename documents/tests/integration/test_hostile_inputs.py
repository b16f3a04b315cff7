"""Hostile uploads over real HTTP, through both entry points: the HTML form (a real session
login, CSRF token from the form page) and the API (`POST /api/v1/documents`, bearer token).

Each input is either refused with a specific 4xx code and message and nothing stored, or
stored with a bounded structure. The worst stored one (MAX_SECTIONS headings, in a package full
of remote references) then goes through the real Celery worker and must finish, and a normal
task through the bundled model shows the worker still works afterwards. Every URL inside the
files points at a canary listener on loopback, which must never see a connection; in-process,
a socket audit hook also records any lookup or connection to a host other than loopback.
All files are generated here (documents/tests/docx_factory.py); none is stored in the repo.
Hostile outlines (runs that made the sanitizer and renderer rescan) at the size limit are saved,
rendered and exported over HTTP while /healthz keeps answering.
"""

from __future__ import annotations

import contextlib
import html
import re
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.contrib.auth.models import User

from documents import services
from documents.models import Document, Outline, OutlineTask
from documents.tests import docx_factory as factory
from documents.tests.conftest import make_docx, wait_finished
from project.celery import app as celery_app

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-9"
MIB = 1024 * 1024
STORED_NAME_RE = re.compile(r"^documents/\d+/[0-9a-f]{32}\.docx$")


# ----------------------------------------------------------------------------- outbound guards


class Canary:
    """A TCP listener on a random loopback port that records every connection it gets."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.hits: list[tuple[str, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="canary", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, peer = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    first = conn.recv(200)
                except OSError:
                    first = b""
                self.hits.append((f"{peer[0]}:{peer[1]}", first))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._server.close()


_LOOPBACK = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}  # noqa: S104 (a name we compare, not bind)
_armed = threading.Event()
_outbound: list[tuple[str, str]] = []


def _audit(event: str, args: tuple) -> None:
    # Audit hooks can never be removed, so outside `no_outbound()` this returns at once. The
    # flag is process-wide rather than a contextvar because the live server answers in its
    # own threads, which would not see a contextvar set by the test.
    if not _armed.is_set():
        return
    if event == "socket.getaddrinfo":
        host = args[0].decode() if isinstance(args[0], bytes) else str(args[0])
        if host not in _LOOPBACK:
            _outbound.append((event, host))
    elif event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and str(address[0]) not in _LOOPBACK:
            _outbound.append((event, str(address)))


_hook_installed = False


@contextlib.contextmanager
def no_outbound() -> Iterator[list[tuple[str, str]]]:
    """Record in-process DNS lookups and connections to anything but loopback while inside."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True
    _outbound.clear()
    _armed.set()
    try:
        yield _outbound
    finally:
        _armed.clear()


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


# ----------------------------------------------------------------------------- clients


@pytest.fixture(autouse=True)
def _fast_media_and_hashing(settings, tmp_path) -> None:  # noqa: ANN001
    # The live server runs in this process, so `settings` reaches it. MD5 only makes the
    # per-test login cheap; the live server speaks plain HTTP, over which httpx (unlike a
    # browser on localhost) never returns a Secure cookie.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def account(transactional_db, _fast_media_and_hashing) -> User:  # noqa: ANN001
    return User.objects.create_user(username="韩梅梅", password=PASSWORD)


@dataclass
class Upload:
    status: int
    body: str
    response: httpx.Response


class FormUser:
    """A browser without JavaScript: logs in with the login form, uploads with the upload form."""

    def __init__(self, base_url: str, account: User) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=60)
        page = self.http.get("/accounts/login/")
        login = self.http.post(
            "/accounts/login/",
            data={
                "username": account.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(page.text),
            },
        )
        assert login.status_code == 302 and login.headers["location"] == "/documents/", login.text[:500]
        # The token of the upload form on the page; it stays valid for the whole session.
        self.token = _csrf(self.http.get("/documents/").text)

    def upload(self, filename: str, data: bytes) -> Upload:
        response = self.http.post(
            "/documents/upload/", data={"csrfmiddlewaretoken": self.token}, files={"files": (filename, data)}
        )
        return Upload(response.status_code, response.text, response)

    def upload_raw(self, disposition: bytes, data: bytes) -> Upload:
        body, content_type = _multipart(b'form-data; name="files"; ' + disposition, data, token=self.token)
        response = self.http.post("/documents/upload/", content=body, headers={"Content-Type": content_type})
        return Upload(response.status_code, response.text, response)


class ApiUser:
    def __init__(self, base_url: str, account: User) -> None:
        token = services.api_token_create(user=account)
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=60)

    def upload(self, filename: str, data: bytes) -> Upload:
        response = self.http.post("/api/v1/documents", files={"file": (filename, data)})
        return Upload(response.status_code, response.text, response)

    def upload_raw(self, disposition: bytes, data: bytes) -> Upload:
        body, content_type = _multipart(b'form-data; name="file"; ' + disposition, data)
        response = self.http.post("/api/v1/documents", content=body, headers={"Content-Type": content_type})
        return Upload(response.status_code, response.text, response)


def _csrf(page: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def _multipart(disposition: bytes, data: bytes, *, token: str | None = None) -> tuple[bytes, str]:
    """A multipart body written by hand, so a filename can carry bytes httpx would escape."""
    boundary = b"hostile-boundary-7f3a"
    parts = []
    if token:
        parts.append(
            b"--" + boundary + b'\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
            + token.encode() + b"\r\n"
        )  # fmt: skip
    parts.append(
        b"--" + boundary + b"\r\nContent-Disposition: " + disposition
        + b"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n"
    )  # fmt: skip
    return b"".join(
        parts
    ) + b"--" + boundary + b"--\r\n", f"multipart/form-data; boundary={boundary.decode()}"


@pytest.fixture
def form(live_server, account) -> Iterator[FormUser]:  # noqa: ANN001
    user = FormUser(live_server.url, account)
    yield user
    user.http.close()


@pytest.fixture
def api(live_server, account) -> Iterator[ApiUser]:  # noqa: ANN001
    user = ApiUser(live_server.url, account)
    yield user
    user.http.close()


def _media_files(settings) -> list[Path]:  # noqa: ANN001
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _assert_nothing_stored(settings) -> None:  # noqa: ANN001
    assert Document.objects.count() == 0
    assert _media_files(settings) == []


# ----------------------------------------------------------------------------- refused inputs


@dataclass(frozen=True)
class Refused:
    make: Callable[[str], bytes]  # canary URL -> file bytes
    code: str
    status: int
    says: str  # a fragment of the specific message
    filename: str = "报告.docx"


def _xxe(url: str) -> bytes:
    return factory.doctype_docx(f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{url}/xxe">]>')


def _external_dtd(url: str) -> bytes:
    return factory.doctype_docx(f'<!DOCTYPE Types SYSTEM "{url}/types.dtd">', part="[Content_Types].xml")


def _parameter_entity(url: str) -> bytes:
    declaration = f'<!DOCTYPE r [<!ENTITY % ext SYSTEM "{url}/pe.dtd"> %ext;]>'
    return factory.doctype_docx(declaration, part="word/_rels/document.xml.rels")


def _utf16_xxe(url: str) -> bytes:
    declaration = f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "{url}/utf16">]>'
    return factory.doctype_docx(declaration, encoding="utf-16")


REFUSED = {
    "zip bomb (1000:1)": Refused(lambda url: factory.compressible_bomb(), "zip_bomb", 413, "zip bomb"),
    "zip bomb lying about its size": Refused(
        lambda url: factory.lying_size_bomb(), "zip_bomb", 413, "expands beyond the size it declares"
    ),
    "billion laughs": Refused(lambda url: factory.doctype_docx(), "xml_doctype", 400, "billion laughs"),
    "XXE SYSTEM entity": Refused(_xxe, "xml_doctype", 400, "Part word/document.xml"),
    "external DTD": Refused(_external_dtd, "xml_doctype", 400, "Part [Content_Types].xml"),
    "parameter entity": Refused(_parameter_entity, "xml_doctype", 400, "Part word/_rels/document.xml.rels"),
    "XXE in UTF-16": Refused(_utf16_xxe, "xml_doctype", 400, "DOCTYPE/entity declaration"),
    ".docm": Refused(lambda url: factory.macro_enabled_docx(), "macro_enabled", 415, "macro-enabled"),
    ".doc": Refused(lambda url: factory.legacy_doc(), "legacy_doc", 415, "Word 97-2003"),
    "PDF renamed": Refused(lambda url: factory.PDF, "not_docx", 415, "This file is a PDF document"),
    "PNG renamed": Refused(lambda url: factory.tiny_png(), "not_docx", 415, "This file is a PNG image"),
    "EXE renamed": Refused(lambda url: factory.exe(), "not_docx", 415, "a Windows program"),
    "truncated zip": Refused(
        lambda url: factory.truncated(factory.simple_docx()), "corrupt_file", 400, "damaged or incomplete"
    ),
    "0 bytes": Refused(lambda url: b"", "empty_file", 400, "This file is empty (0 bytes)"),
    # A well-formed document with no text: it was stored, then failed at Generate.
    "no text": Refused(lambda url: factory.build_docx(), "no_text", 400, "has no text to outline"),
    "10,000 headings": Refused(
        lambda url: factory.many_headings_docx(10_000),
        "too_many_sections",
        413,
        "This document has 10000 headings",
    ),
    "tables nested 100 deep": Refused(
        lambda url: factory.nested_tables_docx(100), "too_complex", 400, "nested more than 256 levels deep"
    ),
}


def test_refused_uploads_give_their_code_and_store_nothing(api, form, canary, settings, subtests):
    # One login for the whole set (subtests report each input on its own).
    for name, case in REFUSED.items():
        with subtests.test(name):
            data = case.make(canary.url)

            with no_outbound() as outbound:
                by_api = api.upload(case.filename, data)
                by_form = form.upload(case.filename, data)

            assert by_api.status == case.status, by_api.body
            error = by_api.response.json()["error"]
            assert error["code"] == case.code
            assert case.says in error["message"]
            # The page re-renders (400: the form as a whole was refused) naming file and reason.
            assert by_form.status == 400
            assert f'data-error-code="{case.code}"' in by_form.body
            assert html.escape(case.says) in by_form.body and html.escape(case.filename) in by_form.body
            _assert_nothing_stored(settings)
            assert outbound == [] and canary.hits == []


def test_upload_just_over_the_limit_is_413_and_at_the_limit_is_stored(api, form, settings):
    settings.MAX_UPLOAD_MB = 1  # read per request, so the in-process live server sees it
    over = factory.sized_docx(MIB + 1)

    by_api = api.upload("big.docx", over)
    by_form = form.upload("big.docx", over)
    far_over = api.upload("huge.docx", factory.sized_docx(6 * MIB))  # spooled to disk, not memory

    for response in (by_api, far_over):
        assert response.status == 413
        error = response.response.json()["error"]
        assert error["code"] == "file_too_large" and "1 MB upload limit" in error["message"]
    assert by_form.status == 400 and 'data-error-code="file_too_large"' in by_form.body
    assert "1 MB upload limit" in by_form.body
    _assert_nothing_stored(settings)

    assert api.upload("exact.docx", factory.sized_docx(MIB)).status == 201


def _send_only_the_headers(
    base_url: str, method: str, path: str, headers: dict[str, str], length: int
) -> bytes:
    """Announce a `length`-byte body, send none of it, and read what the server answers. (Bytes
    sent and left unread would make the server's close a reset, which can cut its answer short.)"""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        head = f"{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        conn.sendall(head.encode())
        answer = b""
        while not _whole_response(answer) and (chunk := conn.recv(65536)):
            answer += chunk
        return answer


def _whole_response(answer: bytes) -> bool:
    head, found, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?i)^Content-Length: (\d+)", head, flags=re.MULTILINE)
    return bool(found) and len(body) >= (int(length.group(1)) if length else 0)


def test_an_oversize_body_is_refused_from_its_length_before_it_is_sent(api, form, live_server, settings):
    # A 100 MB body was read in full (Django parses multipart before any view looks at a size),
    # then refused. Now the answer comes before the client has sent any of it.
    big = 100 * MIB
    token = api.http.headers["Authorization"]
    cookies = "; ".join(f"{name}={value}" for name, value in form.http.cookies.items())
    multipart = {"Content-Type": "multipart/form-data; boundary=x"}

    by_api = _send_only_the_headers(
        live_server.url, "POST", "/api/v1/documents", {"Authorization": token, **multipart}, big
    )
    by_form = _send_only_the_headers(
        live_server.url, "POST", "/documents/upload/", {"Cookie": cookies, **multipart}, big
    )
    outline = _send_only_the_headers(
        live_server.url,
        "PUT",
        "/api/v1/documents/1/outline",
        {"Authorization": token, "Content-Type": "application/json"},
        big,
    )

    assert by_api.startswith(b"HTTP/1.1 413") and b'"file_too_large"' in by_api
    assert by_form.startswith(b"HTTP/1.1 302") and b"Location: /documents/" in by_form
    assert outline.startswith(b"HTTP/1.1 413") and b'"request_too_large"' in outline
    # The message rides in the messages cookie of that answer, as with any redirect after a form.
    set_cookie = re.search(rb"Set-Cookie: +messages=([^;\r\n]*)", by_form)
    assert set_cookie, by_form.decode()
    form.http.cookies.set("messages", set_cookie.group(1).decode())
    page = form.http.get("/documents/").text
    assert "add up to 100 MB; one upload can be at most 60 MB" in html.unescape(page)
    _assert_nothing_stored(settings)


# ----------------------------------------------------------------------------- stored safely


@dataclass(frozen=True)
class Stored:
    make: Callable[[str], bytes]
    check: Callable[[dict], None]  # on the stored structure (the API shows all of it but the text)


# The most headings a document may have (settings.MAX_SECTIONS; more are refused above).
MOST_HEADINGS = 2_000


def _check_headings(doc: dict) -> None:
    assert len(doc["sections"]) == MOST_HEADINGS and doc["counts"]["paragraphs"] == MOST_HEADINGS
    assert {s["level"] for s in doc["sections"]} == {1, 2, 3}
    assert doc["sections"][-1]["title"] == f"第{MOST_HEADINGS}节 Heading {MOST_HEADINGS}"


def _check_tables(doc: dict) -> None:
    assert doc["counts"]["tables"] == 60
    (section,) = doc["sections"]
    assert "最内层 innermost 60" in section["text"] and len(section["text"]) <= 4000


def _check_content_controls(doc: dict) -> None:
    assert doc["sections"][0]["title"] == "内容控件 Content controls"
    assert "深处 Deep inside" in doc["sections"][0]["text"]


def _check_huge_paragraph(doc: dict) -> None:
    (section,) = doc["sections"]
    assert section["chars"] > 2_000_000 and doc["counts"]["words"] > 900_000
    assert len(section["text"]) <= 4000 and len(section["excerpt"]) <= 200


def _check_remote(doc: dict) -> None:
    assert doc["sections"][0]["title"] == "远程引用 Remote references"


STORED = {
    "2,000 headings (the limit)": Stored(
        lambda url: factory.many_headings_docx(MOST_HEADINGS), _check_headings
    ),
    "tables nested 60 deep": Stored(lambda url: factory.nested_tables_docx(60), _check_tables),
    "120 nested content controls": Stored(
        lambda url: factory.nested_content_controls_docx(120), _check_content_controls
    ),
    "3 MB single paragraph": Stored(
        lambda url: factory.huge_paragraph_docx(3_000_000), _check_huge_paragraph
    ),
    "remote template, images, OLE": Stored(factory.remote_references_docx, _check_remote),
}


@pytest.mark.parametrize("case", STORED.values(), ids=STORED.keys())
def test_stored_upload_has_a_bounded_structure_and_its_page_renders(api, form, canary, settings, case):
    data = case.make(canary.url)

    with no_outbound() as outbound:
        started = time.monotonic()
        by_api = api.upload("文档.docx", data)
        by_form = form.upload("文档.docx", data)
        uploads_took = time.monotonic() - started
        assert by_api.status == 201, by_api.body
        assert by_form.status == 302, by_form.body[:2000]
        document = by_api.response.json()
        shown = api.http.get(f"/api/v1/documents/{document['id']}").json()
        structure = Document.objects.get(pk=document["id"]).structure
        assert len(shown["sections"]) == len(structure["sections"]) and shown["counts"] == structure["counts"]
        case.check(structure)
        started = time.monotonic()
        page = form.http.get(f"/documents/{document['id']}/")
        page_took = time.monotonic() - started

    assert page.status_code == 200 and "文档.docx" in page.text
    assert uploads_took < 20 and page_took < 10
    assert Document.objects.count() == 2 and len(_media_files(settings)) == 2
    assert outbound == [] and canary.hits == []


def test_remote_references_are_stripped_and_hyperlinks_kept(api, canary):
    document = api.upload("远程.docx", factory.remote_references_docx(canary.url)).response.json()

    stored = Document.objects.get(pk=document["id"])
    stripped = sorted(entry.split(" → ")[0] for entry in stored.stripped_relationships)
    assert stripped == ["attachedTemplate", "frame", "image", "oleObject", "oleObject", "subDocument"]
    with stored.file.open("rb") as fh:
        members = factory.zip_members(fh.read())
    rels = members["word/_rels/document.xml.rels"].decode()
    assert f"{canary.url}/hyperlink" in rels and "file:///etc/passwd" in rels  # links: text, never fetched
    for gone in ("object.xlsx", "pixel.png", "sub.docx", "frame.html", "win.ini"):
        assert gone not in rels
    assert "template.dotm" not in members["word/_rels/settings.xml.rels"].decode()
    assert b"attachedTemplate" not in members["word/settings.xml"]
    assert canary.hits == []


# ----------------------------------------------------------------------------- filenames

CJK_250 = "文" * 250 + ".docx"  # about the longest name Windows or macOS can give a file
# (what the client sends, the name we show). Control characters never reach the display name;
# the ones a browser percent-encodes (CR, LF, TAB) arrive as that literal text.
FILENAMES = {
    "unix traversal": ("../../etc/passwd.docx", "passwd.docx"),
    "windows traversal": ("..\\..\\win.docx", "win.docx"),
    "absolute unix": ("/var/www/报告.docx", "报告.docx"),
    "absolute windows": ("C:\\Users\\me\\abs.docx", "abs.docx"),
    "control characters": ("a\x1bb\r\nc\td\u202ecod.docx", "ab%0D%0Ac%09dcod.docx"),
    "markup": ("<svg onload=alert(1)>.docx", "<svg onload=alert(1)>.docx"),
    "250 CJK characters": (CJK_250, CJK_250),
    "reserved windows name": ("CON.docx", "CON.docx"),
}


def _assert_stored_safely(document: Document, shown: str, settings) -> None:  # noqa: ANN001
    assert document.original_filename == shown and len(shown) <= 255
    assert not any(ch in shown for ch in "/\\\x00\x1b\r\n\t\u202e")
    assert STORED_NAME_RE.match(document.file.name)
    path = Path(document.file.path).resolve()
    assert path.is_file() and path.is_relative_to(Path(settings.MEDIA_ROOT).resolve())


def _new_documents(seen: set[int]) -> list[Document]:
    documents = list(Document.objects.exclude(pk__in=seen))
    seen.update(d.pk for d in documents)
    return documents


def test_odd_filenames_are_stored_under_safe_names_and_shown_escaped(api, form, settings, subtests):
    data = factory.simple_docx()
    seen: set[int] = set()
    for name, (sent, shown) in FILENAMES.items():
        with subtests.test(name):
            by_api = api.upload(sent, data)
            by_form = form.upload(sent, data)

            assert by_api.status == 201, by_api.body
            assert by_api.response.json()["filename"] == shown
            assert by_form.status == 302
            documents = _new_documents(seen)
            assert len(documents) == 2
            for document in documents:
                _assert_stored_safely(document, shown, settings)
                page = form.http.get(f"/documents/{document.pk}/")
                assert page.status_code == 200 and html.escape(shown, quote=False) in page.text
                assert "<svg" not in page.text
    listing = form.http.get("/documents/")
    assert listing.status_code == 200 and "<svg" not in listing.text


RAW_DISPOSITIONS = {
    # Bytes httpx would escape, sent as a careless client might.
    "raw control bytes": (b'filename="ctl\x01\x07\tname\x7f.docx"', "ctlname.docx"),
    "NUL byte": (b'filename="nul\x00byte.docx"', "nulbyte.docx"),
    "RFC 2231 traversal": (b"filename*=UTF-8''..%2F..%2F%E6%8A%A5%E5%91%8A.docx", "报告.docx"),
    "raw UTF-8 with RTL override": ('filename="invoice\u202excod.docx"'.encode(), "invoicexcod.docx"),
}


def test_hand_written_multipart_filenames_are_made_safe(api, form, settings, subtests):
    data = factory.simple_docx()
    seen: set[int] = set()
    for name, (disposition, shown) in RAW_DISPOSITIONS.items():
        with subtests.test(name):
            by_api = api.upload_raw(disposition, data)
            by_form = form.upload_raw(disposition, data)

            assert by_api.status == 201, by_api.body
            assert by_form.status == 302, by_form.body[:2000]
            documents = _new_documents(seen)
            assert len(documents) == 2
            for document in documents:
                _assert_stored_safely(document, shown, settings)


def test_filename_too_long_for_a_multipart_header_is_a_clear_400(api, form, settings):
    # 300 CJK characters are 900 bytes, over Django's 1 KB limit for a part's headers.
    name = "文" * 300 + ".docx"

    by_api = api.upload(name, factory.simple_docx())
    by_form = form.upload(name, factory.simple_docx())

    assert by_api.status == 400, by_api.body
    error = by_api.response.json()["error"]
    assert error["code"] == "invalid_request" and "header size" in error["message"]
    assert by_form.status == 400  # Django's own Bad Request page: the body never reaches the view
    _assert_nothing_stored(settings)


def test_filenames_that_are_only_a_path_are_refused_as_missing(api, form, settings, subtests):
    # Django drops a file part whose name is nothing but a path, so the field is missing.
    for name in ("..", ".", "/", "../"):
        with subtests.test(name):
            by_api = api.upload(name, factory.simple_docx())
            by_form = form.upload(name, factory.simple_docx())

            assert by_api.status == 400 and by_api.response.json()["error"]["code"] == "invalid_request"
            assert by_form.status == 400 and "Choose at least one .docx file" in by_form.body
            _assert_nothing_stored(settings)


# ----------------------------------------------------------------------------- hostile outlines

# Runs that made the sanitizer and the renderer rescan (issue 20, findings 1, 2 and 8), each at
# the largest outline a user may save, plus one character more.
HOSTILE_OUTLINES = {"brackets": "[", "image openers": "![", "tag openers": "<a ", "backticks": "`"}


def _healthz_while(http: httpx.Client, work: Callable[[], httpx.Response]) -> tuple[httpx.Response, float]:
    """Run `work` in a thread and time /healthz meanwhile: the site must answer during it."""
    result: list[httpx.Response] = []
    worker = threading.Thread(target=lambda: result.append(work()))
    worker.start()
    time.sleep(0.05)
    started = time.monotonic()
    assert http.get("/healthz").status_code == 200
    took = time.monotonic() - started
    worker.join(timeout=60)
    assert result, "the request never finished"
    return result[0], took


@pytest.mark.parametrize("unit", HOSTILE_OUTLINES.values(), ids=HOSTILE_OUTLINES.keys())
def test_a_hostile_outline_at_the_size_limit_saves_renders_and_exports_while_the_site_answers(
    api, form, settings, unit
):
    data = make_docx([(1, "目录")], body="正文。")
    document = api.upload("大纲.docx", data).response.json()
    outline = Outline.objects.create(document_id=document["id"], markdown="# 大纲\n")
    text = (unit * (settings.MAX_OUTLINE_CHARS // len(unit)))[: settings.MAX_OUTLINE_CHARS]
    url = f"/api/v1/documents/{document['id']}/outline"

    over = text + "x" * (settings.MAX_OUTLINE_CHARS + 1 - len(text))
    too_long = api.http.put(url, json={"version": outline.version, "markdown": over})
    assert too_long.status_code == 400 and "markdown" in too_long.text
    saved, healthz_took = _healthz_while(
        api.http, lambda: api.http.put(url, json={"version": outline.version, "markdown": text})
    )
    assert saved.status_code == 200, saved.text[:500]
    assert healthz_took < 5
    stale = api.http.put(url, json={"version": outline.version, "markdown": text})
    assert stale.status_code == 409

    page, healthz_took = _healthz_while(form.http, lambda: form.http.get(f"/documents/{document['id']}/"))
    assert page.status_code == 200 and healthz_took < 5
    exported = api.http.get(f"{url}.docx")
    assert exported.status_code == 200 and exported.content.startswith(b"PK")
    # What the user typed reads back: a save neutralises markup, it does not delete words.
    assert api.http.get(f"{url}.md").text.count(unit.strip()) >= len(text) // len(unit) - 1


# ----------------------------------------------------------------------------- through the worker


def _wait_worker_idle(timeout: float = 20) -> None:
    """The worker writes a little after the terminal state (the stream's end, the outline);
    the next test's database flush must not pull rows from under it."""
    deadline = time.monotonic() + timeout
    while any((celery_app.control.inspect(timeout=0.5).active() or {}).values()):
        assert time.monotonic() < deadline, "the worker is still busy"
        time.sleep(0.2)


def test_the_most_headings_a_document_may_have_with_remote_references_finish_their_outline(
    api, canary, celery_worker_process, settings
):
    # Headings without body text: no model call, but thousands of sections of events and headings.
    assert settings.MAX_SECTIONS == MOST_HEADINGS
    data = factory.many_headings_docx(MOST_HEADINGS, base=factory.remote_references_docx(canary.url))
    document = api.upload("两千个标题.docx", data).response.json()
    assert len(document["sections"]) == MOST_HEADINGS

    created = api.http.post(f"/api/v1/documents/{document['id']}/tasks")
    assert created.status_code == 202, created.text
    # ~4,000 events through the worker and Redis (StreamWriter finds its unwritten tail by
    # bisection: scanning every event on each emit made 10,000 headings take 40-60 s).
    task = wait_finished(created.json()["id"], timeout=120)
    _wait_worker_idle()

    assert task.status == OutlineTask.Status.SUCCEEDED, (task.error_code, task.error_message)
    assert task.progress_total == task.progress_done == MOST_HEADINGS
    headings = [line for line in task.result.splitlines() if line.startswith(("## ", "### ", "#### "))]
    assert (
        len(headings) == MOST_HEADINGS
        and headings[-1] == f"### 第{MOST_HEADINGS}节 Heading {MOST_HEADINGS}"  # levels 1, 2, 3 in turn
    )
    assert canary.hits == []


def test_worker_still_answers_and_completes_a_small_task_after_the_hostile_set(
    api, canary, celery_worker_process
):
    assert celery_app.control.ping(timeout=2)
    document = api.upload("小.docx", make_docx([(1, "结论")], body="一切正常。")).response.json()

    created = api.http.post(f"/api/v1/documents/{document['id']}/tasks").json()
    task = wait_finished(created["id"], timeout=120)  # one model call; slow only on a loaded machine
    _wait_worker_idle()

    assert task.status == OutlineTask.Status.SUCCEEDED and "## 结论" in task.result
    assert canary.hits == []
