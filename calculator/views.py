"""Calculator pages. Logic lives in forms, wizard.py, valuation.py and reports.py."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "calculator/landing.html")
