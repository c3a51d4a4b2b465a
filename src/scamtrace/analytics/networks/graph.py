"""The entity graph: hub removal and Leiden communities on weighted evidence edges.

Nodes are ``(kind, id)`` pairs (sim, account, person, device, url, domain, line_id,
phone). Parallel evidence between two nodes adds up into one weighted edge. Hubs are
removed before communities are sought, because a crypto exchange's deposit account, a
bank's own account, a popular merchant or a URL shortener touches many gangs and would
glue them into one "network". A hub is recognised two ways:

* by degree: more distinct neighbours than any gang member plausibly has;
* by diversity: a node of some degree whose edge weight is spread over several
  communities (the participation coefficient of Guimerà and Amaral, Nature 2005),
  measured after a first community pass without the degree hubs.

Communities are igraph's Leiden (Traag, Waltman and van Eck, 2019) with the modularity
objective on the weighted graph, run component by component: modularity never joins
two disconnected parts, and modularity measured on the whole graph cannot split a
small component at all (its resolution limit, Fortunato and Barthélemy, PNAS 2007),
so a component smaller than a gang pair stays whole, and a larger one (two gangs
glued by a shared mule or a missed hub) is split by Leiden on its own modularity.
This also lets millions of edges through in seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import igraph as ig
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class HubPolicy:
    """When a node counts as a hub.

    Attributes:
        max_degree: nodes with more distinct neighbours than this are hubs.
        min_degree_for_diversity: the diversity test applies from this many neighbours.
        max_participation: a node at least that connected whose participation
            coefficient exceeds this is a hub (0: all in one community; near 1: spread).
        keep_kinds: kinds never removed as hubs.
        diversity_split_nodes: the diversity pass splits components from this size on
            (smaller values also catch mules shared by two small gangs, at the price of
            cutting connectors inside one gang: on the simulator 150 did better than 8).
    """

    max_degree: int = 60
    min_degree_for_diversity: int = 4
    max_participation: float = 0.5
    keep_kinds: tuple[str, ...] = ()
    diversity_split_nodes: int = 150


@dataclass
class EntityGraph:
    """Nodes and weighted undirected edges between node rows.

    Attributes:
        nodes: one row per node: kind, id.
        ends: an (m, 2) int array of node rows, lower first, no duplicates, no self-loops.
        weight: the m summed edge weights.
    """

    nodes: pd.DataFrame
    ends: np.ndarray
    weight: np.ndarray

    def degree(self) -> np.ndarray:
        """Distinct neighbours of every node."""
        return np.bincount(self.ends.ravel(), minlength=len(self.nodes))

    def restricted(self, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Ends and weights of the edges whose two ends are both kept."""
        both = keep[self.ends[:, 0]] & keep[self.ends[:, 1]]
        return self.ends[both], self.weight[both]


def entity_graph_from_frame(edges: pd.DataFrame) -> EntityGraph:
    """Collapse evidence rows (a_kind, a_id, b_kind, b_id, weight) into a graph.

    Parallel evidence sums its weights; self-loops are dropped. For large edge sets use
    :func:`scamtrace.analytics.networks.graph_sql.entity_graph_from_engine`.
    """
    a_key = edges["a_kind"].astype(str) + "\x1f" + edges["a_id"].astype(str)
    b_key = edges["b_kind"].astype(str) + "\x1f" + edges["b_id"].astype(str)
    codes, uniques = pd.factorize(pd.concat([a_key, b_key], ignore_index=True), sort=True)
    n = len(edges)
    lo, hi = np.minimum(codes[:n], codes[n:]), np.maximum(codes[:n], codes[n:])
    keep = lo != hi
    pairs = pd.DataFrame({"lo": lo[keep], "hi": hi[keep],
                          "w": edges["weight"].to_numpy(float)[keep]})
    pairs = pairs.groupby(["lo", "hi"], sort=True, as_index=False)["w"].sum()
    split = [u.split("\x1f", 1) for u in uniques]
    nodes = pd.DataFrame({"kind": [s[0] for s in split], "id": [s[1] for s in split]},
                         dtype=object)
    ends = pairs[["lo", "hi"]].to_numpy(dtype=np.int64).reshape(-1, 2)
    return EntityGraph(nodes, ends, pairs["w"].to_numpy(float))


def _leiden(n: int, ends: np.ndarray, weight: np.ndarray, resolution: float, seed: int) -> np.ndarray:
    graph = ig.Graph(n=n, edges=ends.tolist(), directed=False)
    graph.es["weight"] = weight.tolist()
    # igraph draws from Python's random module; seeding it makes the partition repeat.
    state = random.getstate()
    random.seed(seed)
    try:
        partition = graph.community_leiden(objective_function="modularity", weights="weight",
                                           resolution=resolution, n_iterations=2)
    finally:
        random.setstate(state)
    return np.asarray(partition.membership)


def communities(
    n: int, ends: np.ndarray, weight: np.ndarray, *, resolution: float = 1.0, seed: int = 7,
    min_split_nodes: int = 150,
) -> np.ndarray:
    """Leiden (modularity) communities of a graph given as edge arrays.

    Args:
        n: number of vertices.
        ends: (m, 2) vertex pairs.
        weight: edge weights.
        resolution: the modularity resolution inside a component.
        seed: Leiden's seed.
        min_split_nodes: components with fewer vertices stay one community.

    Returns:
        A community number per vertex; isolated vertices get their own numbers.
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    matrix = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    _, component = connected_components(matrix, directed=False)
    sizes = np.bincount(component)
    # Small components: one community each, numbered by component.
    membership = component.astype(np.int64)
    next_label = len(sizes)
    edge_component = component[ends[:, 0]]
    edge_order = np.argsort(edge_component, kind="stable")
    edge_bounds = np.searchsorted(edge_component[edge_order], np.arange(len(sizes) + 1))
    vertex_order = np.argsort(component, kind="stable")
    vertex_bounds = np.searchsorted(component[vertex_order], np.arange(len(sizes) + 1))
    local = np.zeros(n, dtype=np.int64)
    for comp in np.flatnonzero(sizes >= min_split_nodes):
        members = vertex_order[vertex_bounds[comp]:vertex_bounds[comp + 1]]
        local[members] = np.arange(len(members))
        picked = edge_order[edge_bounds[comp]:edge_bounds[comp + 1]]
        labels = _leiden(len(members), local[ends[picked]], weight[picked], resolution, seed)
        membership[members] = labels + next_label
        next_label += int(labels.max()) + 1
    return membership


def participation(ends: np.ndarray, weight: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Participation coefficient of every vertex: 1 - sum over communities of the
    squared share of its edge weight going there (0 for vertices without edges)."""
    out = np.zeros(len(membership))
    if len(ends) == 0:
        return out
    frame = pd.DataFrame({
        "v": np.concatenate([ends[:, 0], ends[:, 1]]),
        "c": membership[np.concatenate([ends[:, 1], ends[:, 0]])],
        "w": np.concatenate([weight, weight]),
    })
    per = frame.groupby(["v", "c"], sort=False)["w"].sum()
    shares = per / per.groupby(level="v").transform("sum")
    concentration = (shares**2).groupby(level="v").sum()
    out[concentration.index.to_numpy()] = 1.0 - concentration.to_numpy()
    return out


def find_hubs(graph: EntityGraph, policy: HubPolicy, *, resolution: float = 1.0,
              seed: int = 7) -> pd.DataFrame:
    """Find the hubs of a graph by degree and by diversity.

    Args:
        graph: the entity graph.
        policy: the thresholds.
        resolution: Leiden resolution of the diversity pass.
        seed: Leiden seed.

    Returns:
        The hub nodes: kind, id, degree, participation, reason.
    """
    nodes = graph.nodes
    degree = graph.degree()
    removable = ~nodes["kind"].isin(policy.keep_kinds).to_numpy()
    by_degree = (degree > policy.max_degree) & removable
    ends, weight = graph.restricted(~by_degree)
    membership = communities(len(nodes), ends, weight, resolution=resolution, seed=seed,
                             min_split_nodes=policy.diversity_split_nodes)
    spread = participation(ends, weight, membership)
    by_diversity = ((degree >= policy.min_degree_for_diversity)
                    & (spread > policy.max_participation) & removable & ~by_degree)
    hubs = nodes.assign(degree=degree, participation=np.round(spread, 3))
    hubs["reason"] = np.where(by_degree, f"more than {policy.max_degree} neighbours",
                              "edges spread over several communities")
    return hubs[by_degree | by_diversity].reset_index(drop=True)


def communities_without(graph: EntityGraph, hubs: pd.DataFrame, *, resolution: float = 1.0,
                        seed: int = 7, min_split_nodes: int = 150) -> pd.DataFrame:
    """Remove the hubs, then find communities.

    Returns:
        One row per remaining node with at least one edge: kind, id, community,
        strength (its summed edge weight).
    """
    nodes = graph.nodes
    is_hub = np.zeros(len(nodes), dtype=bool)
    if len(hubs):
        hub_index = pd.MultiIndex.from_frame(hubs[["kind", "id"]])
        is_hub = np.asarray(pd.MultiIndex.from_frame(nodes[["kind", "id"]]).isin(hub_index))
    ends, weight = graph.restricted(~is_hub)
    membership = communities(len(nodes), ends, weight, resolution=resolution, seed=seed,
                             min_split_nodes=min_split_nodes)
    strength = np.bincount(ends.ravel(), weights=np.repeat(weight, 2), minlength=len(nodes))
    out = nodes.assign(community=membership, strength=np.round(strength, 4))
    return out[(strength > 0) & ~is_hub].reset_index(drop=True)
