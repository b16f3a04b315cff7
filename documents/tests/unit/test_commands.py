from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_create_api_token_prints_a_working_token_last(user):
    out = io.StringIO()
    call_command("create_api_token", "alice", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]

    response = Client().get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_create_api_token_can_create_the_user():
    out = io.StringIO()
    call_command("create_api_token", "张三", "--create-user", stdout=out, stderr=io.StringIO())

    token = out.getvalue().strip().splitlines()[-1]
    assert Client().get("/api/v1/documents", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_create_api_token_for_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="--create-user"):
        call_command("create_api_token", "nobody")
