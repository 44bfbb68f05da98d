"""Calculator pages. Views only dispatch: logic lives in forms, wizard.py, valuation/, reports.py,
and fetching from Cian in fetching.py.

Every POST carries a hidden `action`; the page view looks up its handler, which binds that one
form and gathers what the change needs (Cian fetches, uploads, share links: done once). It returns
a `Change`, a pure function of the wizard state that `_commit` applies, saves and redirects (PRG);
a save that meets another request's save redoes the change on the fresh state, and a form's
one-time token makes a resubmission a redirect to its result (docs/sessions.md, "Concurrent
saves"). On failure the page is rendered again with the submitted form, its errors and the input.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from calculator import cian, comparable_list, fetching, pdf, ratelimit, reports, uploads, valuation
from calculator.forms import (
    ComparableChoiceForm,
    analyze_form,
    comparable_forms,
    object_forms,
    role_form,
)
from calculator.models import ShareSnapshot, SnapshotTooLarge
from calculator.templatetags.placed_messages import near_tag
from calculator.wizard import (
    MAX_OWNED_SHARES,
    ComparablesFull,
    TooLarge,
    WizardState,
    form_token,
    stored_listing,
)
from sessions_backend.exceptions import SessionConflict, SessionTooLarge


@dataclass(frozen=True)
class Done:
    """A change applied: where PRG sends the visitor, and the messages it shows once saved."""

    to: str
    anchor: str = ""
    notes: tuple[tuple[int, str], ...] = ()


# Applies an action to the (possibly freshly reloaded) state; None: re-render with form errors.
Change = Callable[[WizardState], Done | None]
Handler = Callable[[HttpRequest, WizardState, object], HttpResponse | Change | None]
# Tries of one change against concurrent saves of the same session: enough for a visitor's burst
# of parallel posts (10 at once land, tests/integration/test_concurrent_edits.py), each retry
# after a short random pause so the racers spread out; each try is one GET and one EVALSHA.
COMMIT_ATTEMPTS = 10
RETRY_PAUSE = 0.005  # s, times the attempt number, at most
# Pages that show something on GET also answer HEAD (monitors, link previews).
PAGE_METHODS = ["GET", "HEAD", "POST"]


@require_safe
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "calculator/landing.html")


# --- shared plumbing --------------------------------------------------------------------------


def session_age_text() -> str:
    """ "24 часов" for SESSION_COOKIE_AGE, in the genitive that follows "старше"."""
    hours = max(1, round(settings.SESSION_COOKIE_AGE / 3600))
    one = hours % 10 == 1 and hours % 100 != 11
    return f"{hours} часа" if one else f"{hours} часов"


def _context(state: WizardState, step: int, **extra: object) -> dict:
    return {"state": state, "target": state.target, "step": step, **extra}


def _expired_or_restart(request: HttpRequest, state: WizardState) -> HttpResponse:
    """No flat in the wizard: explain an expired session, or send a newcomer to step 1."""
    if state.expired:
        context = {"hours": session_age_text()}
        return render(request, "calculator/expired.html", context)
    return redirect("calculator:object")


def _gate(request: HttpRequest, state: WizardState) -> HttpResponse | None:
    """Send the visitor back to the step they skipped (steps 2 and 3 share this precondition)."""
    missing = state.missing_step()
    if missing == "target":
        return _expired_or_restart(request, state)
    if missing == "details":
        messages.info(request, "Сначала уточните параметры квартиры")
        return redirect("calculator:object")
    return None


def _refused(form, field: str | None, exc: fetching.FetchRefused) -> None:
    """A fetch that brought nothing: its sentence on the form, and whether a saved page helps."""
    form.add_error(field, exc.message)
    form.saved_page_helps = exc.saved_page_helps


def _fetch_listing(request: HttpRequest, form) -> dict | None:
    """The listing at the form's link, or None with the reason on its `url` field."""
    if not form.is_valid():
        return None
    try:
        return fetching.fetch_listing_for(request, form.cleaned_data["url"])
    except fetching.FetchRefused as exc:
        _refused(form, "url", exc)
        return None


def _fetch_failed(forms_: dict, fetches: tuple[str, ...]) -> bool:
    """A fetch of this request failed the way a page saved in the visitor's browser avoids."""
    return any(getattr(forms_[name], "saved_page_helps", False) for name in fetches)


def _guide_open(forms_: dict, upload: str, fetches: tuple[str, ...]) -> bool:
    """The "how to save a page" guide starts open after a failed fetch or a failed upload."""
    return _fetch_failed(forms_, fetches) or bool(forms_[upload].errors)


def _saved_first(forms_: dict, fetches: tuple[str, ...]) -> bool:
    """Steps 1 and 2 lead with the saved-page upload while Cian refuses the server: a fetch of
    this request just failed, or the site's newest fetch did (docs/user-guide.md)."""
    return _fetch_failed(forms_, fetches) or cian.refused_lately()


def _dispatch(
    request: HttpRequest, state: WizardState, forms_: dict, handlers: dict[str, Handler]
) -> HttpResponse | None:
    action = request.POST.get("action", "")
    if action not in handlers:
        raise BadRequest("unknown action")
    token = form_token(request.POST.get("form_token"))
    if applied := state.applied_form(token):  # a resubmission: show its result, change nothing
        return HttpResponseRedirect(applied)
    result = handlers[action](request, state, forms_[action])
    if result is None or isinstance(result, HttpResponse):
        return result
    try:
        return _commit(request, state, result, token)
    except TooLarge as exc:
        return _too_large(state, forms_[action], exc)


def _too_large(state: WizardState, form, exc: TooLarge) -> None:
    """A change the session could not hold: dropped, and the form says so; without a form to
    say it on, the middleware's 413 page does."""
    try:
        state.discard()
    except UpdateError as gone:
        raise _interrupted() from gone
    if form is None:
        raise SessionTooLarge(str(exc)) from exc
    form.add_error(None, exc.message)


def _commit(
    request: HttpRequest, state: WizardState, change: Change, token: str | None
) -> HttpResponse | None:
    """Apply `change` and save it now; when another request saved meanwhile, redo it on the
    fresh state, up to COMMIT_ATTEMPTS times (then SessionConflict: the middleware's 409)."""
    for attempt in range(1, COMMIT_ATTEMPTS + 1):
        done = change(state)
        if done is None:
            return None
        location = _location(done.to, done.anchor)
        state.remember_form(token, location)
        try:
            state.commit()
            break
        except SessionConflict:
            if attempt == COMMIT_ATTEMPTS:
                raise
            time.sleep(random.uniform(0, RETRY_PAUSE * attempt))
            _reload(state)
            if applied := state.applied_form(token):  # the same form, submitted twice at once
                return HttpResponseRedirect(applied)
        except UpdateError as exc:
            raise _interrupted() from exc
    for level, text in done.notes:  # shown beside the anchor the page lands on
        messages.add_message(request, level, text, extra_tags=near_tag(done.anchor))
    return HttpResponseRedirect(location)


def _reload(state: WizardState) -> None:
    try:
        state.reload()
    except UpdateError as exc:
        raise _interrupted() from exc


def _interrupted() -> SessionInterrupted:
    """The session was deleted meanwhile (start over in another tab): Django's 400, as when
    its middleware's save finds the session gone."""
    return SessionInterrupted("The session was deleted before the request completed.")


def _then(apply: Callable[[WizardState], object], done: Done) -> Change:
    """A change that cannot fail: apply, then `done`."""

    def change(state: WizardState) -> Done:
        apply(state)
        return done

    return change


def _location(to: str, anchor: str = "") -> str:
    return resolve_url(to) + (f"#{anchor}" if anchor else "")


def _redirect(to: str, anchor: str = "") -> HttpResponse:
    return HttpResponseRedirect(_location(to, anchor))


# --- step 1: the flat -------------------------------------------------------------------------


def _take_target(form, listing: dict | None, *, field: str, source: str) -> Change | None:
    """A fetched or uploaded listing becomes the flat; the details form comes next."""
    if listing is None:
        return None
    if not listing.get("total_area"):
        form.add_error(field, "В объявлении не указана площадь — введите данные вручную")
        return None
    try:
        stored_listing(listing)
    except TooLarge as exc:
        form.add_error(field, exc.message)
        return None
    loaded = (messages.SUCCESS, "Объявление загружено. Проверьте параметры квартиры")
    return _then(
        lambda state: state.set_target(listing, source=source),
        Done("calculator:object", "details", (loaded,)),
    )


def _on_url(request: HttpRequest, state: WizardState, form) -> Change | None:
    listing = _fetch_listing(request, form)
    return _take_target(form, listing, field="url", source="url")


def _on_upload(request: HttpRequest, state: WizardState, form) -> Change | None:
    listing = form.read() if form.is_valid() else None
    return _take_target(form, listing, field="page", source="file")


def _on_manual(request: HttpRequest, state: WizardState, form) -> Change | None:
    if not form.is_valid():
        return None
    listing = form.listing()
    return _then(
        lambda state: state.set_target(listing, source="manual"),
        Done("calculator:object", "details"),
    )


def _on_details(request: HttpRequest, state: WizardState, form) -> Change | None:
    if form is None or not form.is_valid():
        return None
    details = form.cleaned_data
    return _then(lambda state: state.set_details(details), Done("calculator:comparables"))


OBJECT_ACTIONS: dict[str, Handler] = {
    "url": _on_url,
    "upload": _on_upload,
    "manual": _on_manual,
    "details": _on_details,
}


@require_http_methods(PAGE_METHODS)
def object_step(request: HttpRequest) -> HttpResponse:
    state = WizardState.load(request)
    posted = request.POST.get("action") if request.method == "POST" else None
    if posted == "details" and not state.has_target:
        return _expired_or_restart(request, state)
    forms_ = object_forms(state, request.POST, posted)
    forms_["upload"] = uploads.upload_form("upload", request, posted)
    if posted and (response := _dispatch(request, state, forms_, OBJECT_ACTIONS)):
        return response
    change_open = posted in ("url", "upload", "manual") or not state.has_target
    saved_first = _saved_first(forms_, ("url",))  # a newcomer then needs the guide at once
    guide_open = _guide_open(forms_, "upload", ("url",)) or (saved_first and not state.has_target)
    context = _context(
        state,
        1,
        forms=forms_,
        change_open=change_open,
        hours=session_age_text(),
        posted=posted,
        guide_open=guide_open,
        saved_first=saved_first,
        upload_file_limit=uploads.file_limit_text(),
    )
    return render(request, "calculator/step_object.html", context)


# --- step 2: comparables ----------------------------------------------------------------------


def _full(state: WizardState, form) -> bool:
    """Refuse an addition up front when the list is at its cap (before any fetch from Cian)."""
    if state.is_full:
        form.add_error(None, ComparablesFull(len(state.comparables)).message)
    return state.is_full


def _on_find(request: HttpRequest, state: WizardState, form) -> Change | None:
    if _full(state, form):
        return None
    try:
        with fetching.cian_budget(request) as budget:
            found = comparable_list.search(state.target, budget=budget)
    except fetching.FetchRefused as exc:
        _refused(form, None, exc)
        return None

    def change(state: WizardState) -> Done:
        outcome = comparable_list.add_found(state, found)
        notes = []
        if outcome.added:
            notes.append((messages.SUCCESS, f"Добавлено аналогов: {outcome.added}"))
        if outcome.full:
            notes.append((messages.WARNING, ComparablesFull(len(state.comparables)).message))
        return Done("calculator:comparables", "search", tuple(notes))

    return change


def _added(comparable: dict) -> Done:
    added = (messages.SUCCESS, f"Аналог №{comparable['id'][1:]} добавлен")
    return Done("calculator:comparables", "list", (added,))


def _on_add_url(request: HttpRequest, state: WizardState, form) -> Change | None:
    if _full(state, form):
        return None
    listing = _fetch_listing(request, form)
    if listing is None:
        return None

    def change(state: WizardState) -> Done | None:
        try:
            return _added(comparable_list.add_listing(state, listing, origin="link"))
        except comparable_list.Rejected as exc:
            form.add_error("url", exc.message)
            return None

    return change


def _on_add_manual(request: HttpRequest, state: WizardState, form) -> Change | None:
    if _full(state, form) or not form.is_valid():
        return None
    listing = form.listing()

    def change(state: WizardState) -> Done | None:
        try:
            return _added(state.add_comparable(listing, origin="manual"))
        except ComparablesFull as exc:  # filled up by another request meanwhile
            form.add_error(None, exc.message)
            return None

    return change


def _on_add_pages(request: HttpRequest, state: WizardState, form) -> Change | None:
    """Every good file is taken; the bad ones are named in the upload's summary."""
    if _full(state, form) or not form.is_valid():
        return None
    upload = form.read()
    if upload is None:
        return None

    def change(state: WizardState) -> Done:
        added, problems = comparable_list.add_saved_pages(state, upload.pages)
        state.record_upload(added=added, problems=upload.problems + problems)
        return Done("calculator:comparables", "add-pages")

    return change


def _toggle(excluded: bool) -> Handler:
    def handler(request: HttpRequest, state: WizardState, form) -> Change:
        comparable_id = form.cleaned_data["comparable_id"] if form.is_valid() else None

        def change(state: WizardState) -> Done:
            if comparable_id is None or not state.set_excluded(comparable_id, excluded):
                missing = (messages.ERROR, "Такого аналога нет в списке — обновите страницу")
                return Done("calculator:comparables", "list", (missing,))
            return Done("calculator:comparables", "list")

        return change

    return handler


def _on_analyze(request: HttpRequest, state: WizardState, form) -> Change | None:
    if not form.is_valid():
        return None

    def change(state: WizardState) -> Done | None:
        try:
            result = valuation.value_with_settings(state.target, state.comparables)
        except (valuation.NotEnoughComparables, valuation.InvalidTarget) as exc:
            form.add_error(None, exc.message)
            return None
        state.store_analysis(result)
        return Done("calculator:analysis")

    return change


def _keep(recompute: bool) -> Handler:
    """The visitor vouches for a comparable dropped as an outlier; on step 3 the result is
    computed again at once, on step 2 the list says it will count."""
    to, anchor = ("calculator:analysis", "") if recompute else ("calculator:comparables", "list")

    def handler(request: HttpRequest, state: WizardState, form) -> Change:
        comparable_id = form.cleaned_data["comparable_id"] if form.is_valid() else None

        def change(state: WizardState) -> Done:
            if comparable_id is None or not state.set_kept(comparable_id, True):
                missing = (messages.ERROR, "Такого аналога нет в списке — обновите страницу")
                return Done(to, anchor, (missing,))
            if recompute:
                try:
                    result = valuation.value_with_settings(state.target, state.comparables)
                except (valuation.NotEnoughComparables, valuation.InvalidTarget) as exc:
                    return Done(to, anchor, ((messages.ERROR, exc.message),))
                state.store_analysis(result)
            kept = (messages.SUCCESS, f"Аналог №{comparable_id[1:]} снова в расчёте")
            return Done(to, anchor, (kept,))

        return change

    return handler


def _on_role(request: HttpRequest, state: WizardState, form) -> Change | None:
    if not form.is_valid():
        form.add_error(None, "Выберите, продаёте вы эту квартиру или хотите купить")
        return None
    role = form.cleaned_data["role"]
    return _then(lambda state: state.set_role(role), Done("calculator:analysis", "role"))


COMPARABLE_ACTIONS: dict[str, Handler] = {
    "find": _on_find,
    "add_url": _on_add_url,
    "add_manual": _on_add_manual,
    "add_pages": _on_add_pages,
    "exclude": _toggle(True),
    "include": _toggle(False),
    "keep": _keep(recompute=False),
    "analyze": _on_analyze,
}


@require_http_methods(PAGE_METHODS)
def comparables_step(request: HttpRequest) -> HttpResponse:
    state = WizardState.load(request)
    if response := _gate(request, state):
        return response
    posted = request.POST.get("action") if request.method == "POST" else None
    forms_ = comparable_forms(state, request.POST, posted)
    forms_["add_pages"] = uploads.upload_form("add_pages", request, posted)
    if posted and (response := _dispatch(request, state, forms_, COMPARABLE_ACTIONS)):
        return response
    context = _context(
        state,
        2,
        forms=forms_,
        posted=posted,
        guide_open=_guide_open(forms_, "add_pages", ("find", "add_url")),
        saved_first=_saved_first(forms_, ("find", "add_url")),
        upload_max_files=uploads.max_files(),
        upload_max_mb=uploads.max_mb(),
        upload_file_limit=uploads.file_limit_text(),
        **comparable_list.page_context(state),
    )
    return render(request, "calculator/step_comparables.html", context)


# --- step 3: analysis, reports, sharing -------------------------------------------------------


ANALYSIS_ACTIONS: dict[str, Handler] = {
    "analyze": _on_analyze,
    "role": _on_role,
    "keep": _keep(recompute=True),
}


@require_http_methods(PAGE_METHODS)
def analysis_step(request: HttpRequest) -> HttpResponse:
    state = WizardState.load(request)
    if not state.has_target:
        return _expired_or_restart(request, state)
    posted = request.POST.get("action") if request.method == "POST" else None
    if posted and (response := _gate(request, state)):
        return response
    forms_ = {
        "analyze": analyze_form(state, request.POST, posted),
        "role": role_form(state, request.POST, posted),
        "keep": ComparableChoiceForm(request.POST if posted == "keep" else None),
    }
    if posted and (response := _dispatch(request, state, forms_, ANALYSIS_ACTIONS)):
        return response
    context = _context(
        state,
        3,
        analyze_form=forms_["analyze"],
        role_form=forms_["role"],
        stale=state.analysis_is_stale,
    )
    if state.share:
        context["share_expires"] = datetime.fromisoformat(state.share["expires_at"])
    if state.analysis:
        context.update(reports.report_context(state.analysis, state.role))
    return render(request, "calculator/step_analysis.html", context)


def _analysis_or_redirect(request: HttpRequest) -> tuple[WizardState, HttpResponse | None]:
    state = WizardState.load(request)
    if not state.has_target:
        return state, _expired_or_restart(request, state)
    if not state.analysis:
        messages.info(request, "Сначала рассчитайте анализ")
        return state, redirect("calculator:analysis")
    return state, None


@require_safe
def report_markdown(request: HttpRequest) -> HttpResponse:
    state, response = _analysis_or_redirect(request)
    if response:
        return response
    response = HttpResponse(
        reports.markdown(state.analysis, state.role), content_type="text/markdown; charset=utf-8"
    )
    filename = f"housler_report_{timezone.localdate():%Y-%m-%d}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def report_print(request: HttpRequest) -> HttpResponse:
    state, response = _analysis_or_redirect(request)
    if response:
        return response
    context = {
        **reports.report_context(state.analysis, state.role),
        "stale": state.analysis_is_stale,
    }
    return render(request, "calculator/report.html", context)


def _pdf_download(request: HttpRequest, context: dict, *, printable: str) -> HttpResponse:
    """The report as a PDF attachment; a refusal or failure is a Russian page, never a 500."""
    verdict = ratelimit.check(request, ratelimit.PDF)
    try:
        if not verdict.allowed:
            raise pdf.PdfUnavailable(verdict.message)
        data = pdf.report_pdf({**context, "pdf": True})
    except pdf.PdfUnavailable as exc:
        status = 503 if verdict.allowed else 429
        page = {"message": exc.message, "printable": printable}
        return render(request, "calculator/pdf_failed.html", page, status=status)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = pdf.attachment_header(context["computed_at"])
    return response


@never_cache
@require_safe
def report_pdf(request: HttpRequest) -> HttpResponse:
    state, response = _analysis_or_redirect(request)
    if response:
        return response
    context = reports.report_context(state.analysis)
    return _pdf_download(request, context, printable=resolve_url("calculator:report"))


def _share_refusal(request: HttpRequest, state: WizardState) -> str | None:
    if len(state.shared_tokens) >= MAX_OWNED_SHARES:
        return (
            f"У этого расчёта уже {MAX_OWNED_SHARES} ссылок на отчёт. "
            "Закройте доступ по ним, чтобы создать новую"
        )
    verdict = ratelimit.check(request, ratelimit.SHARE)
    return None if verdict.allowed else verdict.message


def _on_share(request: HttpRequest, state: WizardState, _form: None) -> HttpResponse | Change:
    if not state.analysis:
        messages.info(request, "Сначала рассчитайте анализ")
        return redirect("calculator:analysis")
    if refusal := _share_refusal(request, state):
        messages.error(request, refusal, extra_tags=near_tag("share"))
        return _redirect("calculator:analysis", "share")
    try:
        snapshot = ShareSnapshot.create_for(reports.share_payload(state.analysis, state.role))
    except SnapshotTooLarge as exc:
        messages.error(request, exc.message, extra_tags=near_tag("share"))
        return _redirect("calculator:analysis", "share")
    created = (
        messages.SUCCESS,
        "Ссылка создана: её можно отправить — по ней виден только этот отчёт",
    )
    return _then(
        lambda state: state.set_share(snapshot.token, snapshot.expires_at.isoformat()),
        Done("calculator:analysis", "share", (created,)),
    )


def _on_revoke(request: HttpRequest, state: WizardState, _form: None) -> Change:
    """Closing links twice is harmless, so the change may close them again when redone."""
    closed = (messages.SUCCESS, "Доступ по ссылке закрыт: отчёт по ней больше не открывается")
    return _then(
        lambda state: ShareSnapshot.revoke(state.forget_shares()),
        Done("calculator:analysis", "share", (closed,)),
    )


SHARE_ACTIONS: dict[str, Handler] = {"share": _on_share, "revoke": _on_revoke}


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """Create this report's link, or close every link this session created."""
    state = WizardState.load(request)
    if not state.has_target and not state.shared_tokens:
        return _expired_or_restart(request, state)
    return _dispatch(request, state, dict.fromkeys(SHARE_ACTIONS), SHARE_ACTIONS)


@never_cache
@require_safe
def share_view(request: HttpRequest, token: str) -> HttpResponse:
    """Read-only and session-free: the page never reads or writes the visitor's session.

    Never cached (`never_cache`: private, no-store), so a closed link is not served from a cache.
    """
    snapshot, refusal = _live_snapshot(request, token)
    if refusal:
        return refusal
    context = {**reports.report_context(snapshot.payload), "shared": snapshot}
    return render(request, "calculator/report.html", context)


@never_cache
@require_safe
def shared_pdf(request: HttpRequest, token: str) -> HttpResponse:
    """The shared report as a PDF: as session-free as the page it comes from."""
    snapshot, refusal = _live_snapshot(request, token)
    if refusal:
        return refusal
    context = {**reports.report_context(snapshot.payload), "shared": snapshot}
    return _pdf_download(request, context, printable=resolve_url("calculator:shared", token))


def _live_snapshot(
    request: HttpRequest, token: str
) -> tuple[ShareSnapshot | None, HttpResponse | None]:
    snapshot = ShareSnapshot.objects.filter(token=token).first()
    if snapshot is None:  # closed by its owner, purged, or mistyped: say so, still a 404
        return None, render(request, "calculator/share_missing.html", status=404)
    if snapshot.is_expired:
        return None, render(request, "calculator/share_expired.html", status=410)
    return snapshot, None


@require_http_methods(PAGE_METHODS)
def reset(request: HttpRequest) -> HttpResponse:
    """Start over; the visitor chooses whether links already shared keep working."""
    state = WizardState.load(request)
    if request.method != "POST":
        return render(request, "calculator/reset.html", {"shared_links": len(state.shared_tokens)})
    closed = ShareSnapshot.revoke(state.shared_tokens) if request.POST.get("close_links") else 0
    state.clear()
    done = "Начинаем заново: данные прошлого расчёта удалены"
    if closed:
        done += ", доступ по ссылкам на отчёт закрыт"
    messages.success(request, done)
    return redirect("calculator:object")
