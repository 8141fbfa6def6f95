"""The catalog and wishlist part of the fake Audible (`FakeAudible.catalog`).

Shapes follow the recorded answers (`catalog_product.json`,
`catalog_product_multipart.json`, `wishlist_page.json`) and the mkb79/Audible
docs (misc/external_api.rst). `FakeAudible` routes these requests here, after
checking their signatures like every other request.

State (public; change it freely):

- `products`: asin -> catalog product JSON on the recorded product's shape;
  build titles with `make_product` and series with `make_series`.
- `wishlist`: the ASINs on the wishlist, in the order they were added.
- `wishlist_unlisted`: titles `total_results` counts but no page lists (the
  recorded page says 7 and lists 5).

Endpoints:

- `GET 1.0/catalog/products/{asin}`: `{"product": ...}`; unknown -> 404.
- `GET 1.0/catalog/products?asins=a,b`: the known ones, in the order asked
  (unknown ones left out: the fake's rule); more than 50 -> 400.
- `GET 1.0/catalog/products?author=name`: products with an author of that name
  (case-insensitive), namesakes included, newest `release_date` first with
  `products_sort_by=-ReleaseDate`; `num_results` 1..50, else 400.
- `GET 1.0/wishlist`: `page` from 0, `num_results` 1..50 (else 400),
  `total_results`.
- `POST 1.0/wishlist {"asin"}`: 201 with `Location`; an ASIN the catalog does
  not know -> 400; one already there -> 201 and nothing added (the fake's rule).
- `DELETE 1.0/wishlist/{asin}`: 204; not on the wishlist -> 404.

Every rendering honours `response_groups`: fields of groups not asked for are
left out. `add_demo_series(today)` fills in a series with every messy case.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import httpx

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

FIXTURES: Final = Path(__file__).parent.parent / "fixtures" / "audible"

MAX_CATALOG_ASINS: Final = 50
MAX_CATALOG_RESULTS: Final = 50
MAX_WISHLIST_RESULTS: Final = 50

# Fields a catalog product only carries when one of these groups is asked for.
_FIELD_GROUPS: Final[dict[str, str]] = {
    "authors": "contributors",
    "narrators": "contributors",
    "product_images": "media",
    "title": "product_desc",
    "subtitle": "product_desc",
    "merchandising_summary": "product_desc",
    "publisher_summary": "product_desc",
    "release_date": "product_attrs",
    "issue_date": "product_attrs",
    "publication_datetime": "product_attrs",
    "is_preorderable": "product_attrs",
    "runtime_length_min": "product_attrs",
    "relationships": "relationships",
    "series": "series",
}

# The demo series (`add_demo_series`).
SERIES_ASIN: Final = "B0SERIES01"
SERIES_TITLE: Final = "The Fake Saga"
AUTHOR: Final = ("Jane Doe", "B0AUTHOR01")
NAMESAKE: Final = ("Jane Doe", "B0AUTHOR99")
BOOK_1: Final = "B0BOOK0001"
BOOK_1_DRAMATIZED: Final = "B0BOOK001D"
BOOK_1_OTHER_REGION: Final = "B0BOOK001R"
NOVELLA: Final = "B0NOVELL05"
BOOK_2: Final = "B0BOOK0002"
BOOK_3: Final = "B0BOOK0003"
BOX_SET: Final = "B0BOXSET13"
BOOK_4_PREORDER: Final = "B0BOOK0004"
BOOK_5_UNANNOUNCED: Final = "B0BOOK0005"
NAMESAKE_BOOK: Final = "B0OTHER001"


class ReplyError(Exception):
    """Stops handling with an error response (`{"message": ...}`)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@functools.cache
def _recorded_product() -> dict[str, Any]:
    """The recorded catalog product (do not mutate: deep-copy it)."""
    data = json.loads((FIXTURES / "catalog_product.json").read_text("utf-8"))
    product: dict[str, Any] = data["product"]
    return product


def make_product(
    asin: str,
    title: str,
    *,
    authors: Sequence[tuple[str, str | None]] = (AUTHOR,),
    narrators: Sequence[str] = ("John Roe",),
    release_date: date = date(2020, 1, 1),
    is_preorderable: bool = False,
    series: Sequence[tuple[str, str, str | None]] = (),
    content_delivery_type: str = "SinglePartBook",
) -> dict[str, Any]:
    """A catalog product on the recorded shape.

    `series` holds (series ASIN, series title, sequence); each is also a
    parent relationship, as the recording has it.
    """
    product = copy.deepcopy(_recorded_product())
    del product["customer_reviews"]
    product.update(
        {
            "asin": asin,
            "title": title,
            "authors": [
                {"name": name} | ({"asin": author} if author else {})
                for name, author in authors
            ],
            "narrators": [{"name": name} for name in narrators],
            "release_date": release_date.isoformat(),
            "issue_date": release_date.isoformat(),
            "publication_datetime": f"{release_date.isoformat()}T08:00:00Z",
            "is_preorderable": is_preorderable,
            "product_state": "AVAILABLE_FOR_PREORDER"
            if is_preorderable
            else "AVAILABLE",
            "content_delivery_type": content_delivery_type,
            "product_images": {
                "500": f"https://m.media-amazon.com/images/I/{asin}._SL500_.jpg"
            },
            "series": [
                {"asin": s_asin, "sequence": seq, "title": s_title}
                for s_asin, s_title, seq in series
            ]
            or None,
            "relationships": [
                {
                    "asin": s_asin,
                    "content_delivery_type": "BookSeries",
                    "relationship_to_product": "parent",
                    "relationship_type": "series",
                    "sequence": seq,
                    "sort": seq,
                    "title": s_title,
                }
                for s_asin, s_title, seq in series
            ],
        }
    )
    return product


def make_series(
    asin: str, title: str, children: Sequence[tuple[str, str | None, str]]
) -> dict[str, Any]:
    """A series product: children are (ASIN, sequence, sort)."""
    return {
        "asin": asin,
        "title": title,
        "content_delivery_type": "BookSeries",
        "content_type": "Series",
        "relationships": [
            {
                "asin": child,
                "relationship_to_product": "child",
                "relationship_type": "series",
                "sequence": sequence,
                "sort": sort,
            }
            for child, sequence, sort in children
        ],
    }


def render(product: Mapping[str, Any], groups: list[str] | None) -> dict[str, Any]:
    """A product as the catalog sends it for these response groups."""
    rendered = copy.deepcopy(dict(product))
    for name, group in _FIELD_GROUPS.items():
        if group not in (groups or []):
            rendered.pop(name, None)
    return rendered


def split(value: str | None) -> list[str] | None:
    """A comma-separated parameter as a list; None when absent."""
    if value is None:
        return None
    return [part.strip() for part in value.split(",") if part.strip()]


def json_response(
    status: int, data: Any, headers: Mapping[str, str] | None = None
) -> httpx.Response:
    """A JSON answer."""
    return httpx.Response(
        status,
        content=json.dumps(data).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def _count(params: Mapping[str, str], name: str, default: int, top: int) -> int:
    value = params.get(name, str(default))
    if not value.isdecimal() or not 0 < int(value) <= top:
        raise ReplyError(400, f"1 validation error detected: {name}")
    return int(value)


type Handler = Callable[[dict[str, str], Any, str], httpx.Response]


@dataclass
class FakeCatalog:
    """Catalog products and the wishlist; see the module docstring."""

    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    wishlist: list[str] = field(default_factory=list)
    wishlist_unlisted: int = 0

    def add_products(self, *products: dict[str, Any]) -> None:
        """Add (or replace) catalog products."""
        for product in products:
            self.products[product["asin"]] = copy.deepcopy(product)

    def add_demo_series(self, today: date) -> None:
        """A series with every messy case, plus a namesake author's title.

        Position 1 in three editions, a 0.5 novella, 2 and 3, a box set of
        1-3, 4 out in 30 days and pre-orderable, 5 out in 90 days and not.
        """
        saga = (SERIES_ASIN, SERIES_TITLE)
        old = date(2020, 1, 1)

        def volume(
            asin: str, title: str, seq: str, when: date, *, preorder: bool = False
        ) -> dict[str, Any]:
            return make_product(
                asin,
                title,
                release_date=when,
                is_preorderable=preorder,
                series=[(*saga, seq)],
            )

        self.add_products(
            volume(BOOK_1, "Book One", "1", old),
            volume(BOOK_1_DRAMATIZED, "Book One (Dramatized)", "1", old),
            volume(BOOK_1_OTHER_REGION, "Book One (UK)", "1", old),
            volume(NOVELLA, "A Novella", "0.5", old + timedelta(days=30)),
            volume(BOOK_2, "Book Two", "2", old + timedelta(days=365)),
            volume(BOOK_3, "Book Three", "3", old + timedelta(days=730)),
            volume(BOX_SET, "Books 1-3", "1-3", old + timedelta(days=800)),
            volume(
                BOOK_4_PREORDER,
                "Book Four",
                "4",
                today + timedelta(days=30),
                preorder=True,
            ),
            volume(BOOK_5_UNANNOUNCED, "Book Five", "5", today + timedelta(days=90)),
            make_product(NAMESAKE_BOOK, "Someone Else's Book", authors=[NAMESAKE]),
            make_series(
                SERIES_ASIN,
                SERIES_TITLE,
                [
                    (BOOK_1, "1", "1"),
                    (BOOK_1_DRAMATIZED, "1", "1"),
                    (BOOK_1_OTHER_REGION, "1", "1"),
                    (NOVELLA, "0.5", "0"),
                    (BOOK_2, "2", "2"),
                    (BOOK_3, "3", "3"),
                    (BOX_SET, "1-3", "4"),
                    (BOOK_4_PREORDER, "4", "5"),
                    (BOOK_5_UNANNOUNCED, "5", "6"),
                ],
            ),
        )

    def routes(self) -> list[tuple[str, str, Handler]]:
        """(method, path pattern, handler) of the endpoints served here."""
        return [
            ("GET", r"1\.0/catalog/products", self._products),
            ("GET", r"1\.0/catalog/products/(?P<asin>[^/]+)", self._product),
            ("GET", r"1\.0/wishlist", self._get_wishlist),
            ("POST", r"1\.0/wishlist", self._add_wishlist),
            ("DELETE", r"1\.0/wishlist/(?P<asin>[^/]+)", self._remove_wishlist),
        ]

    # -- endpoints ---------------------------------------------------------

    def _product(self, params: dict[str, str], _body: Any, asin: str) -> httpx.Response:
        if asin not in self.products:
            raise ReplyError(404, "Requested product does not exist")
        groups = split(params.get("response_groups"))
        return json_response(
            200,
            {
                "product": render(self.products[asin], groups),
                "response_groups": ["always-returned", *(groups or [])],
            },
        )

    def _products(
        self, params: dict[str, str], _body: Any, _asin: str
    ) -> httpx.Response:
        groups = split(params.get("response_groups"))
        if (asins := split(params.get("asins"))) is not None:
            if len(asins) > MAX_CATALOG_ASINS:
                raise ReplyError(400, "asins must have at most 50 members")
            found = [self.products[a] for a in asins if a in self.products]
        elif (author := params.get("author")) is not None:
            size = _count(params, "num_results", 10, MAX_CATALOG_RESULTS)
            wanted = author.strip().casefold()
            found = [
                product
                for product in self.products.values()
                if any(
                    str(person.get("name", "")).casefold() == wanted
                    for person in product.get("authors") or []
                )
            ]
            if params.get("products_sort_by") == "-ReleaseDate":
                found.sort(key=lambda p: str(p.get("release_date")), reverse=True)
            found = found[:size]
        else:
            raise ReplyError(400, "Search parameters are required")
        return json_response(
            200,
            {
                "products": [render(product, groups) for product in found],
                "response_groups": ["always-returned", *(groups or [])],
                "total_results": len(found),
            },
        )

    def _get_wishlist(
        self, params: dict[str, str], _body: Any, _asin: str
    ) -> httpx.Response:
        size = _count(params, "num_results", 50, MAX_WISHLIST_RESULTS)
        page = params.get("page", "0")
        if not page.isdecimal():
            raise ReplyError(400, "1 validation error detected: page")
        groups = split(params.get("response_groups"))
        listed = self.wishlist[int(page) * size : (int(page) + 1) * size]
        return json_response(
            200,
            {
                "bin_fields": None,
                "products": [
                    render(self.products.get(asin, {"asin": asin}), groups)
                    for asin in listed
                ],
                "response_groups": ["always-returned", *(groups or [])],
                "total_results": len(self.wishlist) + self.wishlist_unlisted,
            },
        )

    def _add_wishlist(
        self, _params: dict[str, str], body: Any, _a: str
    ) -> httpx.Response:
        asin = body.get("asin") if isinstance(body, dict) else None
        if not isinstance(asin, str) or asin not in self.products:
            raise ReplyError(400, "Invalid asin")
        if asin not in self.wishlist:
            self.wishlist.append(asin)
        return httpx.Response(201, headers={"Location": f"/1.0/wishlist/{asin}"})

    def _remove_wishlist(
        self, _params: dict[str, str], _body: Any, asin: str
    ) -> httpx.Response:
        if asin not in self.wishlist:
            raise ReplyError(404, "Item not found in wishlist")
        self.wishlist.remove(asin)
        return httpx.Response(204)


def endpoint_label(method: str, pattern: str) -> str:
    """A route as `GET 1.0/catalog/products/{asin}` (for request budgets)."""
    return f"{method} " + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern).replace(
        "\\", ""
    )
