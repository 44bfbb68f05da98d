"""What a visitor's session holds for the calculator, and the only code that touches it.

The wizard lives under one key of `request.session` as a plain JSON-safe dict with a schema
version, so a deploy that changes the shape can recognise (and drop) old data instead of crashing
on it, and the session engine can store it without pickle.

Results are never recomputed on a GET: the analysis is stored together with the exact inputs it
was computed from. Whether it is stale is derived by comparing those inputs with the current ones,
so no code path that edits the target or the comparables can forget to "mark" it.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from calculator.conf import conf
from sessions_backend import codec

SESSION_KEY = "housler.wizard"
SCHEMA_VERSION = 1
# Share links one session may hold at once: each is a row in the database and must stay revocable.
MAX_OWNED_SHARES = 20
# Forms already applied, remembered so a resubmission (double click, browser resend) applies once.
FORMS_REMEMBERED = 30
FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The engine refuses a session over `codec.MAX_JSON_BYTES`; the wizard stays below it with room
# for Django's own keys, so a change that would not fit is refused here with a sentence.
MAX_STATE_BYTES = codec.MAX_JSON_BYTES - 64 * 1024
# One listing as stored: a real one is under 1 KB, and the parser's field caps keep any under 5.
MAX_LISTING_BYTES = 8 * 1024

# Keys kept from a listing. Photos, descriptions and the station list are dropped: they are large
# and unused (the nearest station is kept flat). Sessions saved before a key existed lack it, which
# reads as unknown (`.get`), like None.
STORED_LISTING_KEYS = (
    "offer_id",
    "url",
    "price",
    "price_per_sqm",
    "total_area",
    "living_area",
    "kitchen_area",
    "rooms",
    "floor",
    "total_floors",
    "address",
    "city",
    "region_id",
    "jk_name",
    "jk_id",
    "house_id",
    "build_year",
    "house_type",
    "ceiling_height",
    "repair_level",
    "window_type",
    "bathrooms",
    "view_type",
    "elevator_count",
    "category",
    "apartments",
    "metro_minutes",
    "metro_way",
    "metro_name",
    "status",
)
DETAIL_KEYS = (
    "repair_level",
    "ceiling_height",
    "bathrooms",
    "window_type",
    "elevator_count",
    "view_type",
    "living_area",
)


# Where a comparable came from: a link, the automatic search, an uploaded saved page, by hand.
ORIGINS = ("link", "search", "file", "manual")
# Who is asking, so the answer speaks to them: the owner selling the flat or a buyer looking at it.
ROLES = ("owner", "buyer")
DEFAULT_ROLE = "owner"
# Sources of the flat being valued whose listing fields are trusted as "known".
LISTING_SOURCES = ("url", "file")


class DuplicateComparable(ValueError):
    """The listing is already in the list (or is the target itself)."""


class ComparablesFull(ValueError):
    """The list is at `max_comparables()`: the session, the page and the valuation stay small."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.message = (
            f"В расчёте уже {limit} аналогов — это предел. "
            "Исключённые аналоги тоже занимают место; чтобы собрать другой список, начните заново"
        )


class TooLarge(ValueError):
    """A change the session could not store; `message` is the visitor's sentence."""

    message = (
        "Изменение не сохранено: с ним данные расчёта не помещаются в допустимый размер. "
        "Введите данные вручную или начните заново"
    )


class ListingTooLarge(TooLarge):
    """A listing far larger than any real one (megabytes of address): it is not stored."""

    message = "В объявлении слишком много текста, чтобы взять его в расчёт. Введите данные вручную"


def max_comparables() -> int:
    return int(conf.HOUSLER_MAX_COMPARABLES)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def stored_listing(listing: dict) -> dict:
    """The part of a listing the session keeps; ListingTooLarge when it is over
    MAX_LISTING_BYTES, so no listing can push the session past the engine's limit."""
    trimmed = {key: listing.get(key) for key in STORED_LISTING_KEYS}
    size = len(codec.json_bytes(trimmed))
    if size > MAX_LISTING_BYTES:
        raise ListingTooLarge(f"listing of {size} bytes, limit {MAX_LISTING_BYTES}")
    return trimmed


def comparable_origin(comparable: dict) -> str | None:
    """One of ORIGINS, or None for an unknown value.

    Comparables added by link before the "link" name was stored say "url"; older ones may have
    no origin at all. They are read, not rewritten, so a stored analysis does not turn stale.
    """
    origin = comparable.get("origin")
    if origin == "url":
        return "link"
    return origin if origin in ORIGINS else None


def session_cookie_present(request: HttpRequest) -> bool:
    """A non-empty cookie: a deleted one may linger as an empty value in some clients."""
    return bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME))


class WizardState:
    """One visitor's progress through the three steps."""

    def __init__(self, request: HttpRequest, data: dict | None, *, expired: bool = False) -> None:
        self._request = request
        self.data = data if data is not None else self._empty()
        self.is_new = data is None
        self.expired = expired

    @staticmethod
    def _empty() -> dict:
        return {
            "v": SCHEMA_VERSION,
            "created": _now(),
            "updated": _now(),
            "target": None,
            "source": None,
            "known": [],
            "details_done": False,
            "comparables": [],
            "next_id": 1,
            "search": None,
            "upload": None,
            "analysis": None,
            "share": None,
            "shared_tokens": [],
            "forms": [],
            "role": None,
        }

    @classmethod
    def load(cls, request: HttpRequest) -> WizardState:
        """Read the state; `expired` tells a lost session from a first visit.

        A request that carries a session cookie but whose session is empty had a wizard that the
        store has since dropped (TTL) — the user deserves to be told, not silently restarted.
        `reset` flushes the session, which also removes the cookie, so it never looks expired.
        """
        session = request.session
        data = session.get(SESSION_KEY)
        if isinstance(data, dict) and data.get("v") == SCHEMA_VERSION:
            return cls(request, data)
        stale_schema = data is not None
        other_keys = [key for key in session.keys() if key != SESSION_KEY]  # noqa: SIM118
        lost = session_cookie_present(request) and not other_keys
        return cls(request, None, expired=stale_schema or lost)

    def save(self) -> None:
        """Put the state in the session; TooLarge (the session untouched) when it would not fit
        the engine's limit: the caller `discard`s the change and tells the visitor."""
        self.data["updated"] = _now()
        size = len(codec.json_bytes(self.data))
        if size > MAX_STATE_BYTES:
            raise TooLarge(f"wizard of {size} bytes, limit {MAX_STATE_BYTES}")
        self._request.session[SESSION_KEY] = self.data
        self._request.session.modified = True

    def commit(self) -> None:
        """Save now rather than at response time; `SessionConflict` if another request saved
        since this state was loaded (the caller redoes its change after `reload()`)."""
        self.save()
        self._request.session.save()

    def reload(self) -> None:
        """Read the state another request saved; UpdateError if the session is gone meanwhile."""
        self._request.session.refresh()
        fresh = WizardState.load(self._request)
        self.data, self.is_new, self.expired = fresh.data, fresh.is_new, fresh.expired

    def discard(self) -> None:
        """Forget changes that were not saved: the state as stored, or empty when none is."""
        if self._request.session.session_key is None:
            self.data, self.is_new = self._empty(), True
        else:
            self.reload()

    def applied_form(self, token: str | None) -> str | None:
        """Where the form with this one-time token sent the visitor, if it was applied already."""
        forms = self.data.get("forms")
        if token is None or not isinstance(forms, list):
            return None
        for entry in forms:
            if isinstance(entry, list) and len(entry) == 2 and entry[0] == token:
                return _local(entry[1])
        return None

    def remember_form(self, token: str | None, location: str) -> None:
        """Record an applied form with the change it made (the same save: atomic with it)."""
        if token is None:
            return
        forms = self.data.get("forms")
        kept = forms[-(FORMS_REMEMBERED - 1) :] if isinstance(forms, list) else []
        self.data["forms"] = [*kept, [token, location]]

    def clear(self) -> None:
        """Forget everything: new session key, cookie removed by the middleware."""
        self._request.session.flush()
        self.data = self._empty()

    # --- reading ----------------------------------------------------------------------------

    @property
    def target(self) -> dict | None:
        return self.data["target"]

    @property
    def has_target(self) -> bool:
        return self.data["target"] is not None

    @property
    def details_done(self) -> bool:
        return self.has_target and self.data["details_done"]

    @property
    def known_fields(self) -> list[str]:
        return self.data["known"]

    @property
    def comparables(self) -> list[dict]:
        return self.data["comparables"]

    @property
    def active_comparables(self) -> list[dict]:
        return [c for c in self.comparables if not c.get("excluded")]

    @property
    def search(self) -> dict | None:
        return self.data["search"]

    @property
    def upload(self) -> dict | None:
        """The last upload's summary; absent in sessions from before uploads existed."""
        upload = self.data.get("upload")
        return upload if isinstance(upload, dict) else None

    @property
    def analysis(self) -> dict | None:
        return self.data["analysis"]

    @property
    def share(self) -> dict | None:
        return self.data["share"]

    @property
    def shared_tokens(self) -> list[str]:
        """Tokens of the share links this session created and has not closed (oldest first).

        Sessions saved before this key existed, or holding a damaged value, simply have none.
        """
        tokens = self.data.get("shared_tokens")
        if not isinstance(tokens, list):
            return []
        return [token for token in tokens if isinstance(token, str)][:MAX_OWNED_SHARES]

    @property
    def role(self) -> str:
        """owner or buyer; the owner until the visitor says (sessions from before the question
        existed have no such key)."""
        role = self.data.get("role")
        return role if role in ROLES else DEFAULT_ROLE

    @property
    def role_chosen(self) -> bool:
        return self.data.get("role") in ROLES

    @property
    def is_full(self) -> bool:
        return len(self.comparables) >= max_comparables()

    def missing_step(self) -> str | None:
        """What must be done before comparables or an analysis: "target", "details" or None.

        The one precondition of steps 2 and 3, so no handler can skip a step another enforces.
        """
        if not self.has_target:
            return "target"
        return None if self.details_done else "details"

    @property
    def step_reached(self) -> int:
        if self.analysis:
            return 3
        return 2 if self.details_done else 1

    def valuation_inputs(self) -> dict:
        """Exactly what the valuation sees; stored with the result to detect staleness."""
        return {
            "target": copy.deepcopy(self.target),
            "comparables": copy.deepcopy(self.comparables),
        }

    @property
    def analysis_is_stale(self) -> bool:
        analysis = self.analysis
        return bool(analysis) and analysis["inputs"] != self.valuation_inputs()

    # --- writing ----------------------------------------------------------------------------

    def set_target(self, listing: dict, *, source: str) -> None:
        """A new flat to value. Comparables stay; the analysis becomes stale by itself."""
        self.data["target"] = stored_listing(listing)
        self.data["source"] = source
        self.data["known"] = [
            key for key in DETAIL_KEYS if source in LISTING_SOURCES and listing.get(key) is not None
        ]
        self.data["details_done"] = False

    def set_details(self, details: dict) -> None:
        assert self.target is not None
        for key in DETAIL_KEYS:
            self.target[key] = details.get(key)
        self.data["details_done"] = True

    def _is_duplicate(self, listing: dict) -> bool:
        offer_id = listing.get("offer_id")
        if offer_id is None:
            return False
        if self.target and self.target.get("offer_id") == offer_id:
            return True
        return any(c.get("offer_id") == offer_id for c in self.comparables)

    def add_comparable(self, listing: dict, *, origin: str) -> dict:
        """Append one comparable with a stable id; raises DuplicateComparable or ComparablesFull."""
        if origin not in ORIGINS:
            raise ValueError(f"unknown origin {origin!r}")
        if self._is_duplicate(listing):
            raise DuplicateComparable(listing.get("offer_id"))
        if self.is_full:
            raise ComparablesFull(max_comparables())
        comparable = stored_listing(listing)
        comparable.update(id=f"c{self.data['next_id']}", origin=origin, excluded=False)
        self.data["next_id"] += 1
        self.comparables.append(comparable)
        return comparable

    def set_excluded(self, comparable_id: str, excluded: bool) -> bool:
        return self._mark(comparable_id, "excluded", excluded)

    def set_kept(self, comparable_id: str, keep: bool) -> bool:
        """The visitor vouches for a comparable the valuation would drop as an outlier."""
        return self._mark(comparable_id, "keep", keep)

    def _mark(self, comparable_id: str, key: str, value: bool) -> bool:
        for comparable in self.comparables:
            if comparable["id"] == comparable_id:
                comparable[key] = value
                return True
        return False

    def set_role(self, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
        self.data["role"] = role

    def record_search(self, **summary: Any) -> None:
        self.data["search"] = {**summary, "at": _now()}

    def record_upload(self, *, added: int, problems: list[str]) -> None:
        """The last upload of saved pages at step 2: what was added and a sentence per bad file."""
        self.data["upload"] = {"added": added, "problems": list(problems), "at": _now()}

    def store_analysis(self, result: dict) -> None:
        self.data["analysis"] = {
            "result": result,
            "inputs": self.valuation_inputs(),
            "computed_at": _now(),
        }
        self.data["share"] = None

    def set_share(self, token: str, expires_at: str) -> None:
        """The current report's link, remembered among the session's links so it can be closed."""
        self.data["share"] = {"token": token, "expires_at": expires_at}
        self.data["shared_tokens"] = [*self.shared_tokens, token][-MAX_OWNED_SHARES:]

    def forget_shares(self) -> list[str]:
        """Drop every link this session created; returns their tokens for the caller to close."""
        tokens = self.shared_tokens
        self.data["share"] = None
        self.data["shared_tokens"] = []
        return tokens


def _local(location: object) -> str | None:
    """A remembered redirect read back from the session, if it stays on this site."""
    if isinstance(location, str) and url_has_allowed_host_and_scheme(location, allowed_hosts=None):
        return location
    return None


def form_token(value: object) -> str | None:
    """A posted one-time form token, or None for a missing or malformed one (then no dedupe)."""
    return value if isinstance(value, str) and FORM_TOKEN.fullmatch(value) else None


def summarize(session_data: dict) -> dict:
    """What ops tools (admin "Сессии", `manage.py sessions`) show of a stored wizard.

    Works on a decoded session dict, without a request; {} for no wizard or another schema.
    """
    data = session_data.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("v") != SCHEMA_VERSION:
        return {}
    state = WizardState(None, data)
    return {
        "step": state.step_reached,
        "address": (state.target or {}).get("address"),
        "comparables": len(state.comparables),
        "created": data.get("created"),
        "updated": data.get("updated"),
    }
