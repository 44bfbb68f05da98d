from django.urls import path

from calculator import views

app_name = "calculator"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("calculator/", views.object_step, name="object"),
    path("calculator/comparables/", views.comparables_step, name="comparables"),
    path("calculator/analysis/", views.analysis_step, name="analysis"),
    path("calculator/report.md", views.report_markdown, name="report_markdown"),
    path("calculator/report/", views.report_print, name="report"),
    path("calculator/report.pdf", views.report_pdf, name="report_pdf"),
    path("calculator/share/", views.share, name="share"),
    path("calculator/reset/", views.reset, name="reset"),
    path("r/<str:token>/", views.share_view, name="shared"),
    path("r/<str:token>/report.pdf", views.shared_pdf, name="shared_pdf"),
]
