"""Reads under load: one store per worker thread, one snapshot per request, results cached.

DuckDB wants one connection per thread, so every worker thread of the server keeps its own
store (`silkroad.open`; each has its own embedded connection). At the start of a
request the thread checks whether ``catalog.json`` was replaced (a commit); if so it drops its
snapshot. It then pins the catalog for the whole request: a commit in the middle of a request
is seen by the next one, never half-way (the data files a snapshot reads are kept for
``SILKROAD_GC_GRACE`` seconds after a commit retires them).

Results are cached per pair and arguments in one process-wide LRU keyed by the catalog
generation, so a commit invalidates them all at once. Analyses that read product rows run on
the process's heavy thread(s) (:meth:`Stores.run_heavy`), each with its own store.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from silkroad import settings

if TYPE_CHECKING:
    from silkroad import Store
    from silkroad.analytics.pair import Pair
    from silkroad.analytics.world import World

T = TypeVar("T")

#: Results kept in memory (each a few tables of at most a few thousand rows).
CACHE_SIZE = 1024
#: Pair objects kept per thread (each caches its own store reads).
PAIRS_PER_THREAD = 64
#: Pairs listed on the home page as recently opened.
RECENT = 10
#: Analyses that read product rows (structure, movers, a brief, world panels) computed at
#: once per process, on threads of their own; more wait their turn, so that they never crowd
#: out the pair-totals ones (summary, profile: milliseconds each) from the process's one
#: running Python thread.
HEAVY_AT_ONCE = 1
#: How much lower the OS priority of those threads is (nice increment; Linux, per thread). 10
#: gave lower medians but longer tails than 4 (the heavy thread holds the GIL while it waits).
HEAVY_NICE = 4


def _stamp(path: Path) -> tuple[int, int, int] | None:
    """What changes when ``catalog.json`` is replaced (inode, size, mtime in ns)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def check_side(text: str, *, field: str) -> None:
    """Refuse a side no economy or bloc can be named by: too long, control characters, or
    digits int() cannot read ('²', which the reference lookup would take for a number)."""
    bad = len(text) > 100 or any(
        not ch.isprintable() or (ch.isdigit() and not ch.isdecimal()) for ch in text
    )
    if bad:
        from silkroad.errors import ReferenceDataError

        raise ReferenceDataError(
            "unknown economy or bloc",
            field=field,
            found=text[:100],
            expected="an ISO3 code (BLR), a name (Belarus) or a bloc id (EAEU)",
        )


class Snapshot:
    """What one request reads: the thread's store with its catalog pinned, and its generation."""

    def __init__(
        self,
        store: Store,
        pairs: OrderedDict[Hashable, Pair],
        worlds: dict[str | None, World] | None = None,
    ) -> None:
        self.store = store
        self.generation = store.catalog.generation
        self._pairs = pairs
        self._worlds = {} if worlds is None else worlds

    def world(self, source: str | None) -> World:
        """The thread's :class:`~silkroad.analytics.world.World` of ``source`` (reused: it keeps
        the panels it has read; reconciled data unless ``source`` names another)."""
        from silkroad.analytics.world import World

        world = self._worlds.get(source)
        if world is None:
            world = self._worlds[source] = World(self.store, source=source)
        return world

    def pair(self, a: str, b: str, *, source: str | None, perspective: str) -> Pair:
        """The thread's :class:`~silkroad.analytics.pair.Pair` for these arguments (reused)."""
        from silkroad.analytics.pair import Pair

        for side, text in (("a", a), ("b", b)):
            check_side(text, field=side)
        key = (a.strip().upper(), b.strip().upper(), source, perspective)
        pair = self._pairs.get(key)
        if pair is None:
            pair = Pair(self.store, a, b, source=source, perspective=perspective)
            self._pairs[key] = pair
            while len(self._pairs) > PAIRS_PER_THREAD:
                self._pairs.popitem(last=False)
        else:
            self._pairs.move_to_end(key)
        return pair


class Stores:
    """The stores of a server: one per worker thread, on the same home."""

    def __init__(self, home: str | os.PathLike[str] | None = None) -> None:
        self.home = settings.resolve_home(home)
        self._local = threading.local()
        self.cache = ResultCache(CACHE_SIZE)
        self.recent = RecentPairs(RECENT)
        self._all: list[Store] = []
        self._all_lock = threading.Lock()
        self._heavy = self._heavy_pool()

    def _heavy_pool(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(
            HEAVY_AT_ONCE, thread_name_prefix="silkroad-heavy", initializer=self._heavy_start
        )

    def _heavy_start(self) -> None:
        """A heavy thread: marked (a heavy task it runs does not queue behind itself) and
        niced by :data:`HEAVY_NICE` where the system allows it (Linux: per thread; the threads
        DuckDB starts from it inherit it), so the OS runs summaries and profiles first."""
        self._local.heavy = True
        with contextlib.suppress(AttributeError, OSError):
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, os.getpriority(os.PRIO_PROCESS, tid) + HEAVY_NICE)

    def run_heavy(self, snap: Snapshot, task: Callable[[Snapshot], T]) -> T:
        """``task(snapshot)`` on one of the :data:`HEAVY_AT_ONCE` heavy threads (the others
        wait their turn), with that thread's own store at the request's catalog generation;
        on the request's thread when a commit came in between (or already on a heavy thread)."""
        if getattr(self._local, "heavy", False):
            return task(snap)

        def on_heavy_thread() -> tuple[bool, Any]:
            here = self.snapshot()
            if here.generation != snap.generation:
                return False, None
            return True, task(here)

        done, value = self._heavy.submit(on_heavy_thread).result()
        return value if done else task(snap)

    def snapshot(self) -> Snapshot:
        """The calling thread's store, refreshed if a commit happened since its last request."""
        import silkroad as sr

        local = self._local
        if getattr(local, "store", None) is None:
            local.store = sr.open(self.home)
            local.stamp = None
            local.pairs = OrderedDict()
            local.worlds = {}
            with self._all_lock:
                self._all.append(local.store)
        stamp = _stamp(local.store.catalog_path)
        if stamp != local.stamp:
            local.store.refresh()
            local.pairs.clear()
            local.worlds.clear()
            local.stamp = stamp
        return Snapshot(local.store, local.pairs, local.worlds)

    def close(self) -> None:
        """Close every thread's DuckDB connections (at server shutdown, while no request runs):
        an embedded database left open in a worker thread can abort the interpreter's exit."""
        with self._all_lock:
            stores, self._all = self._all, []
        for store in stores:
            con = store.__dict__.get("_con")  # the Ibis backend, if this store opened one
            if con is not None:
                con.disconnect()
            close = getattr(store.engine, "close", None)  # DuckDB's private connection
            if close is not None:
                close()
        self.cache.clear()
        # the app may start again (a test client's second lifespan): a new pool, lazily started
        pool, self._heavy = self._heavy, self._heavy_pool()
        pool.shutdown(wait=False, cancel_futures=True)
        self._local = threading.local()


class ResultCache:
    """A thread-safe LRU of computed results; keys start with the catalog generation."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The cached value of ``key``, else ``compute()`` (stored unless it raised)."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                self.hits += 1
                return self._items[key]
            self.misses += 1
        value = compute()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class RecentPairs:
    """The last pairs opened on the dashboard (most recent first, no repeats)."""

    def __init__(self, size: int) -> None:
        self._items: deque[tuple[str, str]] = deque(maxlen=size)
        self._lock = threading.Lock()

    def add(self, a: str, b: str) -> None:
        with self._lock:
            if (a, b) in self._items:
                self._items.remove((a, b))
            self._items.appendleft((a, b))

    def items(self) -> list[tuple[str, str]]:
        with self._lock:
            return list(self._items)
