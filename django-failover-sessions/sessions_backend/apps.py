from django.apps import AppConfig


class SessionsBackendConfig(AppConfig):
    name = "sessions_backend"
    verbose_name = "Сессии"

    def ready(self) -> None:
        from . import (
            checks,  # noqa: F401  (registers the system checks)
            metrics,
        )

        metrics.connect()
