"""Share snapshots: a frozen, read-only copy of one report reachable by an unguessable token.

The token is random and unrelated to the session key, so a shared link shows one report and
grants nothing else; it stops working at `expires_at`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

DEFAULT_SHARE_DAYS = 30


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ShareSnapshotQuerySet(models.QuerySet):
    def live(self) -> ShareSnapshotQuerySet:
        return self.filter(expires_at__gt=timezone.now())


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
        days = getattr(settings, "HOUSLER_SHARE_DAYS", DEFAULT_SHARE_DAYS)
        return cls.objects.create(payload=payload, expires_at=timezone.now() + timedelta(days=days))

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
