"""Ops endpoints, mounted at the site root (no trailing slash: what monitors expect)."""

from django.urls import path

from . import views

urlpatterns = [
    path("health", views.health, name="health"),
    path("metrics", views.metrics, name="metrics"),
]
