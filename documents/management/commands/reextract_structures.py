"""Re-extract the heading structure of stored documents (after an extractor upgrade), with a
progress bar. One bad file never stops the run: it is reported at the end."""

from __future__ import annotations

import argparse
import logging

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from documents import services, tasks
from documents.models import Document

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Extract the structure of every stored document again (or one user's), showing progress."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--user", help="Only this username's documents.")
        parser.add_argument(
            "--queue", action="store_true", help="Queue one Celery task per document instead of working here."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (logs and cron).")

    def handle(
        self, *args: object, user: str | None, queue: bool, no_progress: bool, **options: object
    ) -> None:
        documents = Document.objects.order_by("pk")
        if user:
            documents = documents.filter(owner__username=user)
            if not documents.exists():
                raise CommandError(f"No documents for user {user!r}.")
        total = documents.count()
        changed = unchanged = 0
        failed: list[tuple[int, str]] = []
        bar = tqdm(
            documents.iterator(chunk_size=200),
            total=total,
            desc="Queueing" if queue else "Re-extracting",
            unit="doc",
            file=self.stderr,
            disable=no_progress,
            dynamic_ncols=True,
        )
        for document in bar:
            if queue:
                tasks.document_reextract.delay(document.pk)
                continue
            before = document.structure
            try:
                after = services.document_reextract(document=document).structure
            except Exception as exc:  # a missing or unreadable file: note it and go on
                logger.warning("re-extracting document=%s failed", document.pk, exc_info=True)
                failed.append((document.pk, f"{type(exc).__name__}: {exc}"[:200]))
                continue
            if after == before:
                unchanged += 1
            else:
                changed += 1
            bar.set_postfix(changed=changed, failed=len(failed), refresh=False)
        bar.close()
        if queue:
            self.stdout.write(f"Queued {total} document(s).")
            return
        self.stdout.write(
            f"{total} document(s): {changed} changed, {unchanged} unchanged, {len(failed)} failed."
        )
        for pk, reason in failed:
            self.stdout.write(f"  document {pk}: {reason}")
        if failed:
            raise CommandError(f"{len(failed)} document(s) could not be re-extracted (listed above).")
