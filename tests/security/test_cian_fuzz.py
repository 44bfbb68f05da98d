"""Whatever a page holds, parsing ends in a listing or a typed error.

Hypothesis puts random JSON values at every path the parsers read from Cian's embedded state and
JSON-LD, and feeds truncated real pages, random markup and random bytes. Only `CianError`s may
escape, and whatever is returned is JSON-safe, correctly typed and links only to Cian.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calculator import cian
from calculator.cian.urls import IMAGE_HOSTS, safe_url
from tests.support.cian_page_config import state_page
from tests.support.cian_pages import CARD, NEW_BUILD, RESALE, fixture_html

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

PLAUSIBLE = st.sampled_from(
    [
        "flatSale", "newBuildingFlatSale", "studio", "published", "location", "house", "walk",
        "monolith", "euro", "fine", "street", "Санкт-Петербург", "126,4", "12 500 000", "-3",
        "https://spb.cian.ru/sale/flat/1/", "https://images.cdn-cian.ru/1.jpg",
        "javascript:alert(1)", "//evil.example/", "9" * 5000, "", " ",
    ]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**300, max_value=10**400)
    | st.floats()
    | st.text(max_size=20)
    | PLAUSIBLE
)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)

# The paths the parsers read: a dict is an object, a one-item list a list of such items.
ID_NAME = {"id": None, "name": None}
OFFER_LEAVES = (
    "cianId", "id", "fullUrl", "status", "category", "priceTotalRur", "totalArea", "livingArea",
    "kitchenArea", "flatType", "roomsCount", "floorNumber", "repairType", "decoration",
    "combinedWcsCount", "separateWcsCount", "windowsViewType", "passengerLiftsCount",
    "balconiesCount", "loggiasCount", "description", "isApartments",
)  # fmt: skip
OFFER = {
    **dict.fromkeys(OFFER_LEAVES),
    "flags": {"isArchived": None},
    "bargainTerms": {"price": None},
    "building": {
        **dict.fromkeys(["materialType", "buildYear", "floorsCount", "ceilingHeight"]),
        "deadline": {"year": None},
    },
    "geo": {
        "address": [{"type": None, "shortName": None, "name": None, "id": None}],
        "coordinates": {"lat": None, "lng": None},
        "undergrounds": [{"name": None, "travelTime": None, "travelType": None}],
        "jk": ID_NAME,
    },
    "newbuilding": ID_NAME,
    "photos": [{"fullUrl": None}],
}
LISTING_STATE = {
    "offerData": {
        "offer": OFFER,
        "bti": {"houseData": {"houseMaterialType": None, "yearRelease": None}},
        "priceInfo": {"pricePerSquareValue": None},
    },
    "pageData": {"subdomain": None},
}
SERP_STATE = {"results": {"offers": [OFFER]}}
JSON_LD = {"@type": None, "sku": None, "name": None, "offers": {"price": None}, "image": [None]}


def shaped(shape: object) -> st.SearchStrategy:
    """Values of `shape`, where any node may instead be any JSON value (or be left out)."""
    if isinstance(shape, dict):
        fields = {key: shaped(sub) for key, sub in shape.items()}
        return st.fixed_dictionaries({}, optional=fields) | JSON
    if isinstance(shape, list):
        return st.lists(shaped(shape[0]), max_size=3) | JSON
    return JSON


TEXT_KEYS = ("status", "category", "address", "city", "jk_name", "house_type", "repair_level")
TEXT_KEYS += ("view_type", "elevator_count", "description", "metro_name")
NUMBER_KEYS = ("offer_id", "price", "price_per_sqm", "total_area", "living_area", "kitchen_area")
NUMBER_KEYS += ("rooms", "floor", "total_floors", "region_id", "lat", "lng", "jk_id", "house_id")
NUMBER_KEYS += ("build_year", "deadline_year", "ceiling_height", "bathrooms", "balconies")
NUMBER_KEYS += ("metro_minutes",)


def assert_well_formed(fields: dict) -> None:
    """What the wizard may store and render: JSON-safe, typed, links only to Cian."""
    assert tuple(fields)[: len(cian.LISTING_KEYS)] == cian.LISTING_KEYS
    json.dumps(fields, allow_nan=False)
    assert fields["url"] is None or safe_url(fields["url"]) == fields["url"]
    assert all(safe_url(p, [*IMAGE_HOSTS, "*.cian.ru"]) == p for p in fields["photos"])
    for key in TEXT_KEYS:
        assert fields[key] is None or isinstance(fields[key], str), key
    for key in NUMBER_KEYS:
        value = fields[key]
        assert value is None or (type(value) in (int, float) and math.isfinite(value)), key
    assert all(isinstance(m["name"], str) for m in fields["metro"])
    assert fields["apartments"] is None or type(fields["apartments"]) is bool
    assert fields["metro_way"] in (None, "walk", "transport")
    assert fields["metro_minutes"] is None or 0 <= fields["metro_minutes"] <= 180


def parse_both(html: str) -> None:
    """Both parsers on `html`: a typed Cian error or well-formed fields, nothing else."""
    try:
        assert_well_formed(cian.parse_listing(html))
    except cian.CianError as error:
        assert error.message
    for fields in cian.parse_search_results(html):
        assert_well_formed(fields)


@FUZZ
@given(shaped(LISTING_STATE))
def test_listing_state_of_any_shape(state: object) -> None:
    parse_both(state_page("frontend-offer-card", "defaultState", state))


@FUZZ
@given(shaped(SERP_STATE))
def test_search_state_of_any_shape(state: object) -> None:
    parse_both(state_page("frontend-serp", "initialState", state))


@FUZZ
@given(shaped(JSON_LD), st.text(max_size=30))
def test_json_ld_of_any_shape(ld: object, heading: str) -> None:
    payload = json.dumps({"@type": "Product", **ld} if isinstance(ld, dict) else ld)
    body = f'<h1>{heading}</h1><script type="application/ld+json">{payload}</script>'
    parse_both(f"<html><head></head><body>{body}</body></html>")


@pytest.fixture(scope="module")
def real_pages() -> list[str]:
    return [fixture_html(name) for name in (NEW_BUILD, RESALE, CARD)]


@settings(FUZZ, max_examples=20)
@given(page=st.integers(0, 2), cut=st.floats(0, 1))
def test_truncated_real_pages(real_pages: list[str], page: int, cut: float) -> None:
    html = real_pages[page]
    parse_both(html[: int(len(html) * cut)])


MARKUP = st.sampled_from(
    [
        "<html>", "<body>", "</div>", "<div>", "<span>", "</span>", "<p>", "</p>", "<h1>", "</h1>",
        '<div data-name="ObjectFactoidsItem"><div>', '<div data-name="OfferSummaryInfoItem">',
        '<div data-name="OfferSummaryInfoGroup">', '<div data-name="OfferFactItem">',
        '<span data-testid="price-amount">', '<div data-name="AddressItem">',
        '<div data-name="UndergroundItem"><a>', '<div data-name="OfferTitleNew">ЖК «',
        '<article data-name="CardComponent">', '<a href="javascript:alert(1)/sale/flat/7/">',
        '<a href="https://spb.cian.ru/sale/flat/7/">', '<a data-name="GeoLabel">',
        '<span data-mark="MainPrice">', '<span data-mark="OfferTitle">', "<img src=",
        '<script type="application/ld+json">', '{"@type": "Product", "offers": {"price": ',
        "<script>window._cianConfig['frontend-offer-card'] = "
        "(window._cianConfig['frontend-offer-card'] || []).concat([",
        '{"key": "defaultState", "value": {"offerData": {"offer": {', "</script>",
        '<link rel="canonical" href="//evil.example/">', "Общая площадь", "126,4 м²", "4 из 6",
        "3-комн. квартира", "Этаж", "9" * 5000, "снято с публикации", "captcha-form", "&#0;",
        "<![CDATA[", "<!--", "\x00", "\ud800", "<?xml version='1.0' encoding='utf-8'?>",
    ]
)  # fmt: skip


@FUZZ
@given(st.lists(MARKUP | st.text(max_size=8), max_size=40))
def test_random_markup(pieces: list[str]) -> None:
    parse_both("".join(pieces))


@FUZZ
@given(st.binary(max_size=3000), st.sampled_from(["utf-8", "latin-1", "cp1251", "utf-16"]))
def test_random_bytes_decoded(data: bytes, encoding: str) -> None:
    parse_both(data.decode(encoding, errors="replace"))
