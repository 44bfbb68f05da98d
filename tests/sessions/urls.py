"""Tiny views that use the session the way the wizard does, for engine tests over HTTP."""

from django.http import JsonResponse
from django.urls import path

# Tests may set hooks["before_write"] to act (e.g. stop Redis) between reading and writing.
hooks: dict = {}


def put(request, value):
    request.session.get("value")
    hooks.get("before_write", lambda: None)()
    request.session["value"] = value
    return JsonResponse({"value": value, "key": request.session.session_key})


def get(request):
    return JsonResponse({"value": request.session.get("value")})


def flush(request):
    request.session.flush()
    return JsonResponse({"flushed": True})


def cycle(request):
    request.session.cycle_key()
    return JsonResponse({"value": request.session.get("value")})


urlpatterns = [
    path("put/<str:value>/", put),
    path("get/", get),
    path("flush/", flush),
    path("cycle/", cycle),
]
