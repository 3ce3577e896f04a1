"""A real three-node Elasticsearch cluster for the tests, on 127.0.0.1.

Three processes of the distribution ``server.py`` fetches and caches, each with its own
configuration, data, log and temporary directories and its own free HTTP and transport
ports. They find each other through ``discovery.seed_hosts`` (every node's transport port)
and bootstrap once with ``cluster.initial_master_nodes`` (all three: any two elect a
master, so the cluster lives on with one node down). Security is off, as on the single
test node. Nodes are stopped, killed and restarted by process id, never by name; a
restarted node keeps its data and its ports.
"""

from __future__ import annotations

import atexit
import json
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .server import (
    START_TIMEOUT,
    STOP_TIMEOUT,
    EsHarnessError,
    EsServer,
    _alive,
    _signal,
    free_port,
    prepare_home,
    server_account,
)

CLUSTER_NAME = "traceur-test-cluster"
NODE_COUNT = 3
# Three JVMs share two cores with everything else: small heaps, enough for the tests' corpora.
NODE_HEAP = "256m"


class ClusterNode(EsServer):
    """One node of an ``EsCluster``: an ``EsServer`` that discovers its peers."""

    def __init__(
        self, home: Path, account: tuple[int, int] | None, name: str, heap: str = NODE_HEAP
    ) -> None:
        super().__init__(home, account, None, heap)
        self.name = name
        self.peers: list[ClusterNode] = []

    def config_settings(self) -> dict[str, Any]:
        settings = super().config_settings()
        del settings["discovery.type"]
        members = [self, *self.peers]
        settings.update(
            {
                "cluster.name": CLUSTER_NAME,
                "node.name": self.name,
                "discovery.seed_hosts": [f"127.0.0.1:{node.transport_port}" for node in members],
                "cluster.initial_master_nodes": sorted(node.name for node in members),
            }
        )
        return settings

    def kill(self) -> None:
        """SIGKILL the server, as a crash or a pulled plug would: no shutdown at all."""
        if self.process is None:
            return
        for pid in (self.server_pid, self.process.pid):
            if pid:
                _signal(pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_TIMEOUT)
        deadline = time.monotonic() + STOP_TIMEOUT
        while self.server_pid and _alive(self.server_pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.process = None
        self.server_pid = None


class EsCluster:
    """Three ``ClusterNode`` s; ``urls`` are their HTTP addresses, ``store_url`` the Traceur
    store URL that lists all of them."""

    def __init__(self, size: int = NODE_COUNT, heap: str = NODE_HEAP) -> None:
        account = server_account()
        home = prepare_home(account)
        self.nodes = [ClusterNode(home, account, f"noeud-{n + 1}", heap) for n in range(size)]
        taken: set[int] = set()
        for node in self.nodes:
            node.peers = [other for other in self.nodes if other is not node]
            node.http_port, node.transport_port = _two_free_ports(taken)

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    @property
    def store_url(self) -> str:
        return "es+" + ",".join(self.urls)

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """Start every stopped node, then wait until all of them form one cluster."""
        waiting = [node for node in self.nodes if node.process is None]
        for node in waiting:
            node.launch()
        for node in waiting:
            node.wait_healthy(timeout)
        # Green, not just yellow: every copy placed, so the first test's requests do not
        # queue behind the recoveries of a cluster that has just formed.
        self.wait_for(len(self.nodes), "green", timeout)

    def start_node(self, node: ClusterNode, timeout: float = START_TIMEOUT) -> None:
        node.start(timeout)
        self.wait_for(len(self.nodes), "yellow", timeout)

    def running(self) -> list[ClusterNode]:
        return [node for node in self.nodes if node.process is not None]

    def health(self, nodes: int, status: str, timeout: float = 60.0) -> dict[str, Any]:
        """Cluster health once ``nodes`` nodes have joined and it is at least ``status``
        (asked of a running node), or the last answer when that did not happen in time."""
        node = self.running()[0]
        query = f"wait_for_nodes={nodes}&wait_for_status={status}&timeout={int(timeout)}s"
        request = urllib.request.Request(f"{node.url}/_cluster/health?{query}")
        try:
            with urllib.request.urlopen(request, timeout=timeout + 10) as response:
                body: dict[str, Any] = json.load(response)
        except urllib.error.HTTPError as exc:
            # 408: the wait timed out; the body is still the health.
            body = json.load(exc)
        return body

    def wait_for(self, nodes: int, status: str, timeout: float = START_TIMEOUT) -> None:
        body = self.health(nodes, status, timeout)
        if body.get("timed_out") or body.get("number_of_nodes") != nodes:
            raise EsHarnessError(
                f"the cluster did not reach {nodes} nodes and {status} health in"
                f" {timeout:.0f}s: {body}\n"
                + "\n".join(f"-- {node.name}:\n{node.log_tail(15)}" for node in self.nodes)
            )

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()

    def destroy(self) -> None:
        for node in self.nodes:
            node.destroy()


def _two_free_ports(taken: set[int]) -> tuple[int, int]:
    ports: list[int] = []
    while len(ports) < 2:
        port = free_port()
        if port not in taken:
            taken.add(port)
            ports.append(port)
    return ports[0], ports[1]


def start_cluster(size: int = NODE_COUNT, heap: str = NODE_HEAP) -> EsCluster:
    """Start a cluster of ``size`` nodes; the caller removes it with ``destroy()``."""
    cluster = EsCluster(size, heap)
    atexit.register(cluster.destroy)
    try:
        cluster.start()
    except BaseException:
        cluster.destroy()
        raise
    return cluster
