"""The matcher: `Matcher` and its index of ABS items.

`Matcher.update` diffs the libraries against the previous run, files the
items into buckets (`Entry.index_keys`), scores only the titles whose buckets
changed and settles which title gets which item; `candidates_for` ranks the
items one title could be linked to. The rules are in the package docstring.
The class is kept whole (a little over 500 lines): its index, scoring and
settling all work on the same state.
"""

from __future__ import annotations

import sys
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from rapidfuzz import fuzz, process

from .entry import (
    KEY_ASIN,
    KEY_ISBN,
    KEY_TITLE,
    KEY_TITLE_NO_AUTHOR,
    Entry,
    same_for_matching,
)
from .normalise import contains_cjk
from .result import METHOD_RANK, Candidate, Conflict, Link, MatchResult
from .similarity import (
    MIN_AUTHOR_SCORE,
    PERFECT_SCORE,
    SEQUENCE_MISMATCH_PENALTY,
    SUBSTITUTED_WORD_PENALTY,
    author_factor,
    sorted_tokens,
    substituted_words,
    subtitled_similarity,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from collections.abc import Set as AbstractSet

    from ..models import AbsItem, AudibleTitle
    from .result import MatchMethod


_MAX_CONFLICT_CANDIDATES: Final = 5


# Buckets larger than this are too unspecific to read (see module docstring).
_MAX_TITLE_BUCKET: Final = 200
_TITLE_BUCKET_BUDGET: Final = 100
_MAX_AUTHOR_BUCKET: Final = 500


@dataclass(slots=True)
class _Evaluation:
    """One title's own verdict, before titles competing for an item are settled."""

    candidates: tuple[Candidate, ...]  # ranked, best first
    link: bool  # whether candidates[0] would be linked on its own merits
    read_keys: tuple[str, ...]  # the index keys this verdict depends on


def _interned(keys: set[str]) -> tuple[str, ...]:
    # A verdict is kept per title and titles share most keys (common words,
    # authors): one copy of each key, not one per title.
    return tuple(map(sys.intern, keys))


class Matcher:
    """Matches an Audible library against ABS items, incrementally."""

    def __init__(
        self,
        *,
        auto_link_score: float = 90.0,
        min_margin: float = 8.0,
        min_candidate_score: float = 60.0,
    ) -> None:
        """Set the thresholds (scores are 0..100)."""
        self._auto_link_score = auto_link_score
        self._min_margin = min_margin
        self._min_candidate_score = min_candidate_score
        self._items: dict[str, Entry] = {}
        self._titles: dict[str, Entry] = {}
        self._postings: dict[str, set[str]] = {}
        self._evaluations: dict[str, _Evaluation] = {}
        self._rematched = 0
        self._result = MatchResult({}, {}, frozenset(), frozenset())
        # `update` runs in an executor thread; `candidates_for` may be called
        # from another one meanwhile.
        self._lock = threading.Lock()

    @property
    def rematched_last_update(self) -> int:
        """How many titles the last `update` scored (again)."""
        return self._rematched

    @property
    def result(self) -> MatchResult:
        """The result of the last `update`."""
        return self._result

    def update(
        self,
        titles: Iterable[AudibleTitle],
        items: Iterable[AbsItem],
        *,
        manual_links: Mapping[str, str] | None = None,
        ignored: AbstractSet[str] | None = None,
    ) -> MatchResult:
        """Match the complete current libraries; re-score only what changed.

        ``manual_links`` maps ASIN -> ABS item id; ``ignored`` holds ASINs to
        leave out entirely (it beats a manual link of the same ASIN).
        """
        manual_links = manual_links or {}
        ignored = ignored or frozenset()
        with self._lock:
            touched_keys = self._update_items(items)
            dirty = self._update_titles(titles)
            # A title's verdict depends on the buckets it read, nothing else.
            dirty.update(
                asin
                for asin, evaluation in self._evaluations.items()
                if not touched_keys.isdisjoint(evaluation.read_keys)
            )
            for asin in dirty:
                self._evaluations.pop(asin, None)

            # Titles whose item the user chose need no scoring; ignored ones
            # neither. Their cached evaluations stay valid for when that changes.
            self._rematched = 0
            for asin, entry in self._titles.items():
                if asin in ignored or asin in manual_links or asin in self._evaluations:
                    continue
                self._evaluations[asin] = self._evaluate(entry)
                self._rematched += 1

            self._result = self._settle(manual_links, ignored)
            return self._result

    def candidates_for(self, asin: str, limit: int = 5) -> tuple[Candidate, ...]:
        """Rank the items title ``asin`` could be linked to, best first.

        Exact (ASIN/ISBN) matches come first, then fuzzy candidates scoring at
        least ``min_candidate_score``. Empty for an unknown ASIN.
        """
        with self._lock:
            entry = self._titles.get(asin)
            if entry is None:
                return ()
            return self._evaluate(entry, every_candidate=True).candidates[:limit]

    # -- index maintenance ---------------------------------------------------

    def _update_items(self, items: Iterable[AbsItem]) -> set[str]:
        """Bring the index up to date; return the keys whose buckets changed."""
        current = {item.item_id: item for item in items}
        postings = self._postings
        touched: set[str] = set()
        for item_id in self._items.keys() - current.keys():
            touched.update(self._unfile(self._items.pop(item_id)))
        for item_id, item in current.items():
            old = self._items.get(item_id)
            if old is not None:
                if same_for_matching(old.source, item):
                    old.source = item  # one copy of the item: the newest
                    continue
                touched.update(self._unfile(old))
            entry = Entry.create(item_id, item)
            self._items[item_id] = entry
            keys = entry.index_keys()
            for key in keys:
                bucket = postings.get(key)
                if bucket is None:
                    postings[key] = {item_id}
                else:
                    bucket.add(item_id)
            touched.update(keys)
        return touched

    def _unfile(self, entry: Entry) -> list[str]:
        keys = entry.index_keys()
        for key in keys:
            bucket = self._postings[key]
            bucket.discard(entry.key)
            if not bucket:
                del self._postings[key]
        return keys

    def _update_titles(self, titles: Iterable[AudibleTitle]) -> set[str]:
        """Store the titles; return ASINs that are gone, new or changed."""
        current = {title.asin: title for title in titles}
        changed = self._titles.keys() - current.keys()
        for asin in changed:
            del self._titles[asin]
        for asin, title in current.items():
            old = self._titles.get(asin)
            if old is None or not same_for_matching(old.source, title):
                self._titles[asin] = Entry.create(asin, title)
                changed.add(asin)
            else:
                # Keep the library's copy, not the one of a fetch hours ago.
                old.source = title
        return changed

    # -- scoring -------------------------------------------------------------

    def _evaluate(self, title: Entry, *, every_candidate: bool = False) -> _Evaluation:
        read: set[str] = set()
        exact = self._exact_candidates(title, read)
        if exact and not every_candidate:
            return _Evaluation(
                candidates=exact, link=len(exact) == 1, read_keys=_interned(read)
            )

        # item id -> (score, whether the authors are known to agree)
        scores: dict[str, tuple[float, bool]] = {}
        author_factors: dict[tuple[str, ...], float | None] = {}
        by_author, author_bucket_complete = self._author_bucket(title, read)
        self._score_bucket(title, by_author, scores, author_factors)
        self._score_bucket(
            title,
            self._title_bucket(title, KEY_TITLE_NO_AUTHOR, read),
            scores,
            author_factors,
        )
        if not by_author or not author_bucket_complete:
            # Nothing by this author: the name may be spelt otherwise
            # ("Dostoevsky"/"Dostoyevsky"), or it is too common (or too bare)
            # to list all its books; look the title up alone.
            by_title = self._title_bucket(title, KEY_TITLE, read)
            self._score_bucket(
                title,
                self._by_possible_authors(title, by_title, author_factors),
                scores,
                author_factors,
            )

        exact_ids = {candidate.item_id for candidate in exact}
        ranked = sorted(
            (-score, item_id)
            for item_id, (score, _) in scores.items()
            if item_id not in exact_ids
        )
        if every_candidate:
            return _Evaluation(
                candidates=exact
                + tuple(
                    self._candidate(item_id, -score, "fuzzy")
                    for score, item_id in ranked
                ),
                link=False,
                read_keys=_interned(read),
            )
        link = False
        if ranked:
            best_score, best_id = -ranked[0][0], ranked[0][1]
            runner_up = -ranked[1][0] if len(ranked) > 1 else None
            link = (
                best_score >= self._auto_link_score
                and (runner_up is None or best_score - runner_up >= self._min_margin)
                # An item without authors is never linked on its title alone.
                and scores[best_id][1]
            )
        return _Evaluation(
            candidates=tuple(
                self._candidate(item_id, -score, "fuzzy")
                for score, item_id in ranked[:_MAX_CONFLICT_CANDIDATES]
            ),
            link=link,
            read_keys=_interned(read),
        )

    def _exact_candidates(self, title: Entry, read: set[str]) -> tuple[Candidate, ...]:
        lookups: tuple[tuple[MatchMethod, str | None, str], ...] = (
            ("asin", title.asin, KEY_ASIN),
            ("isbn", title.isbn, KEY_ISBN),
        )
        for method, value, prefix in lookups:
            if not value:
                continue
            read.add(prefix + value)
            item_ids = self._postings.get(prefix + value)
            if item_ids:
                ranked = (
                    sorted(
                        item_ids,
                        key=lambda item_id: (
                            -self._fuzzy_score(title, item_id),
                            item_id,
                        ),
                    )
                    if len(item_ids) > 1
                    else item_ids
                )
                return tuple(
                    self._candidate(item_id, PERFECT_SCORE, method)
                    for item_id in ranked
                )
        return ()

    def _fuzzy_score(self, title: Entry, item_id: str) -> float:
        scored = self._score(title, item_id, {})
        return scored[0] if scored else 0.0

    def _author_bucket(self, title: Entry, read: set[str]) -> tuple[set[str], bool]:
        """Return the items by the title's authors, and whether that is all.

        Reads each author's own bucket and the bucket of the bare surname. A
        title author without a given name, or a bucket too large to read, can
        leave items out.
        """
        bucket: set[str] = set()
        complete = True
        for key in title.author_keys:
            bare_surname = key.partition("|")[0] + "|"
            complete = complete and key != bare_surname
            for lookup in dict.fromkeys((key, bare_surname)):
                read.add(lookup)
                item_ids = self._postings.get(lookup, ())
                if len(item_ids) <= _MAX_AUTHOR_BUCKET:
                    bucket.update(item_ids)
                else:
                    complete = False
        return bucket, complete

    def _title_bucket(self, title: Entry, prefix: str, read: set[str]) -> set[str]:
        """Return the items under the title's rare tokens (see module docstring)."""
        sizes: list[tuple[int, str]] = []
        for token in title.tokens:
            key = prefix + token
            # Which tokens are rare depends on every token's bucket size.
            read.add(key)
            if key in self._postings:
                sizes.append((len(self._postings[key]), key))
        # The rarest token, the next one too unless it is common (the item may
        # misspell the first), more while the bucket stays small.
        sizes.sort()
        bucket: set[str] = set()
        for index, (size, key) in enumerate(sizes):
            limit = _MAX_TITLE_BUCKET if index == 1 else _TITLE_BUCKET_BUDGET
            if index and len(bucket) + size > limit:
                break
            bucket.update(self._postings[key])
        return bucket

    def _by_possible_authors(
        self,
        title: Entry,
        item_ids: set[str],
        author_factors: dict[tuple[str, ...], float | None],
    ) -> set[str]:
        """Return the items whose authors may be the title's.

        The verdict `author_factor` would reach, for a whole bucket at once:
        a name with another surname must reach the gate in token_sort_ratio,
        which rapidfuzz checks for all of them in one call.
        """
        if not title.normalized_authors:
            return item_ids
        items = self._items
        pending = {items[item_id].normalized_authors for item_id in item_ids}
        pending -= author_factors.keys()
        pending.discard(())
        names = {name for authors in pending for name in authors}
        surnames = {name.rpartition(" ")[2] for name in title.normalized_authors}
        possible = {name for name in names if name.rpartition(" ")[2] in surnames}
        others = list(names - possible)
        # token_sort_ratio is ratio on sorted tokens; sorting once per name
        # (cached) lets rapidfuzz run the plain ratio over the whole list.
        sorted_others = [sorted_tokens(name) for name in others]
        for name in title.normalized_authors:
            possible.update(
                others[index]
                for _, _, index in process.extract(
                    sorted_tokens(name),
                    sorted_others,
                    scorer=fuzz.ratio,
                    score_cutoff=MIN_AUTHOR_SCORE,
                    limit=None,
                )
            )
        for authors in pending:
            if possible.isdisjoint(authors):
                author_factors[authors] = None
        return {
            item_id
            for item_id in item_ids
            if author_factors.get(items[item_id].normalized_authors, 0.0) is not None
        }

    def _score_bucket(
        self,
        title: Entry,
        item_ids: set[str],
        scores: dict[str, tuple[float, bool]],
        author_factors: dict[tuple[str, ...], float | None],
    ) -> None:
        for item_id in item_ids - scores.keys():
            scored = self._score(title, item_id, author_factors)
            if scored is not None:
                scores[item_id] = scored

    def _score(
        self,
        title: Entry,
        item_id: str,
        author_factors: dict[tuple[str, ...], float | None],
    ) -> tuple[float, bool] | None:
        """Return the fuzzy score and whether the authors agree, or None.

        None when the item is no candidate: below ``min_candidate_score`` or
        by other authors. ``author_factors`` caches what the title's authors
        make of an item's authors (None: other people), as many items share
        them.
        """
        item = self._items[item_id]
        authors = item.normalized_authors
        if authors in author_factors:
            factor = author_factors[authors]
        else:
            factor = author_factors[authors] = author_factor(
                title.normalized_authors, authors
            )
        if factor is None:
            return None
        needed = self._min_candidate_score / factor
        if title.rest or item.rest:
            # Cheap bound first: most items are far off and need no word check.
            if subtitled_similarity(title, item, check_words=False) < needed:
                return None
            similarity = subtitled_similarity(title, item)
        else:
            # The common case, inlined: rapidfuzz gives up early below `needed`.
            similarity = fuzz.ratio(title.main, item.main, score_cutoff=needed)
            if similarity < needed:
                return None
            if similarity < PERFECT_SCORE and not contains_cjk(title.main):
                similarity -= SUBSTITUTED_WORD_PENALTY * substituted_words(
                    title.main, item.main
                )
        score = factor * similarity
        if (
            title.sequences
            and item.sequences
            and title.sequences.isdisjoint(item.sequences)
        ):
            score -= SEQUENCE_MISMATCH_PENALTY
        if score < self._min_candidate_score:
            return None
        return round(score, 1), bool(authors) and bool(title.normalized_authors)

    def _candidate(self, item_id: str, score: float, method: MatchMethod) -> Candidate:
        item = self._items[item_id]
        return Candidate(
            item_id=item_id,
            score=score,
            title=item.source.title,
            authors=item.source.authors,
            method=method,
        )

    # -- settling ------------------------------------------------------------

    def _settle(
        self, manual_links: Mapping[str, str], ignored: AbstractSet[str]
    ) -> MatchResult:
        """Turn the per-title verdicts into links, giving each item one title."""
        links: dict[str, Link] = {}
        conflicts: dict[str, Conflict] = {}
        unmatched: set[str] = set()
        stale: set[str] = set()
        manual_items: set[str] = set()
        claims: dict[str, list[tuple[Candidate, str]]] = {}

        for asin in sorted(self._titles.keys() - ignored):
            if asin in manual_links:
                item_id = manual_links[asin]
                if item_id in self._items:
                    links[asin] = Link(asin, item_id, "manual", PERFECT_SCORE)
                    manual_items.add(item_id)
                else:
                    stale.add(asin)
                continue
            evaluation = self._evaluations[asin]
            if evaluation.link:
                best = evaluation.candidates[0]
                claims.setdefault(best.item_id, []).append((best, asin))
            elif evaluation.candidates:
                conflicts[asin] = Conflict(asin, evaluation.candidates)
            else:
                unmatched.add(asin)

        for item_id, claimants in claims.items():
            winner = None if item_id in manual_items else self._winner(claimants)
            for candidate, asin in claimants:
                if asin == winner:
                    links[asin] = Link(asin, item_id, candidate.method, candidate.score)
                else:
                    conflicts[asin] = Conflict(asin, self._evaluations[asin].candidates)

        return MatchResult(
            links=links,
            conflicts=conflicts,
            unmatched=frozenset(unmatched),
            stale_manual_links=frozenset(stale),
        )

    def _winner(self, claimants: list[tuple[Candidate, str]]) -> str | None:
        """Return the ASIN that gets an item several titles claim, if any."""
        claimants.sort(
            key=lambda claim: (METHOD_RANK[claim[0].method], -claim[0].score)
        )
        best, asin = claimants[0]
        if len(claimants) == 1:
            return asin
        second = claimants[1][0]
        if METHOD_RANK[best.method] < METHOD_RANK[second.method]:
            return asin
        # Two ASIN (or ISBN) claims are a tie whatever the fuzzy scores say.
        if best.method == "fuzzy" and best.score - second.score >= self._min_margin:
            return asin
        return None
