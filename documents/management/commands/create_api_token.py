from __future__ import annotations

import argparse

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from documents import services


class Command(BaseCommand):
    help = "Create an API bearer token for USERNAME and print it (last line). It is shown only once."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--create-user", action="store_true", help="Create the user if it does not exist."
        )

    def handle(self, *args: object, username: str, create_user: bool, **options: object) -> None:
        User = get_user_model()
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            if not create_user:
                raise CommandError(f"No user {username!r}; pass --create-user to create one.") from None
            user = User.objects.create_user(username=username)  # no password: API-only until set
            self.stderr.write(f"Created user {username!r} (no password set).")
        self.stdout.write(services.api_token_create(user=user))
