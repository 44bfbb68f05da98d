"""The session inspector as its tests reach it: the admin list's URL, a staff member holding
given permissions, and a visitor's wizard session for the list to show."""

from django.contrib.auth.models import Permission, User

from calculator.wizard import SESSION_KEY
from sessions_backend.engine import SessionStore

LIST_URL = "/admin/sessions_backend/livesession/"


def wizard_session(address: str, comparables: int = 0, step: str = "details") -> str:
    """A stored wizard session at `address` with `comparables` comparables; its key."""
    session = SessionStore()
    session[SESSION_KEY] = {
        "v": 1,
        "created": "2026-11-20T10:00:00+00:00",
        "updated": "2026-11-20T10:05:00+00:00",
        "target": {"address": address, "price": 12_000_000},
        "details_done": step == "details",
        "comparables": [{"id": str(n)} for n in range(comparables)],
        "analysis": None,
    }
    session.save()
    return session.session_key


def staff(username: str, *codenames: str) -> User:
    """A staff user (password "pw") with only the permissions named by `codenames`."""
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user
