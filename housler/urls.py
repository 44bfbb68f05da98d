"""Top-level routes: the calculator, the ops endpoints, CSP reports and the admin."""

from django.contrib import admin
from django.urls import include, path

from . import views
from .csp_report import csp_report

admin.site.site_header = "Housler — администрирование"
admin.site.site_title = "Housler"
admin.site.index_title = "Панель управления"

urlpatterns = [
    # Ops endpoints at the site root, no trailing slash: what monitors expect.
    path("health", views.health, name="health"),
    path("metrics", views.metrics, name="metrics"),
    path("csp-report/", csp_report, name="csp-report"),
    path("admin/", admin.site.urls),
    path("", include("calculator.urls")),
]

handler400 = "housler.errors.bad_request"
handler403 = "housler.errors.permission_denied"
handler404 = "housler.errors.page_not_found"
handler500 = "housler.errors.server_error"
