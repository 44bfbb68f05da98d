"""Wizard-like views for `bench/sessions.py`: the session work of a wizard step, nothing else.

A flow is: `start` (new session, ~3 KB state), then `read` and `write` steps. Every step reports
which flow and version the session holds, so the client can tell its own data from a lost,
foreign or stale session. The `nosession/` views do the same request parsing and answer without
a session: the ceiling row.
"""

import json
import os

from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST


def answer(state: dict | None, **extra: object) -> JsonResponse:
    """What the client checks: the flow and version found in the session (None when empty)."""
    found = {"flow": state["flow"], "version": state["version"]} if state else {"flow": None}
    return JsonResponse({**found, "pid": os.getpid(), **extra})


@csrf_exempt
@require_POST
def start(request: HttpRequest) -> JsonResponse:
    """A newcomer's first step: no cookie yet, so saving the state creates the session."""
    state = json.loads(request.body)
    request.session["state"] = state
    return answer(state)


@require_GET
def read(request: HttpRequest) -> JsonResponse:
    """A step page: load the state and show it, the session is not modified."""
    state = request.session.get("state")
    return answer(state, comparables=len(state["comparables"]) if state else 0)


@csrf_exempt
@require_POST
def write(request: HttpRequest) -> JsonResponse:
    """A form POST: load the state, replace it if it is this flow's, report what was there.

    A lost or foreign session is not overwritten: the client counts it and starts a new flow,
    as a user told "session not found" would.
    """
    new = json.loads(request.body)
    state = request.session.get("state")
    if state is not None and state["flow"] == new["flow"]:
        request.session["state"] = new
    return answer(state)


@csrf_exempt
@require_POST
def start_without_session(request: HttpRequest) -> JsonResponse:
    return answer(json.loads(request.body))


@require_GET
def read_without_session(request: HttpRequest) -> JsonResponse:
    flow, version = request.GET["flow"], int(request.GET["version"])
    return answer({"flow": flow, "version": version}, comparables=0)


@csrf_exempt
@require_POST
def write_without_session(request: HttpRequest) -> JsonResponse:
    new = json.loads(request.body)
    return answer({"flow": new["flow"], "version": new["version"] - 1})


urlpatterns = [
    path("start/", start),
    path("read/", read),
    path("write/", write),
    path("nosession/start/", start_without_session),
    path("nosession/read/", read_without_session),
    path("nosession/write/", write_without_session),
]
