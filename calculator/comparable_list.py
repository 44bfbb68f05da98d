"""The comparable list a visitor assembles on step 2: how it grows and what it shows.

Listings join through one gate (`add_listing`: `calculator.eligibility`, then the wizard's cap and
duplicate rules) whether they come by link, from an uploaded page or from the automatic search.
The spread and duplicate warnings and the step's page judge the *input*; the labels and
thresholds they use are the valuation's own (`calculator.valuation.quality`), and the preview runs
the valuation itself, so step 2 and the result never disagree.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import asdict, dataclass

from calculator import cian, valuation
from calculator.conf import conf
from calculator.eligibility import rejection
from calculator.numbers import price_per_sqm, to_number
from calculator.reports import comparable_number, excluded_rows, source_label
from calculator.valuation.quality import quality, spread
from calculator.wizard import ComparablesFull, DuplicateComparable, TooLarge, WizardState


def _address_key(address: object) -> str:
    if not isinstance(address, str):
        return ""
    return " ".join(address.lower().replace(",", " ").split())


def possible_duplicates(items: list[dict]) -> list[tuple[dict, dict]]:
    """Pairs that look like one flat listed twice: same address, area ±1 m², price ±2 %.

    Listings are grouped by address and sorted by area, so each one is compared only with the few
    of its address within 1 m², not with the whole list. A listing without a usable area or price
    (a hostile value read back from the session) is never a duplicate.
    """
    order = {id(item): index for index, item in enumerate(items)}
    by_address: dict[str, list[tuple[float, float, dict]]] = {}
    for item in items:
        key = _address_key(item.get("address"))
        area, price = to_number(item.get("total_area")), to_number(item.get("price"))
        if key and area and price:
            by_address.setdefault(key, []).append((area, price, item))
    pairs = []
    for group in by_address.values():
        group.sort(key=lambda entry: entry[0])
        for index, (area, price, first) in enumerate(group):
            for other_area, other_price, second in group[index + 1 :]:
                if other_area - area > 1:
                    break
                if abs(price - other_price) <= 0.02 * max(price, other_price):
                    pairs.append(tuple(sorted((first, second), key=lambda x: order[id(x)])))
    pairs.sort(key=lambda pair: (order[id(pair[0])], order[id(pair[1])]))
    return pairs


def price_spread(active: list[dict]) -> float | None:
    """Coefficient of variation of the comparables' ₽/м² (stdev / median); None below two."""
    values = [v for v in (price_per_sqm(item) for item in active) if v]
    return statistics.stdev(values) / statistics.median(values) if len(values) >= 2 else None


def warnings(active: list[dict]) -> list[str]:
    """Warnings shown above the comparable table, one sentence each."""
    found = []
    cv = price_spread(active)
    if spread(cv) == "very wide":
        found.append(
            f"Очень большой разброс цен за м² ({round(cv * 100)} %): "
            "проверьте, что аналоги действительно похожи"
        )
    elif spread(cv) == "wide":
        found.append(f"Большой разброс цен за м² ({round(cv * 100)} %)")
    for first, second in possible_duplicates(active):
        found.append(
            f"Возможно, одна и та же квартира: аналоги №{first['id'][1:]} и №{second['id'][1:]} "
            "(тот же адрес, площадь и цена). Исключите один из них"
        )
    return found


class Rejected(ValueError):
    """A listing that cannot join the list; `message` is the user's sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def add_listing(state: WizardState, listing: dict, *, origin: str) -> dict:
    """Add one listing to the list or raise Rejected: the one gate every comparable passes."""
    if reason := rejection(listing, state.target):
        raise Rejected(reason)
    try:
        return state.add_comparable(listing, origin=origin)
    except DuplicateComparable:
        raise Rejected("Это объявление уже есть в списке аналогов или оценивается") from None
    except (ComparablesFull, TooLarge) as exc:
        raise Rejected(exc.message) from None


def add_offers(state: WizardState, offers: list[dict], *, origin: str) -> tuple[int, int]:
    """Add a search's offers (fetched, or from a saved results page): (added, skipped)."""
    added = 0
    for listing in offers:
        try:
            add_listing(state, listing, origin=origin)
        except Rejected:
            continue
        added += 1
    return added, len(offers) - added


def _in_sentence(message: str) -> str:
    return message[:1].lower() + message[1:]


def add_saved_pages(state: WizardState, pages: list[cian.SavedPage]) -> tuple[int, list[str]]:
    """Listing pages join as a link would, results pages as the automatic search adds offers.

    Returns how many comparables were added and a sentence for each file that added less than
    it held.
    """
    added, problems = 0, []
    for index, page in enumerate(pages):
        if state.is_full:
            names = ", ".join(f"«{p.filename}»" for p in pages[index:])
            problems.append(
                f"{ComparablesFull(len(state.comparables)).message}. Не добавлены: {names}"
            )
            break
        if page.kind == "search":
            count, skipped = add_offers(state, page.offers, origin="file")
            added += count
            if skipped:
                problems.append(
                    f"Файл «{page.filename}»: добавлено {count} из {count + skipped}, остальные "
                    "уже в списке, без цены или площади или из другого региона"
                )
            continue
        try:
            add_listing(state, page.listing, origin="file")
        except Rejected as exc:
            problems.append(f"Файл «{page.filename}»: {_in_sentence(exc.message)}")
            continue
        added += 1
    return added, problems


# --- automatic search ------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchOutcome:
    found: int
    added: int
    skipped: int
    truncated: bool
    seconds: float
    deadline: int
    full: bool = False


def search_deadline() -> int:
    """Total seconds one automatic search may take (well below gunicorn's worker timeout)."""
    return int(conf.HOUSLER_SEARCH_DEADLINE)


@dataclass(frozen=True)
class Found:
    """What one automatic search fetched from Cian, before any of it joins the list."""

    offers: list[dict]
    seconds: float
    truncated: bool
    deadline: int


def search(target: dict | None, budget: cian.Budget | None = None) -> Found:
    """Fetch comparables for `target` within the deadline; raises cian.CianError.

    Kept apart from `add_found` so that a change redone after a concurrent save (views._commit)
    adds the same offers again without fetching them again.
    """
    deadline = search_deadline()
    started = time.monotonic()
    result = cian.search_comparables(target, limit=20, deadline=deadline, budget=budget)
    seconds = round(time.monotonic() - started, 1)
    return Found(result.offers, seconds, result.truncated, deadline)


def add_found(state: WizardState, found: Found) -> SearchOutcome:
    """*Add* the usable offers of a search: what the user added or excluded stays as it was.

    Adding stops at `max_comparables()`; the rest count as skipped and `full` says why.
    """
    added, skipped = add_offers(state, found.offers, origin="search")
    outcome = SearchOutcome(
        len(found.offers),
        added,
        skipped,
        found.truncated,
        found.seconds,
        found.deadline,
        state.is_full,
    )
    state.record_search(**asdict(outcome))
    return outcome


# --- the step 2 page --------------------------------------------------------------------------


def preview(state: WizardState) -> tuple[int, list[dict]] | None:
    """What step 3 will use of the list: the valuation run without its range (milliseconds), so
    step 2 counts what the result will count. (used, dropped by the method); None when the
    valuation cannot run yet."""
    if not state.target or not state.active_comparables:
        return None
    try:
        result = valuation.value_with_settings(state.target, state.comparables, bootstrap=0)
    except (valuation.NotEnoughComparables, valuation.InvalidTarget):
        return None
    analysis = {"result": result, "inputs": state.valuation_inputs()}
    user_excluded = {c["id"] for c in state.comparables if c.get("excluded")}
    dropped = [e for e in excluded_rows(analysis) if e.get("id") not in user_excluded]
    return len(result["comparables"]), dropped


def page_context(state: WizardState) -> dict:
    """Step 2's page: the list with ₽/м², the quality label, warnings, the last search."""
    active = state.active_comparables
    planned = preview(state)
    used = planned[0] if planned else len(active)
    rows = [
        {
            **c,
            "number": comparable_number(c["id"]),
            "ppsqm": price_per_sqm(c),
            "source_label": source_label(c),
        }
        for c in state.comparables
    ]
    return {
        "rows": rows,
        "active_count": len(active),
        "used_count": used,
        "dropped": planned[1] if planned else [],
        "quality": quality(used, price_spread(active)),
        "list_warnings": warnings(active),
        "search": state.search,
        "search_deadline": search_deadline(),
    }
