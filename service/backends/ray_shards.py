"""The sharded backend: index parts held by Ray actors across a cluster, and a router.

Each shard (``indexer.shards``: whole documents or cities, BM25 scored with the statistics of
the whole index) is served by ``replicas`` actors, each an ordinary ``LocalBackend`` over its
part, placed on different nodes. The router asks one replica of every shard that holds a
selected row, all at once; a replica that fails, or is slow (a call to an actor Ray is
restarting waits for the restart), is passed over for the next; a shard none of whose replicas
answers within ``timeout`` seconds is reported missing (``Candidates.missing_shards``, the
responses' ``partial``) instead of failing the request. Ray restarts a lost actor
(``max_restarts``) with its part, which the router keeps in the object store.

The merge is exact: a shard returns its best ``depth`` by the same scores and the same order
on ties (row order, and a shard's rows keep the index's order), so the best ``depth`` of the
union is the single index's list.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from indexer import dense
from indexer.ray_cluster import import_ray
from indexer.shards import (
    ShardError,
    ShardPart,
    assign_shards,
    load_part,
    part_dirs,
    part_rows,
    shard_name,
    shard_rows,
    slice_part,
)
from service.backends.base import Candidates
from service.backends.local import LocalBackend
from service.loading import LoadedIndex
from service.query import ParsedQuery
from service.schemas import SearchMode

DEFAULT_TIMEOUT = 2.0  # seconds; a shard answers in milliseconds
DOWN_SECONDS = 10.0  # a replica that failed is asked last for this long


class ShardServer:
    """The body of one shard actor: a LocalBackend over one part (given, or read from disk)."""

    def __init__(self, part: ShardPart | str) -> None:
        faiss.omp_set_num_threads(1)  # many actors share a node's cores
        if isinstance(part, str):
            part = load_part(Path(part))
        # The index type by the part's size, as a single index of that size (indexer.dense):
        # exact below the threshold, so rankings equal the single index's; IVF above.
        vectors = np.ascontiguousarray(part.vectors, dtype=np.float32)
        index, self.spec = dense.build(vectors, part.ids, dense.choose_spec(len(part.ids)))
        self.name = part.name
        self.size = len(part.ids)
        self._all = np.arange(self.size)
        self.backend = LocalBackend(index, part.lexical, part.ids)

    def candidates(
        self, query: ParsedQuery, rows: np.ndarray | None, depth: int, mode: SearchMode
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Dense and lexical candidates among this part's ``rows`` (positions in the part;
        None: all of them)."""
        selected = self._all if rows is None else rows
        found = self.backend.candidates(query, selected, depth, mode)
        return found.dense, found.lexical

    def ping(self) -> str:
        """This shard's name: the actor is up."""
        return self.name

    def describe(self) -> dict[str, object]:
        """The part's size and its dense index (type and calibrated parameters)."""
        return {"name": self.name, "chunks": self.size, "dense": self.spec.as_dict()}

    def node(self) -> str:
        """The address of the node this actor runs on."""
        return str(import_ray().util.get_node_ip_address())


@dataclass
class _Ask:
    """One shard's part of a request: its rows, the replica asked, those not asked yet."""

    shard: int
    rows: np.ndarray | None  # None: all of the shard's rows
    replica: int
    rest: list[int]
    sent: float = 0.0


def _best(found: list[dict[int, float]], row: dict[int, int], depth: int) -> dict[int, float]:
    """The best ``depth`` of the shards' candidates, ties in row order (as one index cuts)."""
    merged = [item for part in found for item in part.items()]
    merged.sort(key=lambda kv: (-kv[1], row[kv[0]]))
    return dict(merged[:depth])


class RayShardBackend:
    """A RetrievalBackend over shard actors (``replicas`` per shard) on a Ray cluster."""

    def __init__(
        self,
        replicas: Sequence[Sequence[Any]],
        rows: Sequence[np.ndarray],
        ids: np.ndarray,
        names: Sequence[str],
        timeout: float = DEFAULT_TIMEOUT,
        keep: Sequence[Any] = (),
    ) -> None:
        self.replicas = [list(r) for r in replicas]
        self.names = list(names)
        self.timeout = timeout
        self._keep = list(keep)  # object refs of the parts, so a restarted actor finds them
        total = sum(len(r) for r in rows)
        self._owner = np.empty(total, dtype=np.int64)
        self._local = np.empty(total, dtype=np.int64)
        for shard, members in enumerate(rows):
            self._owner[members] = shard
            self._local[members] = np.arange(len(members))
        self._sizes = [len(members) for members in rows]
        self._row = {int(cid): i for i, cid in enumerate(ids)}
        self._turn = [itertools.count() for _ in self.replicas]
        self._down: dict[tuple[int, int], float] = {}  # (shard, replica) → asked last until

    @classmethod
    def start(
        cls,
        index: LoadedIndex,
        shards: int,
        replicas: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> RayShardBackend:
        """Shard actors for ``index`` on the joined cluster: the parts the build wrote
        (``shards/``) when it wrote ``shards`` of them, else parts cut from the index here."""
        ray = import_ray()
        ids = np.array([c.chunk_id for c in index.chunks], dtype=np.int64)
        dirs = part_dirs(index.path)
        keep: list[Any] = []
        if len(dirs) == shards:
            parts: list[Any] = [str(d) for d in dirs]
            rows = [part_rows(d) for d in dirs]
        else:
            rows = split_rows(index, shards)
            vectors = index.dense.reconstruct_batch(ids)
            parts = [
                ray.put(slice_part(shard_name(i), r, ids, vectors, index.lexical))
                for i, r in enumerate(rows)
            ]
            keep = parts
        covered = np.sort(np.concatenate(rows))
        if not np.array_equal(covered, np.arange(len(ids))):
            raise ShardError(f"the shard parts at {index.path} do not cover its chunks once")
        actors = _start_actors(ray, parts, replicas)
        backend = cls(actors, rows, ids, [shard_name(i) for i in range(shards)], timeout, keep)
        backend.wait_ready(max(timeout, 60.0))
        return backend

    # -- serving ----------------------------------------------------------------------

    def candidates(
        self, query: ParsedQuery, rows: np.ndarray, depth: int, mode: SearchMode
    ) -> Candidates:
        """See ``RetrievalBackend.candidates``: every shard asked at once, then merged.

        A replica that fails, or has not answered after a quarter of the timeout (a call to a
        restarting actor waits for the restart), is passed over: the shard's next replica is
        asked too, the first answer counts, and the slow one is asked last for a while.
        """
        ray = import_ray()
        asks = self._split(rows)
        selected = [shard for shard, _ in asks]
        pending: dict[Any, _Ask] = {}

        def send(shard: int, local: np.ndarray | None, order: list[int]) -> None:
            ask = _Ask(shard, local, order[0], order[1:], time.monotonic())
            handle = self.replicas[shard][ask.replica]
            pending[handle.candidates.remote(query, local, depth, mode)] = ask

        for shard, local in asks:
            send(shard, local, self._replica_order(shard))
        answers: dict[int, tuple[dict[int, float], dict[int, float]]] = {}
        start = time.monotonic()
        hedge = self.timeout / 4
        while pending and (now := time.monotonic()) < start + self.timeout:
            waiting = [a.sent + hedge for a in pending.values() if a.rest]
            until = min([start + self.timeout, *waiting])
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=max(0.0, until - now))
            if not ready:  # a replica is slow: ask the next one as well
                for ask in [a for a in pending.values() if a.rest and a.sent + hedge <= now]:
                    self._mark_down(ask.shard, ask.replica)
                    send(ask.shard, ask.rows, ask.rest)
                    ask.rest = []
                continue
            ask = pending.pop(ready[0])
            if ask.shard in answers:
                continue
            try:
                answers[ask.shard] = ray.get(ready[0])
            except ray.exceptions.RayError:  # this replica is down
                self._mark_down(ask.shard, ask.replica)
                if ask.rest:
                    send(ask.shard, ask.rows, ask.rest)
                continue
            for ref in [r for r, other in pending.items() if other.shard == ask.shard]:
                del pending[ref]  # the shard's other replica is late: its answer is not needed
        missing = tuple(self.names[s] for s in selected if s not in answers)
        dense = _best([a[0] for a in answers.values()], self._row, depth)
        lexical = _best([a[1] for a in answers.values()], self._row, depth)
        return Candidates(dense, lexical, missing)

    def _split(self, rows: np.ndarray) -> list[tuple[int, np.ndarray | None]]:
        """The shards holding selected rows, each with its rows (positions in its part), or
        None where all of its rows are selected: an unfiltered question then sends no row
        list (at 1 M chunks, 2.7 MB per shard to serialize) and costs no pass over it."""
        if len(rows) == len(self._owner):
            return [(shard, None) for shard in range(len(self.replicas))]
        owners = self._owner[rows]
        counts = np.bincount(owners, minlength=len(self.replicas))
        return [
            (
                shard,
                None if counts[shard] == self._sizes[shard] else self._local[rows[owners == shard]],
            )
            for shard in np.flatnonzero(counts).tolist()
        ]

    def _replica_order(self, shard: int) -> list[int]:
        """The shard's replicas to ask, in turn (spreads the load), the ones that failed
        lately last."""
        count = len(self.replicas[shard])
        first = next(self._turn[shard]) % count
        order = [(first + i) % count for i in range(count)]
        now = time.monotonic()
        return sorted(order, key=lambda r: self._down.get((shard, r), 0.0) > now)

    def _mark_down(self, shard: int, replica: int) -> None:
        self._down[(shard, replica)] = time.monotonic() + DOWN_SECONDS

    # -- life cycle -------------------------------------------------------------------

    def missing(self) -> list[str]:
        """Shards with no replica answering a ping now."""
        ray = import_ray()
        out = []
        for shard, handles in enumerate(self.replicas):
            refs = [h.ping.remote() for h in handles]
            ready, _ = ray.wait(refs, num_returns=len(refs), timeout=self.timeout)
            alive = 0
            for ref in ready:
                try:
                    ray.get(ref)
                    alive += 1
                except ray.exceptions.RayError:
                    pass
            if not alive:
                out.append(self.names[shard])
        return out

    def wait_ready(self, timeout: float) -> None:
        """Block until every shard answers (actors load their parts), or ShardError."""
        deadline = time.monotonic() + timeout
        while missing := self.missing():
            if time.monotonic() > deadline:
                raise ShardError(f"shards {', '.join(missing)} did not start in {timeout:.0f} s")
            time.sleep(0.2)

    def close(self) -> None:
        """Stop every shard actor (they are not restarted) and let the object store drop the
        parts kept for restarts; a call after this finds every shard missing."""
        ray = import_ray()
        for handles in self.replicas:
            for handle in handles:
                ray.kill(handle, no_restart=True)
        self._keep = []


def split_rows(index: LoadedIndex, shards: int) -> list[np.ndarray]:
    """The global rows of each shard of ``index`` (``indexer.shards.assign_shards``)."""
    docs = [c.doc_id for c in index.chunks]
    counts = Counter(docs)
    cities = {d: index.documents[d].city for d in counts}
    return shard_rows(docs, assign_shards(counts, cities, shards))


def _start_actors(
    ray: Any, parts: Sequence[Any], replicas: int, body: type[ShardServer] = ShardServer
) -> list[list[Any]]:
    """``replicas`` actors per part, replica r of shard s on node (s + r) mod nodes: the
    replicas of a shard sit on different nodes while there are enough of them. ``body``: the
    actor class (a measurement may time its searches)."""
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    nodes = sorted(n["NodeID"] for n in ray.nodes() if n["Alive"])
    server = ray.remote(body)
    options = {
        "num_cpus": 0,  # serving is short bursts; CPUs stay free for embedding tasks
        "max_restarts": -1,
        "max_task_retries": 0,
    }
    out = []
    for s, part in enumerate(parts):
        handles = []
        for r in range(replicas):
            # Pinned (not soft, which lets Ray pile replicas on one node): when a node is
            # gone, its replicas wait for it and the shard's replicas elsewhere serve.
            where = NodeAffinitySchedulingStrategy(nodes[(s + r) % len(nodes)], soft=False)
            handles.append(server.options(scheduling_strategy=where, **options).remote(part))
        out.append(handles)
    return out
