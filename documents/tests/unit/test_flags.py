"""The `streaming` feature flag: on, off, per user, rolled out, excluded users."""

from __future__ import annotations

import pytest
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


@pytest.fixture
def flag() -> Flag:
    return Flag.objects.get(name="streaming")


def test_streaming_is_on_for_everyone_after_migrating(flag: Flag, user, other_user):
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
