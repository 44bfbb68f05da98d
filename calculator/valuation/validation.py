"""Which comparables the method may use, and why the others may not (docs/valuation.md §1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from calculator.formatting import rub
from calculator.numbers import price_per_sqm, to_number
from calculator.valuation.coefficients import ATTRIBUTES, ValuationParams, norm_text


def text(value: object) -> str | None:
    return None if value is None else str(value)


def _comparable_id(raw: Mapping[str, Any], position: int) -> str:
    cid = raw.get("id")
    return f"#{position + 1}" if cid is None or cid == "" else str(cid)


def _reason(raw: Mapping[str, Any], p: ValuationParams) -> str | None:
    """Why a comparable cannot be used, in Russian; None when it can."""
    price, area = to_number(raw.get("price")), to_number(raw.get("total_area"))
    status = norm_text(raw.get("status")) if raw.get("status") is not None else None
    if raw.get("excluded") is True:
        return "исключён пользователем"
    if price is None:
        return "не указана цена"
    if price < p.min_price:
        return f"цена ниже {rub(p.min_price)}"
    if area is None:
        return "не указана общая площадь"
    if not p.min_area <= area <= p.max_area:
        return f"площадь вне диапазона {p.min_area:g}–{p.max_area:g} м²"
    ppsm = price_per_sqm(raw)
    if ppsm is None or not p.min_price_per_sqm <= ppsm <= p.max_price_per_sqm:
        return f"цена за м² вне диапазона {rub(p.min_price_per_sqm)} – {rub(p.max_price_per_sqm)}"
    if status in p.blocked_statuses:
        return f"статус «{status}»: не готовое жильё на рынке"
    return None


def validate(
    comparables: Iterable[Mapping[str, Any]], p: ValuationParams
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Split comparables into usable ones (with ₽/м²) and excluded ones with a Russian reason."""
    valid: list[dict[str, Any]] = []
    excluded: list[dict[str, Any]] = []
    for position, raw in enumerate(comparables or []):
        raw = dict(raw or {})
        cid = _comparable_id(raw, position)
        ppsm = price_per_sqm(raw)
        reason = _reason(raw, p)
        if reason is not None:
            excluded.append(_excluded_entry(cid, raw, reason, ppsm))
        else:
            valid.append({"_id": cid, "_pos": position, "_flat": raw, "_ppsm": ppsm})
    return valid, excluded


def _excluded_entry(
    cid: str, raw: Mapping[str, Any], reason: str, ppsm: float | None
) -> dict[str, Any]:
    return {
        "id": cid,
        "reason": reason,
        "address": text(raw.get("address")),
        "url": text(raw.get("url")),
        "price_per_sqm": None if ppsm is None else round(ppsm),
    }


OUTLIER_REASON = "цена сильно отличается от остальных — возможно, ошибка в объявлении"


def outlier_entry(comp: Mapping[str, Any], off: float) -> dict[str, Any]:
    """An excluded entry for a comparable `off` (a fraction) away from the others' median; the
    visitor may vouch for it (`keep`), so it says it is an outlier, not invalid."""
    entry = _excluded_entry(comp["_id"], comp["_flat"], OUTLIER_REASON, comp["_ppsm"])
    return {**entry, "outlier": True, "off_percent": round(off * 100, 1)}


def canonical_key(comp: Mapping[str, Any]) -> tuple[str, ...]:
    """A total order of comparables, so the result never depends on the input order."""
    flat = comp["_flat"]
    fields = [comp["_id"], repr(comp["_ppsm"])]
    fields += [repr(a.display(flat)) for a in ATTRIBUTES]
    fields += [repr(flat.get(k)) for k in ("house_id", "jk_id", "living_area", "total_area")]
    return tuple(fields)
