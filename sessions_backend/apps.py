from django.apps import AppConfig


class SessionsBackendConfig(AppConfig):
    name = "sessions_backend"
    verbose_name = "Сессии"
