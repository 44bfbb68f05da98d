"""No tables: sessions live in Redis. The model only carries the admin permissions."""

from django.db import models


class LiveSession(models.Model):
    """An entry point for the admin page "Сессии" and its dedicated permissions.

    Unmanaged and never queried; the admin views read the session store through
    `sessions_backend.inspector` instead.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_live_sessions", "Может просматривать живые сессии"),
            ("delete_live_sessions", "Может удалять живые сессии"),
        ]
        verbose_name = "сессия"
        verbose_name_plural = "сессии"

    def __str__(self) -> str:
        return "сессия"
