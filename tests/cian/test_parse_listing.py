"""parse_listing against the saved real pages (ground truth) and hand-written edge pages."""

from __future__ import annotations

import json
import re

import pytest

from calculator import cian
from calculator.cian import dom, page_config
from calculator.numbers import clean_text
from tests.support.cian_pages import NEW_BUILD, RESALE, expected, fixture_html, page_html

LISTINGS = [NEW_BUILD, RESALE]
STATE_SCRIPT = re.compile(
    r"<script[^>]*>[^<]*_cianConfig\['frontend-offer-card'\].*?</script>", re.DOTALL
)
REPAIR = {"design": "дизайнерская", "euro": "улучшенная", "cosmetic": "эконом", "no": "черновая"}
DECORATION = {"without": "черновая", "preFine": "черновая", "fine": "стандартная"}
VIEW = {"street": "улица", "yard": "дом", "yardAndStreet": "улица"}
MATERIAL = {"monolith": "монолит", "monolithBrick": "монолит-кирпич", None: None}
LIFTS = {0: "нет", 1: "один", 2: "два", 3: "три+"}


@pytest.fixture(scope="module", params=LISTINGS)
def case(request) -> tuple[dict, dict, str]:
    html = fixture_html(request.param)
    return cian.parse_listing(html), expected(request.param), html


def test_result_has_exactly_the_contract_keys(case) -> None:
    listing, _, _ = case
    assert tuple(listing) == cian.LISTING_KEYS
    assert json.loads(json.dumps(listing)) == listing


@pytest.mark.parametrize(
    "key",
    ["offer_id", "url", "status", "is_archived", "price", "price_per_sqm", "total_area",
     "living_area", "kitchen_area", "rooms", "floor", "total_floors", "city", "lat", "lng",
     "jk_name", "jk_id", "build_year", "ceiling_height", "balconies", "loggias"],
)  # fmt: skip
def test_same_named_fields_match_ground_truth(case, key: str) -> None:
    listing, truth, _ = case
    assert listing[key] == truth[key]


def test_mapped_fields_match_ground_truth(case) -> None:
    listing, truth, _ = case
    assert listing["address"] == truth["address_full"]
    assert (
        listing["category"]
        == {"flatSale": "resale", "newBuildingFlatSale": "new"}[truth["category"]]
    )
    assert listing["region_id"] == 2  # address[0] is Санкт-Петербург
    assert listing["house_id"] == (truth["house_geo_id"] or [None])[0]
    assert listing["deadline_year"] == (truth["deadline"] or {}).get("year")
    assert listing["metro"] == [
        {k: m[k] for k in ("name", "minutes", "travel_type")} for m in truth["metro"]
    ]
    assert listing["bathrooms"] == truth["wc_combined"] + truth["wc_separate"]
    assert listing["view_type"] == VIEW[truth["windows_view"]]
    assert listing["elevator_count"] == LIFTS[truth["lifts_passenger"]]
    repair = REPAIR.get(truth["repair_type"]) or DECORATION.get(truth["decoration"])
    assert listing["repair_level"] == repair
    # The page label ("Тип дома: Монолитный") follows BTI, which wins over building.materialType.
    assert listing["house_type"] == MATERIAL[truth["bti_material"] or truth["material_type"]]
    assert len(listing["photos"]) == truth["photos_count"]
    assert listing["photos"][0] == truth["first_photo"]


def test_new_build_description_and_resale_house_number() -> None:
    new = cian.parse_listing(fixture_html(NEW_BUILD))
    resale = cian.parse_listing(fixture_html(RESALE))
    assert new["description"].startswith(
        "Прекрасная возможность приобрести квартиру на условиях лучше, чем у застройщика."
    )
    assert new["house_id"] is None and new["living_area"] is None
    assert resale["address"].endswith("6к1")


def test_material_falls_back_to_building_when_bti_is_absent() -> None:
    html = fixture_html(RESALE).replace(
        '"houseMaterialType":"monolith"', '"houseMaterialType":null'
    )
    assert '"houseMaterialType":null' in html
    assert cian.parse_listing(html)["house_type"] == "монолит-кирпич"


@pytest.mark.parametrize("name", LISTINGS)
def test_state_only_truth_is_where_the_reference_says(name: str) -> None:
    """Ground truth with no key in the listing contract, read from the decoded state."""
    truth = expected(name)
    default_state = page_config.listing_state(fixture_html(name))
    data = default_state["offerData"]
    offer = data["offer"]
    geo = offer["geo"]
    by_type = lambda kind, attr: [a[attr] for a in geo["address"] if a["type"] == kind]  # noqa: E731
    photos = offer["photos"]
    assert default_state["pageData"]["subdomain"] == truth["subdomain"]
    assert (offer["dealType"], offer["offerType"]) == (truth["deal_type"], truth["offer_type"])
    assert offer["flatType"] == truth["flat_type"]
    assert offer.get("roomType") == truth["room_type"]
    assert offer["bargainTerms"]["currency"] == truth["currency"]
    assert offer["bargainTerms"]["saleType"] == truth["sale_type"]
    assert by_type("okrug", "shortName") == truth["okrug"]
    assert by_type("raion", "name") == truth["district"]
    assert by_type("street", "shortName") == truth["street"]
    assert by_type("street", "id") == truth["street_geo_id"]
    assert by_type("house", "shortName") == truth["house"]
    assert [m["id"] for m in geo["undergrounds"]] == [m["cian_metro_id"] for m in truth["metro"]]
    assert geo["jk"]["fullUrl"] == truth["jk_url"]
    assert geo["jk"]["house"] == {"id": truth["jk_house_id"], "name": truth["jk_house"]}
    assert geo["jk"].get("developer", {}).get("name") == truth["developer"]
    assert offer["building"].get("deadline") == truth["deadline"]
    assert offer["building"].get("materialType") == truth["material_type"]
    assert (data.get("bti") or {}).get("houseData", {}).get("houseMaterialType") == truth[
        "bti_material"
    ]
    assert offer.get("cargoLiftsCount") == truth["lifts_cargo"]
    assert offer["building"]["parking"]["type"] == truth["parking"]
    assert sum(bool(p.get("isLayout")) for p in photos) == truth["layout_photos"]
    assert offer.get("isByHomeowner") == truth["is_by_homeowner"]
    assert data["agent"].get("userType") == truth["agent_user_type"]


def _pairs(rows: list) -> list[tuple[str, str]]:
    """Ground truth keeps NBSPs; the parser collapses every kind of space to one."""
    return [(clean_text(label), clean_text(value)) for label, value in rows]


@pytest.mark.parametrize("name", LISTINGS)
def test_dom_label_blocks_match_ground_truth(name: str) -> None:
    truth = expected(name)
    doc = dom.parse_document(fixture_html(name))
    assert dom.factoids(doc) == _pairs(truth["factoids"])
    flat, building = dom.summary_groups(doc)
    assert flat == _pairs(truth["features"]["aboutFlat"])
    assert building == _pairs(truth["features"]["aboutBuilding"])
    assert dom.sidebar_facts(doc) == _pairs([(s["title"], s["value"]) for s in truth["sidebar"]])
    assert dom.price_text(doc) == clean_text(truth["offer_price_str"])


@pytest.mark.parametrize("name", LISTINGS)
def test_dom_only_page_still_yields_core_fields(name: str) -> None:
    html = fixture_html(name)
    stripped = STATE_SCRIPT.sub("", html)
    assert page_config.listing_state(stripped) is None and len(stripped) < len(html)
    truth = expected(name)
    listing = cian.parse_listing(stripped)
    assert listing["offer_id"] == truth["offer_id"]
    assert listing["url"] == truth["url"]
    assert listing["price"] == truth["price"]
    assert (listing["total_area"], listing["living_area"], listing["kitchen_area"]) == (
        truth["total_area"],
        truth["living_area"],
        truth["kitchen_area"],
    )
    assert listing["rooms"] == truth["rooms"]
    assert (listing["floor"], listing["total_floors"]) == (truth["floor"], truth["total_floors"])
    assert listing["address"] == truth["address_full"]
    assert listing["city"] == truth["city"] and listing["region_id"] == 2
    # Walk or transport is only an icon on the page: a walker or a car, read as the state says.
    assert listing["metro"] == [
        {k: m[k] for k in ("name", "minutes", "travel_type")} for m in truth["metro"]
    ]
    # The sidebar rounds where the state truncates.
    assert abs(listing["price_per_sqm"] - truth["price_per_sqm"]) <= 1
    assert listing["photos"][0] == truth["first_photo"]


def test_dom_only_resale_keeps_pricing_details_from_labels() -> None:
    listing = cian.parse_listing(STATE_SCRIPT.sub("", fixture_html(RESALE)))
    assert listing["repair_level"] == "дизайнерская"
    assert listing["house_type"] == "монолит"
    assert listing["ceiling_height"] == 3.0
    assert listing["bathrooms"] == 2
    assert listing["view_type"] == "улица"
    assert listing["elevator_count"] == "один"
    assert listing["build_year"] == 2022
    assert (listing["balconies"], listing["loggias"]) == (None, None)


def test_dom_only_new_build_reads_finishing_bathrooms_and_loggia() -> None:
    listing = cian.parse_listing(STATE_SCRIPT.sub("", fixture_html(NEW_BUILD)))
    assert listing["repair_level"] == "черновая"
    assert listing["bathrooms"] == 4
    assert (listing["balconies"], listing["loggias"]) == (0, 1)
    assert listing["deadline_year"] == 2027
    assert listing["jk_name"] == "ЛДМ"
    assert listing["category"] == "new"


def test_broken_state_json_falls_back_to_dom_per_field() -> None:
    html = fixture_html(RESALE).replace('"defaultState","value":{', '"defaultState","value":{,', 1)
    assert html != fixture_html(RESALE)
    listing = cian.parse_listing(html)
    assert (listing["price"], listing["total_area"], listing["floor"]) == (75000000, 106.2, 5)
    assert listing["lat"] is None


def test_url_argument_is_kept_and_supplies_a_missing_id() -> None:
    url = "https://spb.cian.ru/sale/flat/319270312/"
    assert cian.parse_listing(fixture_html(RESALE), url=url)["url"] == url


def test_archived_listing_is_reported_as_removed() -> None:
    with pytest.raises(cian.ListingRemoved) as info:
        cian.parse_listing(page_html("archived.html"))
    assert info.value.message == "Объявление не найдено или снято с публикации"


def test_unpublished_status_is_removed_even_without_archive_flag() -> None:
    html = fixture_html(NEW_BUILD).replace('"status":"published"', '"status":"deactivated"', 1)
    with pytest.raises(cian.ListingRemoved):
        cian.parse_listing(html)


def test_archive_banner_without_state_is_removed() -> None:
    with pytest.raises(cian.ListingRemoved):
        cian.parse_listing(page_html("archived_dom_only.html"))


def test_captcha_page_is_blocked() -> None:
    with pytest.raises(cian.Blocked) as info:
        cian.parse_listing(page_html("captcha.html"))
    assert "повтор не поможет" in info.value.message
    assert "сохраните её и загрузите файл" in info.value.message


def test_recaptcha_script_on_a_normal_page_is_not_a_block() -> None:
    html = fixture_html(RESALE)
    assert "recaptcha" in html.lower()
    assert cian.parse_listing(html)["price"] == 75000000


@pytest.mark.parametrize("html", [page_html("not_listing.html"), "", "<html></html>", "{}"])
def test_page_without_an_offer_is_not_a_listing(html: str) -> None:
    with pytest.raises(cian.NotAListing) as info:
        cian.parse_listing(html)
    assert isinstance(info.value, cian.ParseError)
    assert info.value.message.endswith("введите данные вручную")
