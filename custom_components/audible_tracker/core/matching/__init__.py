"""Match Audible titles to Audiobookshelf (ABS) library items.

Pure CPU code without I/O or asyncio: Home Assistant runs `Matcher.update` in
an executor thread. A `Matcher` is thread-safe (one lock around `update` and
`candidates_for`).

Public API
----------
``Matcher(*, auto_link_score=90.0, min_margin=8.0, min_candidate_score=60.0)``
    Keeps an index of the ABS items and each title's last verdict.
    ``update(titles, items, *, manual_links=None, ignored=None)`` takes the
    complete current libraries and returns a `MatchResult`;
    ``rematched_last_update`` says how many titles that call scored (again),
    ``result`` is the last result and ``candidates_for(asin, limit=5)`` ranks
    the items a title could be linked to (for the resolve-conflict UI).
``MatchResult(links, conflicts, unmatched, stale_manual_links)``
    Keyed by ASIN, with `Link`, `Conflict` (up to five ranked `Candidate`);
    ``to_dict()``/``from_dict()`` convert it to and from plain JSON data for a
    Home Assistant Store (`MatchDataError` for data it cannot read).
``normalize_title(title, subtitle=None)``, ``normalize_author(name)``,
``normalize_isbn(value)``
    The normalisation the matcher compares with.

How a title is matched
----------------------
1. A manual link (ASIN -> item id) wins over everything. When its item no
   longer exists the ASIN is reported in ``stale_manual_links`` and is not
   matched automatically: the user's decision stands until they change it.
   Manual links of ASINs that are not in the library are left out.
2. ASIN equal (trimmed, case-insensitive), else ISBN equal (ISBN-10 and -13
   compared as ISBN-13). One such item is a link; several are a conflict.
3. Otherwise a fuzzy score 0..100: the title similarity times (0.75 + 0.25 *
   the author similarity).
   - Titles are compared normalised (see `normalize_title`) with rapidfuzz's
     ratio; a subtitle only one side has is ignored, or compared with the
     other side's title ("Mistborn: The Final Empire" / "The Final Empire");
     subtitles both sides have must agree. Each word that one title has where
     the other has a different word (not a typo of it) costs 15 points:
     "Magic Bites" is not "Magic Burns".
   - Authors: the best pair of normalised names (see `normalize_author`);
     initials match given names ("L. M." / "Lucy Maud"). An item by other
     people (similarity under 75, or the same surname with other given names)
     is no candidate at all. An item without authors counts as 70 % and is
     never linked automatically, however equal the title.
   - Contradicting series numbers (title markers such as "Book 2" against
     "Book 3", or the series sequences) cost 30 points.
   The best candidate is linked when it scores at least ``auto_link_score``
   and leads the runner-up by ``min_margin``; otherwise the title is a
   conflict with up to five ranked candidates scoring at least
   ``min_candidate_score``. No candidate at all: unmatched.

One item, several titles: automatically, an item is linked to one title at
most. A manual link beats an ASIN match, which beats an ISBN match, which
beats a fuzzy one; of several fuzzy claims the best wins only when it leads by
``min_margin`` (two editions of one book on Audible both become conflicts).
Every title that loses an item this way becomes a conflict rather than falling
back to its next candidate, which would be a guess. Two manual links to one
item are both kept: the user asked for them.

Ignored ASINs appear nowhere in the result, even when manually linked.

Scale
-----
Candidates come from buckets instead of all pairs: exact dicts for ASIN and
ISBN; the items by the same author (bucket: surname and first initial, plus
items with the bare surname); the items without authors that share a title
token; and, only when the author has no items (or no usable bucket: a bare
surname, or more than 500 items), the items sharing the title's rarest tokens
whose authors may be the same people (a spelling variant, "Dostoevsky" /
"Dostoyevsky"). An update diffs items and titles against the previous run and
scores again only titles that are new or changed and titles that read a bucket
an added, changed or removed item is filed under; the result is the same as a
fresh `Matcher` gives.

Modules
-------
``normalise`` (normalisation), ``similarity`` (scores), ``entry`` (a title or
item as the matcher keeps it, and its index buckets), ``matcher`` (`Matcher`)
and ``result`` (`MatchResult` and its JSON form).
"""

from .matcher import Matcher
from .normalise import normalize_author, normalize_isbn, normalize_title
from .result import Candidate, Conflict, Link, MatchMethod, MatchResult

__all__ = [
    "Candidate",
    "Conflict",
    "Link",
    "MatchMethod",
    "MatchResult",
    "Matcher",
    "normalize_author",
    "normalize_isbn",
    "normalize_title",
]
