"""A pattern's value: its matches, as two integer arrays, and the operations on them.

A match is a (start, end) pair of character offsets into `Document.text`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import overload

import numpy as np

Match = tuple[int, int]


class Matches:
    """A pattern's matches: distinct (start, end) spans in text order (by start, then end).

    Held as two integer arrays, 16 bytes a match (a tuple of tuples takes about 120), so that the
    matches of every sub-expression of thousands of rules can stay cached while a draft is
    checked. Iterating and indexing give plain (start, end) tuples.
    """

    __slots__ = ("ends", "starts")

    def __init__(self, starts: np.ndarray, ends: np.ndarray) -> None:
        self.starts = starts  # already in order and distinct: use `Matches.of` otherwise
        self.ends = ends

    @classmethod
    def of(cls, starts: np.ndarray, ends: np.ndarray) -> Matches:
        """Return the matches of spans given in any order, duplicates removed."""
        if len(starts) > 1:
            order = np.lexsort((ends, starts))
            starts, ends = starts[order], ends[order]
            fresh = np.empty(len(starts), dtype=bool)
            fresh[0] = True
            np.not_equal(starts[1:], starts[:-1], out=fresh[1:])
            fresh[1:] |= ends[1:] != ends[:-1]
            if not fresh.all():
                starts, ends = starts[fresh], ends[fresh]
        return cls(starts, ends)

    @classmethod
    def from_spans(cls, spans: Iterable[Match]) -> Matches:
        """Return the matches of (start, end) pairs given in any order."""
        pairs = spans_array(spans)
        return cls.of(pairs[:, 0], pairs[:, 1])

    def select(self, keep: np.ndarray) -> Matches:
        """Return the matches where a boolean array is true."""
        if not len(self.starts):  # (most patterns match rarely: skip the array operations)
            return self
        return Matches(self.starts[keep], self.ends[keep])

    def __len__(self) -> int:
        return len(self.starts)

    def __bool__(self) -> bool:
        return len(self.starts) > 0

    def __iter__(self) -> Iterator[Match]:
        for i in range(0, len(self.starts), 1024):  # in slices: callers often stop early
            yield from zip(self.starts[i:i + 1024].tolist(), self.ends[i:i + 1024].tolist())

    def head(self, n: int) -> list[Match]:
        """Return the first n matches (all of them if fewer) as (start, end) tuples."""
        return list(zip(self.starts[:n].tolist(), self.ends[:n].tolist()))

    @overload
    def __getitem__(self, i: int) -> Match: ...
    @overload
    def __getitem__(self, i: slice) -> Matches: ...

    def __getitem__(self, i: int | slice) -> Match | Matches:
        if isinstance(i, slice):
            return Matches(self.starts[i], self.ends[i])
        return int(self.starts[i]), int(self.ends[i])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Matches):
            return (np.array_equal(self.starts, other.starts)
                    and np.array_equal(self.ends, other.ends))
        if isinstance(other, tuple):
            return tuple(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        shown = ", ".join(map(str, self[:4]))
        return f"Matches([{shown}{', ...' if len(self) > 4 else ''}], {len(self)} in all)"


def int_array(values: Iterable[int] = ()) -> np.ndarray:
    """Return integers as a numpy array of int64 (offsets, positions, ids)."""
    return np.fromiter(values, dtype=np.int64)


NO_MATCH = Matches(int_array(), int_array())


def merge(*groups: Matches) -> Matches:
    """Return the union of several match sets."""
    groups = tuple(g for g in groups if g)
    if len(groups) <= 1:
        return groups[0] if groups else NO_MATCH
    return Matches.of(np.concatenate([g.starts for g in groups]),
                      np.concatenate([g.ends for g in groups]))


def count_non_overlapping(matches: Matches) -> int:
    """Return how many matches are taken left to right, skipping any that overlap one taken."""
    starts, ends = matches.starts, matches.ends
    if len(starts) < 2 or bool((starts[1:] >= ends[:-1]).all()):
        return len(starts)  # no match overlaps the next: all are taken
    taken, end = 0, -1
    for start, stop in zip(starts.tolist(), ends.tolist()):
        if start >= end:
            taken += 1
            end = stop
    return taken


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Return, for each value, whether it is in a sorted array (np.isin may import numpy.ma,
    a sixth of the start-up time of a check)."""
    if len(sorted_set) == 1:
        return values == sorted_set[0]
    if not len(sorted_set):
        return np.zeros(len(values), dtype=bool)
    i = np.minimum(sorted_set.searchsorted(values), len(sorted_set) - 1)
    return sorted_set[i] == values


def distinct(values: np.ndarray) -> np.ndarray:
    """Return the distinct values, sorted."""
    values = np.sort(values)
    if len(values) > 1:
        values = values[np.concatenate(([True], values[1:] != values[:-1]))]
    return values


def spans_array(ranges: Iterable[tuple[int, int]]) -> np.ndarray:
    """Return (start, end) ranges as a k x 2 integer array."""
    return np.array(list(ranges), dtype=np.int64).reshape(-1, 2)


def inside(matches: Matches, ranges: tuple[tuple[int, int], ...] | np.ndarray) -> np.ndarray:
    """Return, for each match, whether it lies wholly inside one of sorted, disjoint ranges."""
    if not matches:
        return np.zeros(0, dtype=bool)
    bounds = ranges if isinstance(ranges, np.ndarray) else spans_array(ranges)
    if not len(bounds):
        return np.zeros(len(matches), dtype=bool)
    i = bounds[:, 0].searchsorted(matches.starts, side="right") - 1
    return (i >= 0) & (matches.ends <= bounds[np.maximum(i, 0), 1])
