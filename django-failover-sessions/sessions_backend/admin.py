"""Admin page "Сессии": live sessions from the active store, for staff with the dedicated perms.

Listed, opened and deleted through `sessions_backend.inspector`; URLs name a session by its
`ref`, so neither the access log nor the browser history ever holds a usable session key, and
pages show the short key only. A full key pasted into the URL is refused like any non-ref, with
a 404 that is neither logged nor checked for permissions (whose refusal Django would log).
"""

import logging
from collections.abc import Callable

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotFound,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from redis.exceptions import RedisError

from . import inspector
from .failover import get_storage
from .models import LiveSession

logger = logging.getLogger("sessions_backend")
VIEW_PERMISSION = "sessions_backend.view_live_sessions"
DELETE_PERMISSION = "sessions_backend.delete_live_sessions"
PER_PAGE = 50


@admin.register(LiveSession)
class LiveSessionAdmin(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(VIEW_PERMISSION)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(VIEW_PERMISSION)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(DELETE_PERMISSION)

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        refs_only = self.refs_only
        return [
            path("", wrap(self.list_view), name=f"{name}_changelist"),
            path("<str:ref>/", refs_only(wrap(self.detail_view)), name=f"{name}_change"),
            path(
                "<str:ref>/delete/",
                refs_only(wrap(self.delete_session_view)),
                name=f"{name}_delete",
            ),
            # Anything else under the inspector: the same unlogged 404, never admin's catch-all,
            # which sends a visitor who is not logged in to `login/?next=<the path>`.
            re_path(r"^(?P<ref>.+)$", lambda request, ref: self.not_a_ref()),
        ]

    def refs_only(self, view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        """`view` for a ref; a 404 for anything else *before* the admin's login check, whose
        redirect would carry a pasted session key into `?next=`, the access log and history."""

        def guarded(request: HttpRequest, ref: str) -> HttpResponse:
            return view(request, ref) if inspector.is_ref(ref) else self.not_a_ref()

        return guarded

    def context(self, request: HttpRequest, title: str, **extra) -> dict:
        storage = get_storage()
        store = storage.active
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "store_name": store.name,
            "store_shared": store.shared,
            "degraded": storage.degraded,
            "can_delete": self.has_delete_permission(request),
            **extra,
        }

    def require(self, request: HttpRequest, allowed: bool) -> None:
        if not allowed:
            raise PermissionDenied

    def not_a_ref(self) -> HttpResponse:
        """404 for a path that is no ref: it may be a session key, so it must not reach a log."""
        response = HttpResponseNotFound("Сессия не найдена", content_type="text/plain")
        response._has_been_logged = True  # Django's own flag: django.utils.log.log_response skips
        return response

    def list_view(self, request: HttpRequest) -> HttpResponse:
        self.require(request, self.has_view_permission(request))
        search = request.GET.get("q", "")[:200]
        error = ""
        try:
            listing = inspector.list_sessions(get_storage().active, search=search)
        except RedisError as exc:
            listing = inspector.Listing([], 0, False)
            error = f"Хранилище сессий не отвечает: {type(exc).__name__}"
        page = Paginator(listing.sessions, PER_PAGE).get_page(request.GET.get("p"))
        return TemplateResponse(
            request,
            "admin/sessions_backend/livesession_list.html",
            self.context(
                request,
                "Сессии",
                page=page,
                listing=listing,
                search=search,
                error=error,
                scan_limit=inspector.SCAN_LIMIT,
            ),
        )

    def get_session(self, request: HttpRequest, ref: str) -> inspector.SessionSnapshot:
        try:
            session = inspector.find_session(get_storage().active, ref)
        except RedisError as exc:
            raise Http404("Хранилище сессий не отвечает") from exc
        if session is None or session.ref != ref:
            raise Http404("Сессия не найдена или уже истекла")
        return session

    def detail_view(self, request: HttpRequest, ref: str) -> HttpResponse:
        if not inspector.is_ref(ref):
            return self.not_a_ref()
        self.require(request, self.has_view_permission(request))
        session = self.get_session(request, ref)
        return TemplateResponse(
            request,
            "admin/sessions_backend/livesession_detail.html",
            self.context(request, f"Сессия {session.short_key}", session=session),
        )

    def delete_session_view(self, request: HttpRequest, ref: str) -> HttpResponse:
        if not inspector.is_ref(ref):
            return self.not_a_ref()
        self.require(request, self.has_delete_permission(request))
        session = self.get_session(request, ref)
        if request.method == "POST":
            outcome = inspector.delete_session(session.key)
            logger.info(
                "Session %s deleted from the admin by %s (%s)",
                session.short_key,
                request.user.get_username(),
                outcome,
            )
            if outcome == "failed":
                messages.error(request, "Redis недоступен: сессия не удалена, повторите позже.")
            elif outcome == "tombstone":
                messages.warning(
                    request,
                    f"Сессия {session.short_key} удалена из резервного хранилища; в Redis она "
                    "будет удалена, как только он станет доступен.",
                )
            else:
                messages.success(request, f"Сессия {session.short_key} удалена.")
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        return TemplateResponse(
            request,
            "admin/sessions_backend/livesession_delete.html",
            self.context(request, "Удалить сессию?", session=session),
        )
