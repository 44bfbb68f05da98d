"""`manage.py purge_shares`: delete expired share snapshots (run daily next to `clearsessions`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from calculator.models import ShareSnapshot


class Command(BaseCommand):
    help = "Delete share links past their expiry date (an expired link answers 410 either way)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what would be deleted"
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        expired = ShareSnapshot.objects.expired()
        if dry_run:
            self.stdout.write(f"{expired.count()} expired share links would be deleted")
            return
        deleted, _ = expired.delete()
        self.stdout.write(f"{deleted} expired share links deleted")
