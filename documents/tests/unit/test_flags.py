"""The `streaming` feature flag: on, off, per user, rolled out, excluded users."""

from __future__ import annotations

import importlib
import json
import re
from html import unescape

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, Group, User
from django.test import RequestFactory

from documents import selectors
from documents.models import Flag

pytestmark = pytest.mark.django_db


def _request(user: User | AnonymousUser):  # noqa: ANN202
    request = RequestFactory().get("/documents/")
    request.user = user
    request.COOKIES = {}
    return request


def _migrate_flag() -> Flag:
    """Run the data migration that creates the flag (a transactional test elsewhere in the run
    may have flushed the row it created when the test database was built)."""
    from django.apps import apps

    migration = importlib.import_module("documents.migrations.0007_streaming_flag")
    migration.create_streaming_flag(apps, None)
    return Flag.objects.get(name="streaming")


@pytest.fixture
def flag() -> Flag:
    return _migrate_flag()


def test_streaming_is_on_for_everyone_after_migrating(user, other_user):
    Flag.objects.filter(name="streaming").delete()

    flag = _migrate_flag()

    assert flag.everyone is True
    assert selectors.streaming_enabled(request=_request(user))
    assert selectors.streaming_enabled(request=_request(other_user))


def test_the_kill_switch_turns_it_off_for_everyone(flag: Flag, user):
    flag.everyone = False
    flag.save()
    flag.users.add(user)  # Everyone = No wins over any list

    assert not selectors.streaming_enabled(request=_request(user))


def test_it_can_be_rolled_out_to_some_users_or_a_group(flag: Flag, user, other_user):
    third = User.objects.create_user("carol", password="x-long-pass-9")
    beta = Group.objects.create(name="beta")
    third.groups.add(beta)
    flag.everyone = None
    flag.save()
    flag.users.add(user)
    flag.groups.add(beta)

    assert selectors.streaming_enabled(request=_request(user))
    assert selectors.streaming_enabled(request=_request(third))
    assert not selectors.streaming_enabled(request=_request(other_user))


def test_excluded_users_never_stream_even_when_everyone_does(flag: Flag, user, other_user):
    flag.excluded_users.add(other_user)

    assert selectors.streaming_enabled(request=_request(user))
    assert not selectors.streaming_enabled(request=_request(other_user))


def test_a_missing_flag_means_streaming(flag: Flag, user):
    flag.delete()

    assert selectors.streaming_enabled(request=_request(user))


def test_anonymous_requests_follow_the_global_setting(flag: Flag):
    assert selectors.streaming_enabled(request=_request(AnonymousUser()))


# ------------------------------------------------------------------ the task card
def _card_page(client, task) -> str:  # noqa: ANN001
    return client.get(f"/documents/tasks/{task.pk}/", headers={"HX-Request": "true"}).content.decode()


@pytest.fixture
def running_task(user, settings, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services, tasks
    from documents.tests.conftest import make_docx

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.outline_generate, "delay", lambda task_id: None)
    document = services.document_create(owner=user, uploaded=SimpleUploadedFile("计划.docx", make_docx()))
    return services.outline_start(document=document)


def test_a_streaming_card_binds_to_its_stream(logged_in, flag: Flag, running_task):
    html = _card_page(logged_in, running_task)

    assert "data-outline-stream" in html and f"/api/v1/tasks/{running_task.pk}/stream" in html
    assert "data-outline-poll" not in html and 'hx-trigger="every 1s"' not in html


def test_a_streaming_card_carries_the_status_labels_in_the_readers_language(
    logged_in, flag: Flag, running_task
):
    """outline-pane.js shows the statuses the stream reports with these labels: no copy in JS."""
    labels = {}
    for language in ("zh-hans", "en"):
        logged_in.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
        attribute = re.search(r'data-status-labels="([^"]*)"', _card_page(logged_in, running_task))
        labels[language] = json.loads(unescape(attribute[1]))

    assert labels["zh-hans"] == {
        "queued": "排队中", "preparing": "准备中", "running": "生成中",
        "succeeded": "已完成", "failed": "失败", "cancelled": "已取消",
    }  # fmt: skip
    assert labels["en"] == {
        "queued": "Queued", "preparing": "Preparing", "running": "Running",
        "succeeded": "Succeeded", "failed": "Failed", "cancelled": "Cancelled",
    }  # fmt: skip


def test_with_streaming_off_the_card_polls_every_second_until_finished(
    logged_in, flag: Flag, user, running_task
):
    from documents.models import OutlineTask

    flag.excluded_users.add(user)

    running = _card_page(logged_in, running_task)
    OutlineTask.objects.filter(pk=running_task.pk).update(
        status="succeeded", result="# 计划\n\n## 背景\n\n摘要。"
    )
    finished = _card_page(logged_in, running_task)

    assert "data-outline-poll" in running and 'hx-trigger="every 1s"' in running
    assert "data-outline-stream" not in running and "/stream" not in running
    assert "data-outline-poll" in finished and "hx-trigger" not in finished  # polling stops
    assert "摘要。" in finished


def test_with_streaming_off_a_regenerating_section_polls_then_offers_keep_and_discard(
    logged_in, flag: Flag, user, running_task
):
    from documents import services
    from documents.models import OutlineTask

    flag.excluded_users.add(user)
    OutlineTask.objects.filter(pk=running_task.pk).update(
        status="succeeded", result="# 计划\n\n## 背景\n\n旧摘要。"
    )
    services.outline_adopt(task=OutlineTask.objects.get(pk=running_task.pk), author=user)
    url = f"/documents/{running_task.document_id}/outline/sections/0/regenerate/"

    started = logged_in.post(url, headers={"HX-Request": "true"}).content.decode()
    section = OutlineTask.objects.get(section_index=0)
    polled = logged_in.get(f"/documents/tasks/{section.pk}/section/", headers={"HX-Request": "true"})
    OutlineTask.objects.filter(pk=section.pk).update(status="succeeded", result="新摘要。")
    done = logged_in.get(
        f"/documents/tasks/{section.pk}/section/", headers={"HX-Request": "true"}
    ).content.decode()

    assert "data-outline-poll" in started and "/stream" not in started
    assert (
        f'hx-get="/documents/tasks/{section.pk}/section/"' in started and 'hx-trigger="every 1s"' in started
    )
    assert polled.status_code == 200 and 'hx-trigger="every 1s"' in polled.content.decode()
    # Done: polling stops, the new text stands beside the current one, and nothing is applied yet.
    assert "hx-trigger" not in done.split('data-testid="section-decision"')[0]
    assert "新摘要。" in done and "旧摘要。" in done
    assert (
        f"/documents/tasks/{section.pk}/keep/" in done and f"/documents/tasks/{section.pk}/discard/" in done
    )
    assert "旧摘要。" in OutlineTask.objects.get(pk=running_task.pk).document.outline.markdown


def test_a_whole_outline_task_has_no_section_view(logged_in, running_task):
    response = logged_in.get(f"/documents/tasks/{running_task.pk}/section/", headers={"HX-Request": "true"})

    assert response.status_code == 404
