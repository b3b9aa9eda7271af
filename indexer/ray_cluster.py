"""Joining a Ray cluster (the optional ``[scale]`` extra), for sharded serving and indexing.

``local`` starts a one-machine cluster pinned to the loopback address; anything else is the
address (``host:port``) of a running cluster's head node.
"""

from __future__ import annotations

import os
from typing import Any

from indexer.errors import UnavailableError

LOCAL = "local"
LOOPBACK = "127.0.0.1"
INSTALL = "install it with pip install -e '.[scale]'"


def import_ray() -> Any:
    """The ``ray`` module, or UnavailableError saying how to install it."""
    # Ray maps a node address of 127.0.0.1 to the machine's own network address
    # (ray._private.services.resolve_ip_for_localhost), which a sandboxed or offline machine
    # may not reach: the driver then waits on the head node forever. Ray reads this flag when
    # it is imported; its one effect on Linux is that 127.0.0.1 stays 127.0.0.1.
    os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray
    except ImportError as exc:
        raise UnavailableError(f"Ray is not installed; {INSTALL}") from exc
    return ray


def _is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0]
    return host == "localhost" or host.startswith("127.")


def connect(address: str, num_cpus: int | None = None) -> Any:
    """Join the cluster at ``address`` (or start a local one) unless joined; the ``ray``
    module. ``num_cpus``: the CPUs a local cluster offers (default: the machine's)."""
    ray = import_ray()
    if ray.is_initialized():
        return ray
    options: dict[str, Any] = {
        "include_dashboard": False,
        "configure_logging": False,
        "log_to_driver": False,
    }
    try:
        if address == LOCAL:
            ray.init(_node_ip_address=LOOPBACK, num_cpus=num_cpus, **options)
        else:
            if _is_loopback(address):
                options["_node_ip_address"] = address.rsplit(":", 1)[0]
            ray.init(address=address, **options)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise UnavailableError(
            f"cannot join the Ray cluster at {address!r} ({exc}); start one with "
            "`ray start --head --node-ip-address=127.0.0.1` or set PLANSEARCH_RAY_ADDRESS=local"
        ) from exc
    return ray


def loopback_cluster(nodes: tuple[tuple[str, int], ...]) -> Any:
    """A multi-node Ray cluster on this machine, one CPU per node: ``(address, port)`` per
    node, each a 127.0.0.x address with its workers on ``port`` … ``port + 499`` (kept clear of
    the ports a caller uses). The first node is the head. The ``Cluster``, for ``shutdown()``;
    joining it is ``connect(cluster.address)``."""
    import_ray()
    from ray.cluster_utils import Cluster

    cluster = Cluster()
    try:
        for i, (address, port) in enumerate(nodes):
            cluster.add_node(
                num_cpus=1,
                node_ip_address=address,
                min_worker_port=port,
                max_worker_port=port + 499,
                **({"include_dashboard": False} if i == 0 else {}),
            )
    except BaseException:
        cluster.shutdown()  # the nodes already up would outlive the caller
        raise
    return cluster
