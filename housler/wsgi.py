"""WSGI entry point used by gunicorn (`housler.wsgi:application`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "housler.settings")

application = get_wsgi_application()
