"""Cian listings: URL validation, fetching (with cache) and parsing of listing and search pages.

Parsing (`parse_listing`, `parse_search_results`) is pure; fetching reads `CIAN_*` settings;
`read_saved_page` reads a page the visitor saved in their own browser and uploaded.
"""

from .bulkhead import upload_slot
from .errors import (
    Blocked,
    Busy,
    CianError,
    FetchFailed,
    FetchTimeout,
    HostNotAllowed,
    InvalidURL,
    ListingRemoved,
    NotAListing,
    ParseError,
    ResponseTooLarge,
    SavedPageError,
    UploadsBusy,
)
from .fetch import Budget, fetch_listing
from .outcomes import refused_lately
from .parse import LISTING_KEYS, parse_listing
from .saved_page import SavedPage, read_saved_page
from .search import (
    SearchResult,
    build_search_urls,
    parse_search_results,
    search_comparables,
    similar_flats_url,
)
from .urls import normalize_listing_url

__all__ = [
    "LISTING_KEYS",
    "Blocked",
    "Budget",
    "Busy",
    "CianError",
    "FetchFailed",
    "FetchTimeout",
    "HostNotAllowed",
    "InvalidURL",
    "ListingRemoved",
    "NotAListing",
    "ParseError",
    "ResponseTooLarge",
    "SavedPage",
    "SavedPageError",
    "SearchResult",
    "UploadsBusy",
    "build_search_urls",
    "fetch_listing",
    "normalize_listing_url",
    "parse_listing",
    "parse_search_results",
    "read_saved_page",
    "refused_lately",
    "search_comparables",
    "similar_flats_url",
    "upload_slot",
]
