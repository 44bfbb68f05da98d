"""`{% form_token %}`: the hidden one-time token of a wizard form.

A fresh token each time a page is rendered, so a resubmission of that page's form (a double
click, a browser resend) carries the same token and is applied once (`views._commit`).
"""

import secrets

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def form_token() -> str:
    return format_html(
        '<input type="hidden" name="form_token" value="{}">', secrets.token_urlsafe(16)
    )
