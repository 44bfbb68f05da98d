"""Every route answers only its own methods: none answers TRACE or OPTIONS with 200 and the page.

Each route of `housler/urls.py` and `calculator/urls.py` (the admin is Django's own) is walked
from the URLconf itself, so a route added later is checked too: a foreign method gets the Russian
405 page with `Allow`.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

FOREIGN = ("TRACE", "OPTIONS", "PUT", "PATCH", "DELETE", "CONNECT")
EXAMPLE = {"token": "x" * 32}  # path parameters filled in


def routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    """Every path of the project's own URLconf, admin excluded."""
    paths = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith("admin/"):
                paths += routes(entry, route)
        elif isinstance(entry, URLPattern):
            paths.append("/" + route)
    return paths


def concrete(route: str) -> str:
    for name, value in EXAMPLE.items():
        route = route.replace(f"<str:{name}>", value)
    assert "<" not in route, f"give {route} an example value"
    return route


ROUTES = [concrete(route) for route in routes(get_resolver())]


def test_every_route_is_walked():
    assert {"/", "/health", "/metrics", "/csp-report/", "/calculator/reset/"} <= set(ROUTES)
    assert not [route for route in ROUTES if route.startswith("/admin")]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("method", FOREIGN)
def test_a_foreign_method_gets_405_with_allow(client, path, method):
    response = client.generic(method, path)
    assert response.status_code == 405, (method, path, response.status_code)
    allowed = {name.strip() for name in response["Allow"].split(",")}
    assert method not in allowed and allowed <= {"GET", "HEAD", "POST"}
    assert "Так открыть страницу нельзя" in response.content.decode()


def test_the_landing_page_answers_get_and_head_only(client):
    assert client.get("/").status_code == 200
    assert client.head("/").status_code == 200
    for method in ("TRACE", "OPTIONS"):
        refused = client.generic(method, "/")
        assert refused.status_code == 405 and refused["Allow"] == "GET, HEAD"
        assert "Сколько на самом деле стоит квартира" not in refused.content.decode()
