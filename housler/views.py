"""`/health` for load balancers and operators, `/metrics` for Prometheus.

Neither needs a login or is rate limited: they must answer exactly when the session store is in
trouble. `/health` tells the public its status only (`{"status": …}` and 200/503); the component
report, which names versions, vendors and error texts, goes to the metrics allow-list and to
logged-in staff. Only a request from outside the allow-list that carries a session cookie reads
its session, and a session store that cannot answer then means "not staff", never an error.
"""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from sessions_backend.exceptions import SessionUnavailable

from .client_address import address_in, client_address
from .health import UNHEALTHY, health_report
from .metrics import CONTENT_TYPE, exposition


def is_staff(request: HttpRequest) -> bool:
    """A logged-in staff member? Without a session cookie nothing is read from the store."""
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    try:
        return bool(request.user.is_staff)
    except SessionUnavailable:
        return False


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    report = health_report()
    if not (may_read_metrics(request) or is_staff(request)):
        report = {"status": report["status"]}
    response = JsonResponse(
        report,
        status=503 if report["status"] == UNHEALTHY else 200,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    response["Cache-Control"] = "no-store"
    return response


def may_read_metrics(request: HttpRequest) -> bool:
    """Allow-listed client addresses only (`HOUSLER_METRICS_ALLOWED_IPS`).

    A forwarded request whose client cannot be established (an untrusted proxy, a header other
    than X-Forwarded-For, an empty or malformed one) is refused: its peer is the proxy, often
    127.0.0.1, for every visitor (`housler.client_address`).
    """
    address = client_address(request)
    return address is not None and address_in(address, settings.METRICS_ALLOWED_IPS)


@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not may_read_metrics(request):
        raise Http404
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE)
    response["Cache-Control"] = "no-store"
    return response
