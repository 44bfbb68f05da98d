from django.apps import AppConfig


class HouslerConfig(AppConfig):
    """The project as an app, so its own system checks register like any app's."""

    name = "housler"
    verbose_name = "Housler"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers housler.E003)
