"""The names a query is matched against: every term and alias of the stored entries.

A query that is a name is found without looking at every name (issue 14): whole names in a
dict, each word a prefix (`kl div`) by bisecting the sorted names, and a typo (`perplexty`)
among the names that start with the query's letter and are about its length only (rapidfuzz).

The index follows the store: a store that logs which files changed (`NameLogStore`, SQLite)
has only those files' names read again after a save (issue 15: save to searchable); any other
store has them all read again when its entries change.

Loading every name takes time (0.27 s at 100k passages, 3 s at 1M), which a process that
searches once (`grimoire search`) would spend for one query. A store that can look names up
itself (`NameQueryStore`, SQLite, through its index on names) answers a searcher's first query
with `StoreNames`, which asks the same questions of the store and gives the same matches;
the index is loaded at the second. A server loads it when it starts, on a thread of its own
through a connection of its own (`BackgroundLoad`), and its queries ask the store until it is
ready. Not at a second query: a loading thread holds the GIL for most of its seconds, and a
query that asks the store for the candidates of a typo meanwhile waited as long as the load.
"""

from __future__ import annotations

import bisect
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from rapidfuzz import fuzz, process

from grimoire.store.records import NameRow

# A typo keeps the name's length within about a third: fuzz.ratio >= 86 needs it.
TYPO_CUTOFF = 86
TYPO_MARGIN = 3  # ratio points below the nearest name's within which a typo still counts
PREFIX_WINDOW = 2000  # names looked at for one prefix query, at most


@dataclass(frozen=True, slots=True)
class NameMatch:
    """An entry whose name the query is."""

    entry_id: int
    score: float  # 1.0 exact, less for prefix and typo matches
    name: str  # the normalised name matched


class NameSource(Protocol):
    """What any store gives the index: all names at once, and when they may have changed."""

    def change_counter(self) -> tuple[int, ...]: ...
    def names_signature(self) -> tuple[int, int]: ...
    def name_rows(self) -> list[NameRow]: ...


@runtime_checkable
class NameLogStore(Protocol):
    """A store that logs the files whose documents changed, so the index reads only those."""

    def change_counter(self) -> tuple[int, ...]: ...
    def name_log_position(self) -> int: ...
    def name_log_paths(self, after: int) -> list[str] | None: ...
    def path_name_rows(self, paths: Sequence[str] | None) -> list[tuple[str, NameRow]]: ...
    def name_index_rows(self) -> list[tuple[str, str, int, int]]: ...


@runtime_checkable
class NameQueryStore(Protocol):
    """A store that looks names up itself, through an index on them: only non-redirect
    entries' names, each distinct name once, in the order given (see `StoreNames`)."""

    def name_entry_rows(self, norms: Sequence[str]) -> list[tuple[str, int, int]]: ...
    def names_between(self, low: str, high: str) -> Iterable[str]: ...
    def names_of_length(self, low: str, high: str, shortest: int,
                        longest: int) -> list[str]: ...


@runtime_checkable
class ReadableNames(Protocol):
    """A store whose names another thread can read (`NameLogSQL.name_reader`)."""

    def name_reader(self) -> ClosableNameLog | None: ...


class ClosableNameLog(NameLogStore, Protocol):
    def close(self) -> None: ...


def _word_count(norm: str) -> int:
    return norm.count(" ") + 1  # a normalised name's words are one space apart


def _length_key(norm: str) -> tuple[int, str]:
    return len(norm), norm


class NameMatcher:
    """What search asks of the names: the entries of given names, and the entries a query
    names (`match`), answered from memory (`NameIndex`) or by the store (`StoreNames`)."""

    def named(self, norms: Iterable[str]) -> dict[str, list[int]]:
        """The entry ids (ascending) of each of `norms` that is a name; others left out."""
        raise NotImplementedError

    def document_of(self, entry_id: int) -> int | None:
        """The document of an entry returned by `named` or `match`."""
        raise NotImplementedError

    def _prefixed(self, q_words: list[str]) -> list[str]:
        raise NotImplementedError

    def typo_candidates(self, q: str) -> list[str]:
        raise NotImplementedError

    def _exact(self, entry_ids: list[int] | None, allowed: set[int] | None) -> bool:
        """Whether one of `entry_ids` (the entries of one name) may be a hit."""
        if not entry_ids:
            return False
        return allowed is None or any(self.document_of(e) in allowed for e in entry_ids)

    def match(self, q: str, allowed: set[int] | None = None) -> list[NameMatch]:
        """Entries whose name is the normalised query `q`: exactly, word by word as prefixes,
        or with a typo; only entries of `allowed` documents when given."""
        if not q or len(q) > 80:
            return []
        q_words = q.split()
        # "kl div" -> "kl divergence": every word a prefix of the name's word at its place.
        prefixed = (self._prefixed(q_words) if len(q) >= 2 and (len(q_words) > 1 or len(q) >= 4)
                    else [])
        ids = self.named([q, *prefixed])
        # Typos: the whole query close to a whole name (names are short: skip long queries).
        # A query that is a name needs no correction: "supervised learning" is not a typo of
        # "self-supervised learning" (their ratio passes the cutoff), and counting it as one
        # put that page first in a lexical search. The same words joined or apart are the
        # same name as another collection writes it ("pretrained model", "pre-trained model"):
        # only those are looked up then (one lookup, no fuzzy pass).
        close: dict[str, float] = {}  # name -> its fuzz.ratio to the query
        if len(q) >= 4 and len(q_words) <= 6:
            close = ({norm: fuzz.ratio(q, norm) for norm in _respaced(q)}
                     if self._exact(ids.get(q), allowed) else
                     {norm: ratio for norm, ratio, _ in process.extract(
                         q, self.typo_candidates(q), scorer=fuzz.ratio,
                         score_cutoff=TYPO_CUTOFF, limit=5)})
            ids.update(self.named([norm for norm in close if norm not in ids]))
        found: dict[int, NameMatch] = {}

        def add(norm: str, score: float) -> None:
            for entry_id in ids.get(norm, ()):
                if allowed is not None and self.document_of(entry_id) not in allowed:
                    continue
                if entry_id not in found or found[entry_id].score < score:
                    found[entry_id] = NameMatch(entry_id, score, norm)

        add(q, 1.0)
        for norm in prefixed:
            if norm != q:
                add(norm, 0.8)
        ratios = {norm: ratio for norm, ratio in close.items()
                  if norm != q and self._exact(ids.get(norm), allowed)}
        nearest = max(ratios.values(), default=0.0)
        for norm, ratio in ratios.items():
            # One name was meant: only the nearest spellings count ("recurent neural network"
            # is recurrent, ratio 98, not recursive, 89: both passed the cutoff).
            if ratio >= nearest - TYPO_MARGIN:
                add(norm, 0.9 * ratio / 100)
        return list(found.values())


class StoreNames(NameMatcher):
    """The names looked up in the store at each query, for a process that has not loaded the
    index (see the module's docstring). Same matches as `NameIndex` over the same names: the
    store gives the names in the order the index keeps them, and the walk below is the
    index's (`NameIndex._prefixed`) over one sorted run of names."""

    def __init__(self, store: NameQueryStore) -> None:
        self.store = store
        self._docs: dict[int, int] = {}  # entry id -> document id, of every entry looked up

    def named(self, norms: Iterable[str]) -> dict[str, list[int]]:
        wanted = list(dict.fromkeys(n for n in norms if n))
        out: dict[str, list[int]] = {}
        for norm, entry_id, document_id in self.store.name_entry_rows(wanted):
            out.setdefault(norm, []).append(entry_id)
            self._docs[entry_id] = document_id
        return out

    def document_of(self, entry_id: int) -> int | None:
        return self._docs.get(entry_id)

    def _prefixed(self, q_words: list[str]) -> list[str]:
        out: list[str] = []
        first_word = q_words[0]
        seen = 0
        last_first = None
        # A name's first word never sorts before the one of a name before it, so the names
        # whose first word starts with the query's come grouped by that word, in its order.
        for norm in self.store.names_between(first_word, _after_prefix(first_word)):
            first = norm.partition(" ")[0]
            if not first.startswith(first_word):
                continue
            if len(q_words) == 1:
                if first != last_first:
                    if seen >= PREFIX_WINDOW:
                        break
                    seen += 1
                    last_first = first
                    if norm == first:
                        out.append(norm)
                continue
            if not norm.startswith(f"{first} {q_words[1]}"):
                continue
            if seen >= PREFIX_WINDOW:
                break
            seen += 1
            if _rest_fits(norm, q_words):
                out.append(norm)
        return out

    def typo_candidates(self, q: str) -> list[str]:
        letter = q[0]
        return self.store.names_of_length(letter, _after_prefix(letter), *typo_lengths(len(q)))


def typo_lengths(length: int) -> tuple[int, int]:
    """The shortest and longest names a query of `length` characters can be a typo of.

    `fuzz.ratio` is 200 x the characters in common / the two lengths, and at most the
    shorter length is in common: a ratio of TYPO_CUTOFF needs the other length within these
    bounds (a name outside them is never a match, and asking for it cost a cold search at 1M
    passages 15 ms of reading names)."""
    return (-(-TYPO_CUTOFF * length // (200 - TYPO_CUTOFF)),
            (200 - TYPO_CUTOFF) * length // TYPO_CUTOFF)


def _respaced(q: str) -> list[str]:
    """`q` with one space taken out or put in between two letters: its words written joined or
    apart ("pretrained" and "pre-trained", whose hyphen normalises to a space)."""
    out = [q[:i] + q[i + 1 :] for i, c in enumerate(q) if c == " "]
    out += [q[:i] + " " + q[i:] for i in range(1, len(q)) if " " not in q[i - 1 : i + 1]]
    return out


def _rest_fits(norm: str, q_words: list[str]) -> bool:
    """Whether name `norm`, whose first two words fit the query's, has as many words as
    `q_words` and each later one starts with the query's word at its place."""
    n_words = norm.split()
    return len(n_words) == len(q_words) and all(
        n.startswith(w) for n, w in zip(n_words[2:], q_words[2:], strict=True))


def _after_prefix(prefix: str) -> str:
    """The least string above every string that starts with `prefix`."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


class NameIndex(NameMatcher):
    """Normalised name -> entries, kept current with the store by `refresh`."""

    def __init__(self) -> None:
        self.entries: dict[str, list[int]] = {}  # norm -> entry ids
        self.docs: dict[int, int] = {}  # entry id -> document id
        self._sorted: list[str] = []  # distinct norms, sorted (prefix matches)
        self._firsts: dict[str, int] = {}  # first word -> how many names start with it
        self._first_sorted: list[str] = []  # those words, sorted
        self._lengths: Counter[int] = Counter()  # words in a name -> how many names have them
        # first letter -> norms by (length, norm), made on the first typo query of that letter
        self._by_letter: dict[str, list[str]] = {}
        # path -> (norm, entry id); None until needed, made from `_unsplit` (see `_load`)
        self._of_path: dict[str, list[tuple[str, int]]] | None = {}
        self._unsplit: list[tuple[str, str, int, int]] = []
        self._counter: tuple[int, ...] | None = None
        self._position = -1  # the store's name log position the index reflects
        self._signature: tuple[int, int] | None = None

    def __len__(self) -> int:
        return len(self._sorted)

    # -- keeping current ----------------------------------------------------------------------

    def refresh(self, store: NameSource | NameLogStore) -> None:
        """Bring the index up to date with `store` (cheap when nothing changed)."""
        counter = store.change_counter()
        if counter == self._counter:
            return
        if isinstance(store, NameLogStore):
            self._follow_log(store)
        else:
            signature = store.names_signature()
            if signature != self._signature:
                self._load(("", r.norm, r.entry_id, r.document_id) for r in store.name_rows())
                self._of_path, self._unsplit = {}, []  # read whole again on every change
                self._signature = signature
        self._counter = counter

    def _follow_log(self, store: NameLogStore) -> None:
        # The position is read before the rows: rows newer than it are read again next time,
        # which changes nothing, so no change can be missed between the two reads.
        position = store.name_log_position()
        if position == self._position:
            return
        paths = store.name_log_paths(self._position) if self._position >= 0 else None
        if paths is None:  # first use, or the log was trimmed past our position
            self._load(store.name_index_rows())
        else:
            for path in paths:
                self._drop_path(path)
            for path, row in store.path_name_rows(paths):
                self._add(path, row)
        self._position = position

    def _load(self, rows: Iterable[tuple[str, str, int, int]]) -> None:
        """Everything again from (path, norm, entry id, document id), sorted once (inserting
        one by one would move the list 100k times). At 584k names (a 1M-passage store) the
        first query waits for this: each pass is one C-level loop where one exists (a
        defaultdict's append, a dict comprehension, a Counter), and the names of each file,
        which only a later change to a file needs, are gathered then (`_paths`)."""
        rows = [r for r in rows if r[1]]
        grouped: defaultdict[str, list[int]] = defaultdict(list)
        for _, norm, entry_id, _ in rows:
            grouped[norm].append(entry_id)
        entries = dict(grouped)
        del grouped
        for norm, ids in entries.items():
            if len(ids) > 1:
                entries[norm] = sorted(set(ids))  # a name twice in one entry counts once
        self.entries = entries
        self.docs = {entry_id: document_id for _, _, entry_id, document_id in rows}
        self._of_path = None
        self._unsplit = rows
        self._sorted = sorted(entries)
        firsts = Counter(norm.partition(" ")[0] for norm in self._sorted)
        self._firsts = dict(firsts)
        self._lengths = Counter(map(_word_count, self._sorted))
        self._first_sorted = sorted(firsts)
        self._by_letter = {}

    def _paths(self) -> dict[str, list[tuple[str, int]]]:
        """path -> (norm, entry id) of its names, gathered on the first change after a load."""
        if self._of_path is None:
            of_path: dict[str, list[tuple[str, int]]] = {}
            for path, norm, entry_id, _ in self._unsplit:
                names = of_path.get(path)
                if names is None:
                    of_path[path] = [(norm, entry_id)]
                else:
                    names.append((norm, entry_id))
            self._of_path, self._unsplit = of_path, []
        return self._of_path

    def _add(self, path: str, row: NameRow) -> None:
        if not row.norm:
            return
        ids = self.entries.get(row.norm)
        if ids is None:
            self.entries[row.norm] = [row.entry_id]
            bisect.insort(self._sorted, row.norm)
            first = row.norm.split(" ", 1)[0]
            if first not in self._firsts:
                self._firsts[first] = 0
                bisect.insort(self._first_sorted, first)
            self._firsts[first] += 1
            self._lengths[_word_count(row.norm)] += 1
            bucket = self._by_letter.get(row.norm[0])
            if bucket is not None:
                bisect.insort(bucket, row.norm, key=_length_key)
        elif row.entry_id not in ids:
            bisect.insort(ids, row.entry_id)  # by id, as a full read gives them
        self.docs[row.entry_id] = row.document_id
        self._paths().setdefault(path, []).append((row.norm, row.entry_id))

    def _drop_path(self, path: str) -> None:
        for norm, entry_id in self._paths().pop(path, ()):
            self.docs.pop(entry_id, None)
            ids = self.entries.get(norm)
            if ids is None:
                continue
            if entry_id in ids:
                ids.remove(entry_id)
            if not ids:
                del self.entries[norm]
                _remove_sorted(self._sorted, norm)
                self._lengths[_word_count(norm)] -= 1
                first = norm.split(" ", 1)[0]
                self._firsts[first] -= 1
                if not self._firsts[first]:
                    del self._firsts[first]
                    _remove_sorted(self._first_sorted, first)
                bucket = self._by_letter.get(norm[0])
                if bucket is not None:
                    _remove_sorted(bucket, norm, _length_key)

    # -- matching -----------------------------------------------------------------------------

    def named(self, norms: Iterable[str]) -> dict[str, list[int]]:
        entries = self.entries
        return {norm: entries[norm] for norm in norms if norm in entries}

    def document_of(self, entry_id: int) -> int | None:
        return self.docs.get(entry_id)

    def _prefixed(self, q_words: list[str]) -> list[str]:
        """Names of as many words as `q_words`, each word starting with the query's word at
        its place. The sorted names are contiguous for a whole first word and a prefix of the
        second, so only the first words that fit are looked up, each one by bisection."""
        out: list[str] = []
        if not self._lengths[len(q_words)]:
            # No name has as many words: nothing to find. A description of ten words would
            # otherwise bisect once for each name's first word that starts with its first
            # word ("a ...": thousands, 5-16 ms at 100k).
            return out
        seen = 0
        firsts = self._first_sorted
        i = bisect.bisect_left(firsts, q_words[0])
        while i < len(firsts) and firsts[i].startswith(q_words[0]) and seen < PREFIX_WINDOW:
            first = firsts[i]
            i += 1
            if len(q_words) == 1:
                seen += 1
                if first in self.entries:
                    out.append(first)
                continue
            start = f"{first} {q_words[1]}"
            j = bisect.bisect_left(self._sorted, start)
            while j < len(self._sorted) and seen < PREFIX_WINDOW:
                norm = self._sorted[j]
                if not norm.startswith(start):
                    break
                j += 1
                seen += 1
                if _rest_fits(norm, q_words):
                    out.append(norm)
        return out

    def typo_candidates(self, q: str) -> list[str]:
        """The names a typo of `q` can be: same first letter (a typo there is rare), and a
        length within what a ratio of 86 allows."""
        names = self._letter(q[0])
        if not names:
            return []
        shortest, longest = typo_lengths(len(q))
        lo = bisect.bisect_left(names, (shortest, ""), key=_length_key)
        hi = bisect.bisect_left(names, (longest + 1, ""), key=_length_key)
        return names[lo:hi]

    def _letter(self, letter: str) -> list[str]:
        """The names starting with `letter`, by (length, name): their run of the sorted names,
        sorted by length (a stable sort keeps the names of one length in order)."""
        bucket = self._by_letter.get(letter)
        if bucket is None:
            lo = bisect.bisect_left(self._sorted, letter)
            hi = bisect.bisect_left(self._sorted, chr(ord(letter) + 1))
            bucket = self._by_letter[letter] = sorted(self._sorted[lo:hi], key=len)
        return bucket


def _remove_sorted(values: list[str], value: str,
                   key: Callable[[str], tuple[int, str]] | None = None) -> None:
    if key is None:
        i = bisect.bisect_left(values, value)
    else:
        i = bisect.bisect_left(values, key(value), key=key)
    if i < len(values) and values[i] == value:
        del values[i]


class BackgroundLoad:
    """A `NameIndex` loaded from `reader` on a daemon thread (a process that exits meanwhile
    does not wait for it). `index` is None until it is done, and stays None if it failed."""

    def __init__(self, reader: ClosableNameLog) -> None:
        self.index: NameIndex | None = None
        self.done = threading.Event()
        threading.Thread(target=self._load, args=(reader,), name="grimoire-names",
                         daemon=True).start()

    def _load(self, reader: ClosableNameLog) -> None:
        try:
            index = NameIndex()
            index.refresh(reader)
            self.index = index
        except Exception:  # the searcher then loads the index itself
            pass
        finally:
            reader.close()
            self.done.set()
