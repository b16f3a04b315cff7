from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents.models import Document
from documents.tests.conftest import CORPUS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _post(client, data: bytes, name: str = "plan.docx"):  # noqa: ANN001, ANN202
    return client.post("/api/v1/documents", {"file": SimpleUploadedFile(name, data)})


def test_upload_returns_201_with_documented_shape(api_client, docx_bytes):
    response = _post(api_client, docx_bytes(), "年度计划.docx")

    assert response.status_code == 201
    body = response.json()
    assert {"id", "filename", "title", "size_bytes", "created_at", "sections"} <= body.keys()
    assert body["filename"] == "年度计划.docx"
    assert body["sections"][1] == {
        **body["sections"][1],
        "level": 2,
        "title": "背景",
        "paragraphs": body["sections"][1]["paragraphs"],
    }
    assert {"level", "title", "paragraphs", "chars", "source_index"} <= body["sections"][0].keys()


def test_upload_of_corpus_file_lists_its_headings(api_client):
    response = _post(api_client, (CORPUS / "pandoc__headers.docx").read_bytes(), "headers.docx")

    assert response.status_code == 201
    assert [s["level"] for s in response.json()["sections"]] == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("filename", "status", "code"),
    [
        ("poi__SimpleMacro.docm", 415, "macro_enabled"),
        ("poi__truncated62886.docx", 400, "corrupt_file"),
        ("poi__bug53475-password-is-pass.docx", 415, "encrypted_document"),
    ],
)
def test_bad_corpus_files_get_specific_error_and_nothing_is_stored(api_client, filename, status, code):
    response = _post(api_client, (CORPUS / filename).read_bytes(), filename)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert Document.objects.count() == 0


def test_an_upload_word_would_repair_is_201_with_its_warnings_worded(api_client):
    from documents.tests import docx_factory as factory

    response = _post(api_client, factory.malformed_core_and_missing_image_docx(), "损坏.docx")

    assert response.status_code == 201
    body = response.json()
    assert body["warnings"] == [
        {
            "code": "metadata_unreadable",
            "part": "docProps/core.xml",
            "message": "The document's properties (docProps/core.xml) could not be read and were skipped.",
        },
        {
            "code": "missing_part",
            "part": "word/media/image1.png",
            "message": "A picture or other part the document refers to (word/media/image1.png) is missing "
            "and was skipped.",
        },
    ]
    assert [s["title"] for s in body["sections"]] == ["图片 Pictures", "说明 Notes"]

    detail = api_client.get(f"/api/v1/documents/{body['id']}")
    assert detail.status_code == 200 and detail.json()["warnings"] == body["warnings"]
    listed = api_client.get("/api/v1/documents").json()["results"]
    assert listed[0]["warnings"] == body["warnings"]
    chinese = api_client.get(f"/api/v1/documents/{body['id']}", headers={"Accept-Language": "zh-CN"})
    assert [w["message"] for w in chinese.json()["warnings"]] == [
        "无法读取文档属性（docProps/core.xml），已跳过。",
        "文档引用的图片或其他部分（word/media/image1.png）缺失，已跳过。",
    ]


def test_a_sound_upload_has_no_warnings(api_client, docx_bytes):
    response = _post(api_client, docx_bytes())

    assert response.status_code == 201 and response.json()["warnings"] == []


def test_a_revision_word_would_repair_sets_the_documents_warnings(api_client, docx_bytes):
    from documents.tests import docx_factory as factory

    document_id = _post(api_client, docx_bytes()).json()["id"]

    response = api_client.post(
        f"/api/v1/documents/{document_id}/revisions",
        {"file": SimpleUploadedFile("v2.docx", factory.malformed_comments_docx())},
    )

    assert response.status_code == 200
    assert response.json()["document"]["warnings"] == [
        {
            "code": "part_unreadable",
            "part": "word/comments.xml",
            "message": "A part of the document (word/comments.xml) could not be read and was skipped.",
        }
    ]
    assert (
        api_client.get(f"/api/v1/documents/{document_id}").json()["warnings"][0]["code"] == "part_unreadable"
    )


def test_the_openapi_schema_documents_the_warnings(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()

    document = schema["components"]["schemas"]["DocumentOut"]
    assert "warnings" in document["required"]
    assert schema["components"]["schemas"]["WarningOut"]["required"] == ["code", "part", "message"]


def test_empty_upload_is_400(api_client):
    response = _post(api_client, b"", "empty.docx")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "empty_file"


def test_oversize_upload_is_413(api_client, settings):
    settings.MAX_UPLOAD_MB = 1
    response = _post(api_client, b"PK\x03\x04" + b"\0" * (1024 * 1024 + 10))

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_missing_file_field_is_400(api_client):
    response = api_client.post("/api/v1/documents", {})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"


def test_the_document_list_comes_a_page_at_a_time_newest_first(api_client, user, docx_bytes):
    from documents import services

    ids = [
        services.document_create(owner=user, uploaded=SimpleUploadedFile(f"{n}.docx", docx_bytes())).pk
        for n in range(5)
    ]

    first = api_client.get("/api/v1/documents?limit=2").json()
    rest = api_client.get("/api/v1/documents?limit=2&offset=2").json()
    default = api_client.get("/api/v1/documents").json()
    too_many = api_client.get("/api/v1/documents?limit=201")

    assert first["count"] == rest["count"] == 5
    assert [d["id"] for d in first["results"] + rest["results"]] == ids[::-1][:4]
    assert len(default["results"]) == 5  # up to 50 a page by default
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "invalid_request"


def test_list_get_and_delete_are_scoped_to_owner(api_client, other_user, docx_bytes):
    from documents import services

    mine = _post(api_client, docx_bytes()).json()
    other = services.document_create(owner=other_user, uploaded=SimpleUploadedFile("o.docx", docx_bytes()))

    listed = api_client.get("/api/v1/documents").json()["results"]
    assert [d["id"] for d in listed] == [mine["id"]]
    assert api_client.get(f"/api/v1/documents/{mine['id']}").json()["title"] == mine["title"]
    assert api_client.get(f"/api/v1/documents/{other.pk}").status_code == 404
    assert api_client.delete(f"/api/v1/documents/{other.pk}").status_code == 404
    assert api_client.delete(f"/api/v1/documents/{mine['id']}").status_code == 204
    assert api_client.get(f"/api/v1/documents/{mine['id']}").status_code == 404
    assert Document.objects.filter(pk=other.pk).exists()


def test_requests_without_credentials_are_401(client):
    response = client.get("/api/v1/documents")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_wrong_bearer_token_is_401(client):
    response = client.get("/api/v1/documents", headers={"Authorization": "Bearer otl_wrong"})

    assert response.status_code == 401


def test_session_auth_works_for_reads_and_requires_csrf_for_writes(user, docx_bytes):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)

    assert browser.get("/api/v1/documents").status_code == 200
    assert _post(browser, docx_bytes()).status_code in (401, 403)


def test_openapi_schema_lists_document_endpoints(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert {"/api/v1/documents", "/api/v1/documents/{document_id}"} <= schema["paths"].keys()
    assert client.get("/api/v1/docs").status_code == 200


def test_task_endpoints_create_read_list_and_scope(api_client, other_user, docx_bytes, monkeypatch):
    from documents import services, tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    doc = _post(api_client, docx_bytes()).json()
    theirs = services.document_create(owner=other_user, uploaded=SimpleUploadedFile("o.docx", docx_bytes()))

    created = api_client.post(f"/api/v1/documents/{doc['id']}/tasks")
    assert created.status_code == 202
    body = created.json()
    assert body["status"] == "queued"
    assert body["url"].endswith(f"/api/v1/tasks/{body['id']}")
    assert body["stream_url"].endswith(f"/api/v1/tasks/{body['id']}/stream")

    detail = api_client.get(f"/api/v1/tasks/{body['id']}").json()
    assert detail == {
        **detail,
        "id": body["id"],
        "document": doc["id"],
        "status": "queued",
        "result": "",
        "error": None,
        "progress": {"done": 0, "total": 0},
    }
    assert [t["id"] for t in api_client.get(f"/api/v1/documents/{doc['id']}/tasks").json()["results"]] == [
        body["id"]
    ]
    assert api_client.post(f"/api/v1/documents/{theirs.pk}/tasks").status_code == 404
    assert api_client.get(f"/api/v1/documents/{theirs.pk}/tasks").status_code == 404


def test_another_users_task_and_stream_are_404(api_client, other_user, docx_bytes, monkeypatch):
    from documents import services, tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    theirs = services.document_create(owner=other_user, uploaded=SimpleUploadedFile("o.docx", docx_bytes()))
    task = services.outline_start(document=theirs)

    assert api_client.get(f"/api/v1/tasks/{task.pk}").status_code == 404
    assert api_client.get(f"/api/v1/tasks/{task.pk}/stream").status_code == 404


def test_the_stream_answers_and_is_documented_like_the_rest_of_the_api(api_client, client):
    # A plain Django view (views/stream.py), not a ninja operation: the API's errors all the same.
    def error(response) -> tuple[int, str, str]:  # noqa: ANN001
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return response.status_code, response.json()["error"]["code"], response.json()["error"]["message"]

    for reader, url in (
        (client, "/api/v1/tasks/1"),
        (api_client, "/api/v1/tasks/abc"),
        (api_client, "/api/v1/tasks/9999"),
    ):
        assert error(reader.get(f"{url}/stream")) == error(reader.get(url))  # 401, 400, 404
    assert api_client.post("/api/v1/tasks/1/stream").status_code == 405
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/tasks/{task_id}/stream"]["get"]
    assert operation["tags"] == ["tasks"] and set(operation["responses"]) == {"200", "400", "401", "404"}
    assert operation["security"] == schema["paths"]["/api/v1/tasks/{task_id}"]["get"]["security"]


def test_cancel_and_continue_endpoints(api_client, docx_bytes, monkeypatch):
    from documents import tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    doc = _post(api_client, docx_bytes()).json()
    task_id = api_client.post(f"/api/v1/documents/{doc['id']}/tasks").json()["id"]

    cancelled = api_client.post(f"/api/v1/tasks/{task_id}/cancel")
    again = api_client.post(f"/api/v1/tasks/{task_id}/cancel")
    assert cancelled.status_code == again.status_code == 200
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["can_continue"] is True

    continued = api_client.post(f"/api/v1/tasks/{task_id}/continue")
    assert continued.status_code == 202
    new = api_client.get(f"/api/v1/tasks/{continued.json()['id']}").json()
    assert new["continued_from"] == task_id and new["status"] == "queued"

    not_continuable = api_client.post(f"/api/v1/tasks/{new['id']}/continue")
    assert not_continuable.status_code == 409
    assert not_continuable.json()["error"]["code"] == "not_continuable"


def test_cancelling_a_finished_task_says_so(api_client, user, docx_bytes, monkeypatch):
    from documents.models import OutlineTask

    doc = _post(api_client, docx_bytes()).json()
    task = OutlineTask.objects.create(owner=user, document_id=doc["id"], status="succeeded")

    response = api_client.post(f"/api/v1/tasks/{task.pk}/cancel")

    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "task_finished",
        "message": "This outline already finished (succeeded); there is nothing to cancel.",
    }


def test_limits_are_429_and_503_with_retry_after(api_client, docx_bytes, monkeypatch, settings):
    from documents import tasks

    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    doc, other = (_post(api_client, docx_bytes()).json() for _ in range(2))
    settings.MAX_ACTIVE_TASKS_PER_USER = 1
    api_client.post(f"/api/v1/documents/{doc['id']}/tasks")

    too_many = api_client.post(f"/api/v1/documents/{other['id']}/tasks")
    assert too_many.status_code == 429
    assert too_many.json()["error"]["code"] == "too_many_tasks"

    settings.MAX_ACTIVE_TASKS_PER_USER = 10
    settings.MAX_QUEUED_TASKS = 1
    busy = api_client.post(f"/api/v1/documents/{other['id']}/tasks")
    assert busy.status_code == 503 and busy["Retry-After"] == "30"
    assert busy.json()["error"]["code"] == "queue_full"


def test_task_error_message_follows_accept_language(api_client, user, docx_bytes):
    from documents.models import OutlineTask

    doc = _post(api_client, docx_bytes()).json()
    task = OutlineTask.objects.create(
        owner=user, document_id=doc["id"], status="failed", error_code="worker_lost"
    )

    zh = api_client.get(f"/api/v1/tasks/{task.pk}", headers={"Accept-Language": "zh-Hans"}).json()
    en = api_client.get(f"/api/v1/tasks/{task.pk}", headers={"Accept-Language": "en"}).json()
    assert zh["error"]["message"].startswith("生成此大纲")
    assert en["error"]["message"].startswith("The worker")


@pytest.mark.parametrize("path", ["/outline", "/outline/versions", "/outline.md", "/outline.docx"])
def test_an_id_beyond_the_database_integer_range_is_404_not_500(api_client, path):
    # Found by the schemathesis fuzz test: the outline lookup by foreign key column overflowed
    # SQLite's INTEGER (OverflowError, a 500) instead of matching nothing.
    response = api_client.get(f"/api/v1/documents/{2**70}{path}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_path_id_that_is_not_an_integer_is_a_documented_400(api_client, client):
    response = api_client.get("/api/v1/documents/1.5")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_request"
    # Every operation with a path parameter says so in the schema, so clients (and the fuzz
    # test's status code check) know a 400 can come back.
    schema = client.get("/api/v1/openapi.json").json()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "{" in path and "400" not in operation["responses"]
    ]
    assert undocumented == []
