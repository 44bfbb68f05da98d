"""Share snapshots: a frozen, read-only copy of one report reachable by an unguessable token.

The token is random and unrelated to the session key, so a shared link shows one report and
grants nothing else; it stops working at `expires_at`, or earlier when its owner closes it (the row
is deleted). Expired rows are deleted by `manage.py purge_shares` (deploy/README.md).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from calculator.conf import conf


class SnapshotTooLarge(ValueError):
    """A report too big to keep as a link: each snapshot is a database row anyone may request."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(size, limit)
        self.message = (
            f"Отчёт слишком большой для ссылки ({-(-size // 1024)} КБ, предел {limit // 1024} КБ). "
            "Скачайте его кнопкой «Скачать отчёт» и отправьте файл"
        )


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ShareSnapshotQuerySet(models.QuerySet):
    def live(self) -> ShareSnapshotQuerySet:
        return self.filter(expires_at__gt=timezone.now())

    def expired(self) -> ShareSnapshotQuerySet:
        return self.filter(expires_at__lte=timezone.now())


class ShareSnapshot(models.Model):
    token = models.CharField("токен", max_length=64, unique=True, default=new_token)
    payload = models.JSONField("отчёт")
    created_at = models.DateTimeField("создан", auto_now_add=True)
    expires_at = models.DateTimeField("действует до", db_index=True)

    objects = ShareSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = "ссылка на отчёт"
        verbose_name_plural = "ссылки на отчёты"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.token[:6]}… до {self.expires_at:%d.%m.%Y}"

    @classmethod
    def create_for(cls, payload: dict) -> ShareSnapshot:
        """A new live snapshot; raises SnapshotTooLarge past HOUSLER_MAX_SHARE_BYTES."""
        limit = conf.HOUSLER_MAX_SHARE_BYTES
        size = len(json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
        if size > limit:
            raise SnapshotTooLarge(size, limit)
        days = conf.HOUSLER_SHARE_DAYS
        return cls.objects.create(payload=payload, expires_at=timezone.now() + timedelta(days=days))

    @classmethod
    def revoke(cls, tokens: list[str]) -> int:
        """Close these links now; returns how many were still open."""
        if not tokens:
            return 0
        deleted, _ = cls.objects.filter(token__in=tokens).delete()
        return deleted

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
