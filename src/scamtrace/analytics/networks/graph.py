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
objective on the weighted graph at the standard resolution, after which fragments that
keep more than a small share of their weight outside (a gang cut along one of its
seams) rejoin the community they are most tied to (:func:`merge_loose`). Leiden runs
component by component: modularity never joins
two disconnected parts, and modularity measured on the whole graph cannot split a
small component at all (its resolution limit, Fortunato and Barthélemy, PNAS 2007),
so a component smaller than a gang pair stays whole, and a larger one (two gangs
glued by a shared mule or a missed hub) is split by Leiden on its own modularity. All
large components are split in one Leiden run (see :func:`communities`), on a graph
built straight from the integer edge arrays, so millions of edges go through in seconds;
that run makes one iteration, and the communities as large as a split component are
then run to the end, each inside itself (:func:`_finish_large`), so none keeps two gangs that
more iterations would part.
"""

from __future__ import annotations

import multiprocessing
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
            Used by :func:`find_hubs`; :func:`hubs_and_communities`, which the
            ``networks`` command runs, splits at its own ``min_split_nodes``.
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


def _leiden(n: int, ends: np.ndarray, weight: np.ndarray, node_weight: np.ndarray,
            resolution: float, seed: int, *, iterations: int = 1,
            initial: np.ndarray | None = None) -> np.ndarray:
    # Two flat lists zipped into pairs build the graph fastest (about 0.4 s per million
    # edges; a nested ``tolist`` or a 2-D buffer is twice as slow).
    graph = ig.Graph(n=n, edges=list(zip(ends[:, 0].tolist(), ends[:, 1].tolist())),
                     directed=False)
    # igraph draws from Python's random module; seeding it makes the partition repeat.
    state = random.getstate()
    random.seed(seed)
    try:
        # GraphBase's method returns the bare membership; the wrapper's clustering
        # object would scan it again in Python. One iteration over the whole graph: a
        # second one gave the same networks on small seeds 41 and 67 and medium seed 53,
        # at 40% more time, and running to the end took over ten minutes on the bench's
        # 10 million edges; the large communities are finished apart (see
        # :func:`_finish_large`).
        membership, _ = ig.GraphBase.community_leiden(
            graph, edge_weights=weight.tolist(), node_weights=node_weight.tolist(),
            resolution=resolution, normalize_resolution=False, n_iterations=iterations,
            initial_membership=None if initial is None else initial.tolist())
    finally:
        random.setstate(state)
    return np.asarray(membership, dtype=np.int64)


def communities(
    n: int, ends: np.ndarray, weight: np.ndarray, *, resolution: float = 1.0, seed: int = 7,
    min_split_nodes: int = 150, max_conductance: float | None = None,
    sims: np.ndarray | None = None, accounts: np.ndarray | None = None,
) -> np.ndarray:
    """Leiden (modularity) communities of a graph given as edge arrays.

    Each component of at least ``min_split_nodes`` vertices is split on its own
    modularity; smaller components stay whole. All large components go through one
    Leiden run: igraph's modularity is the constant Potts model with node weights equal
    to the strengths and the resolution divided by twice the total weight, so giving
    each vertex the weight strength / sqrt(2 m_c) of its component c makes one CPM run
    optimise every component's own modularity at once (no Python loop over components).

    Args:
        n: number of vertices.
        ends: (m, 2) vertex pairs.
        weight: edge weights.
        resolution: the modularity resolution inside a component.
        seed: Leiden's seed.
        min_split_nodes: components with fewer vertices stay one community.
        max_conductance: when given, communities sending more than this share of
            their edge weight to other communities are merged into the neighbour they
            are most tied to (see :func:`merge_loose`).
        sims, accounts: which vertices are SIMs and which accounts (for
            :func:`merge_loose`; optional).

    Returns:
        A community number per vertex; isolated vertices get their own numbers.
    """
    membership = _split_components(n, ends, weight, resolution, seed, min_split_nodes)
    if max_conductance is not None and len(ends):
        membership = merge_loose(membership, np.asarray(ends, dtype=np.int64).reshape(-1, 2),
                                 np.asarray(weight, dtype=float), max_conductance,
                                 sims=sims, accounts=accounts)
    return membership


def merge_loose(membership: np.ndarray, ends: np.ndarray, weight: np.ndarray,
                max_conductance: float, rounds: int = 10, *, sims: np.ndarray | None = None,
                accounts: np.ndarray | None = None) -> np.ndarray:
    """Merge loose communities into the neighbour they are most tied to, until none
    sends more than ``max_conductance`` of its edge weight outside.

    Modularity at the standard resolution cuts a gang along its weakest seams (the
    callers from the mule chain, one layer from the next); such a fragment keeps a
    large share of its ties to the rest of its gang. Two gangs that only share a mule
    or two send a few percent of their weight to each other and stay apart. The share
    (conductance) is a ratio, so the rule holds whatever the size of gangs and worlds.
    A loose community joins the neighbour with the strongest tie once the member that
    carries most of each tie is left out (see :func:`_ties`): a mule two gangs share can
    tie a fragment to the other gang more than the fragment's many weaker ties to its
    own, but not once it is left out. Where every tie is one member's, the strongest
    whole tie decides.

    Knowing which vertices are SIMs and which accounts, two more rules follow from how
    gangs share: they borrow each other's mule accounts (a borrowed mule is paid by
    one gang's victims and pays another gang's deeper layers, or both gangs'), while a
    gang's SIMs, handsets, nominees and links are its own.

    * A community holding both SIMs and accounts (a whole operation: callers and the
      mules their victims paid) counts its money ties (between two accounts) without
      the member carrying most of each when it is judged loose; a fragment cut along a
      gang's seam (callers from mules) holds one of the two and is judged by all its
      ties. Mules shared with the neighbouring gangs then no longer make a whole gang
      loose.
    * A loose community joins first the neighbour with the strongest tie through
      evidence other than money between two accounts (SIMs, handsets, identities,
      links; again without its largest member), then as above: the mules two gangs
      share tie them by money, a fragment to its own gang by its callers and SIM boxes.

    Args:
        membership: a community number per vertex.
        ends: (m, 2) vertex pairs.
        weight: edge weights.
        max_conductance: the largest outside share a community may keep.
        rounds: merge passes at most.
        sims: which vertices are SIMs (with ``accounts``: the two rules above).
        accounts: which vertices are accounts.

    Returns:
        The merged community numbers (0..k-1).
    """
    _, labels = np.unique(membership, return_inverse=True)
    labels = labels.ravel()
    kinds = sims is not None and accounts is not None
    if kinds:
        with_edges = np.zeros(len(labels), dtype=bool)
        with_edges[ends.ravel()] = True
        sims, accounts = np.asarray(sims, dtype=bool), np.asarray(accounts, dtype=bool)
        sims, accounts = sims & with_edges, accounts & with_edges
        money = accounts[ends[:, 0]] & accounts[ends[:, 1]]
    for _ in range(rounds):
        k = int(labels.max()) + 1
        a, b = labels[ends[:, 0]], labels[ends[:, 1]]
        strength = _weight_at_ends(a, b, weight, k)
        cross = a != b
        outside = _weight_at_ends(a[cross], b[cross], weight[cross], k)
        if kinds:
            # A whole operation (SIMs and accounts) counts its money ties without their
            # largest member.
            whole = (np.bincount(labels[sims], minlength=k) > 0) & (
                np.bincount(labels[accounts], minlength=k) > 0)
            own = cross & ~money
            kept = _weight_at_ends(a[own], b[own], weight[own], k)
            if (cross & money).any():
                money_pair, _, money_robust = _ties(labels, ends, weight, cross & money, k)
                kept += _weight_at_ends(money_pair // k, money_pair % k, money_robust, k)
            outside = np.where(whole, kept, outside)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(strength > 0, outside / np.where(strength > 0, strength, 1.0), 0.0)
        loose = np.flatnonzero(share > max_conductance)
        if len(loose) == 0:
            break
        pair, tie, robust = _ties(labels, ends, weight, cross, k)
        # The neighbour of each loose community with the strongest tie through the
        # gangs' own evidence (not money between accounts) not carried by a single
        # member, then the strongest tie not carried by a single member, then the
        # strongest tie, then the lowest number.
        by_own = np.zeros(len(pair))
        if kinds and own.any():
            own_pair, _, own_robust = _ties(labels, ends, weight, own, k)
            by_own[np.searchsorted(pair, own_pair)] = own_robust
        row, col = np.concatenate([pair // k, pair % k]), np.concatenate([pair % k, pair // k])
        tie, robust = np.concatenate([tie, tie]), np.concatenate([robust, robust])
        by_own = np.concatenate([by_own, by_own])
        is_loose = share[row] > max_conductance
        row, col, tie, robust, by_own = (row[is_loose], col[is_loose], tie[is_loose],
                                         robust[is_loose], by_own[is_loose])
        order = np.lexsort((col, -tie, -robust, -by_own, row))
        _, first = np.unique(row[order], return_index=True)
        source, target = row[order][first], col[order][first]
        joins = coo_matrix((np.ones(len(source)), (source, target)), shape=(k, k))
        _, merged = connected_components(joins, directed=False)
        labels = merged[labels]
    return labels.astype(np.int64)


def _weight_at_ends(a: np.ndarray, b: np.ndarray, weight: np.ndarray, k: int) -> np.ndarray:
    # The weight of edges (a, b) summed onto both ends' communities (0..k-1), as floats
    # (bincount of no edges gives integers).
    total = np.bincount(a, weights=weight, minlength=k) + np.bincount(b, weights=weight, minlength=k)
    return total.astype(float, copy=False)


def _ties(labels: np.ndarray, ends: np.ndarray, weight: np.ndarray, cross: np.ndarray,
          k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ties between communities: for every pair of communities joined by an edge
    (numbered ``lo * k + hi``), the summed weight of the edges between them, and that
    weight less the share of the one member (on either side) that carries most of it.

    A fragment of a gang is tied to the rest of its gang through many members (the SIMs
    of its SIM boxes, the nominees holding its SIMs, the mules paying its deeper layers);
    a neighbouring gang is tied to it through the mule the two gangs share. The second
    figure is what remains of a tie without that one member.
    """
    x, y, w = ends[cross, 0], ends[cross, 1], weight[cross]
    a, b = labels[x], labels[y]
    pair = np.minimum(a, b).astype(np.int64) * k + np.maximum(a, b)
    per_node = pd.DataFrame({"pair": np.concatenate([pair, pair]),
                             "node": np.concatenate([x, y]), "w": np.concatenate([w, w])})
    largest = per_node.groupby(["pair", "node"], sort=False)["w"].sum().groupby(
        level=0, sort=True).max()
    total = pd.Series(w).groupby(pair, sort=True).sum().to_numpy(float)
    rest = total - largest.to_numpy(float)
    # A tie one member carries whole leaves nothing (not a rounding remainder).
    return largest.index.to_numpy(np.int64), total, np.where(rest > 1e-9 * total, rest, 0.0)


def _split_components(n: int, ends: np.ndarray, weight: np.ndarray, resolution: float,
                      seed: int, min_split_nodes: int) -> np.ndarray:
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.asarray(ends, dtype=np.int64).reshape(-1, 2)
    weight = np.asarray(weight, dtype=float)
    matrix = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    _, component = connected_components(matrix, directed=False)
    component = component.astype(np.int64)
    sizes = np.bincount(component)
    large = sizes[component] >= min_split_nodes
    if not large.any():
        return component
    strength = np.bincount(ends.ravel(), weights=np.repeat(weight, 2), minlength=n)
    total = np.bincount(component, weights=strength)  # 2 m_c of every component
    node_weight = strength / np.sqrt(np.maximum(total[component], 1e-300))
    args = (ends, weight, node_weight, resolution, seed)
    if large.sum() < PARALLEL_MIN_VERTICES:
        parts = [_leiden_subset(large, *args)]
    else:
        # Components are independent: split them into two halves of about equal
        # vertex count and run the second half in a forked process, beside this one.
        counts = sizes * (sizes >= min_split_nodes)
        first_half = np.cumsum(counts) <= counts.sum() / 2
        parts = _leiden_two_processes(large & first_half[component],
                                      large & ~first_half[component], args)
    vertices = np.concatenate([v for v, _ in parts])
    labels = np.concatenate([lab for _, lab in parts])
    # A CPM community never spans two components (it would only add a penalty), but
    # number (component, label) pairs to be sure; small components keep their numbers.
    _, split = np.unique(component[vertices] * (int(labels.max()) + 1) + labels,
                         return_inverse=True)
    membership = component.copy()
    membership[vertices] = len(sizes) + split.ravel()
    return _finish_large(membership, ends, weight, node_weight, resolution, seed,
                         min_split_nodes)


#: Leiden iterations when finishing the large communities: negative runs until an
#: iteration changes nothing (two still left two gangs together on 1 Leiden seed of 30
#: on the medium world of seed 67).
FINISH_ITERATIONS = -1


def _finish_large(membership: np.ndarray, ends: np.ndarray, weight: np.ndarray,
                  node_weight: np.ndarray, resolution: float, seed: int,
                  min_split_nodes: int) -> np.ndarray:
    """Run Leiden to the end inside each community of at least ``min_split_nodes``
    vertices, starting from the community whole, and split it where that finds parts.

    One Leiden iteration over the whole graph sometimes stops with two gangs in one
    community (on the medium world of seed 67, 4 Leiden seeds of 30 kept two gangs of
    76 and 84 members together; run to the end, none did), and the merge step can only
    join communities. Running every component to the end costs too much on large
    graphs (over ten minutes on the bench's 10 million edges); a community smaller than
    a component that is split (``min_split_nodes``) is left as it is, as such a
    component would be. Inside one community the node weights are those of its
    component, so each split is judged by that component's modularity, and Leiden
    started from the whole community never returns a worse partition of it.
    """
    size = np.bincount(membership)
    big = size[membership] >= min_split_nodes
    if not big.any():
        return membership
    inside = big[ends[:, 0]] & (membership[ends[:, 0]] == membership[ends[:, 1]])
    vertices = np.flatnonzero(big)
    local = np.full(len(membership), -1, dtype=np.int64)
    local[vertices] = np.arange(len(vertices))
    _, start = np.unique(membership[vertices], return_inverse=True)
    labels = _leiden(len(vertices), local[ends[inside]], weight[inside], node_weight[vertices],
                     resolution, seed, iterations=FINISH_ITERATIONS, initial=start.ravel())
    # Parts stay inside their community (no edge leaves it): number (community, part).
    _, part = np.unique(membership[vertices] * (int(labels.max()) + 1) + labels,
                        return_inverse=True)
    out = membership.copy()
    out[vertices] = int(membership.max()) + 1 + part.ravel()
    return out


#: Leiden runs in two processes (one per core) from this many vertices on.
PARALLEL_MIN_VERTICES = 300_000
_FORKED_ARGS: tuple = ()


def _leiden_subset(selected: np.ndarray, ends: np.ndarray, weight: np.ndarray,
                   node_weight: np.ndarray, resolution: float,
                   seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Leiden on the vertices ``selected`` (whole components): their rows and labels."""
    local = np.cumsum(selected) - 1
    picked = selected[ends[:, 0]]
    vertices = np.flatnonzero(selected)
    labels = _leiden(len(vertices), local[ends[picked]], weight[picked], node_weight[vertices],
                     resolution, seed)
    return vertices, labels


def _forked_leiden(_: str) -> tuple[np.ndarray, np.ndarray]:
    selected, args = _FORKED_ARGS
    return _leiden_subset(selected, *args)


def _leiden_two_processes(first: np.ndarray, second: np.ndarray,
                          args: tuple) -> list[tuple[np.ndarray, np.ndarray]]:
    global _FORKED_ARGS
    # A forked child sees the arrays without copying them; only its labels come back.
    _FORKED_ARGS = (second, args)
    try:
        pool = multiprocessing.get_context("fork").Pool(1)
    except (AssertionError, OSError, ValueError):  # a daemon process, no fork: one by one
        _FORKED_ARGS = ()
        return [_leiden_subset(first, *args), _leiden_subset(second, *args)]
    try:
        with pool:
            pending = pool.apply_async(_forked_leiden, ("second",))
            mine = _leiden_subset(first, *args)
            theirs = pending.get()
    finally:
        _FORKED_ARGS = ()
    return [mine, theirs]


def participation(ends: np.ndarray, weight: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Participation coefficient of every vertex: 1 - sum over communities of the
    squared share of its edge weight going there (0 for vertices without edges)."""
    n = len(membership)
    if len(ends) == 0:
        return np.zeros(n)
    _, label = np.unique(membership, return_inverse=True)
    label = label.ravel()
    rows = np.concatenate([ends[:, 0], ends[:, 1]])
    cols = label[np.concatenate([ends[:, 1], ends[:, 0]])]
    # Duplicate (vertex, community) entries add up when the matrix is compressed.
    per = coo_matrix((np.concatenate([weight, weight]), (rows, cols)),
                     shape=(n, int(label.max()) + 1)).tocsr()
    total = np.asarray(per.sum(axis=1)).ravel()
    squares = np.asarray(per.multiply(per).sum(axis=1)).ravel()
    with np.errstate(invalid="ignore", divide="ignore"):
        concentration = np.where(total > 0, squares / np.where(total > 0, total, 1.0) ** 2, 1.0)
    return 1.0 - concentration


def _sims_and_accounts(graph: EntityGraph) -> dict[str, np.ndarray]:
    kind = graph.nodes["kind"]
    return {"sims": (kind == "sim").to_numpy(dtype=bool),
            "accounts": (kind == "account").to_numpy(dtype=bool)}


def _hub_pass(graph: EntityGraph, policy: HubPolicy, *, resolution: float, seed: int,
              min_split_nodes: int, max_conductance: float | None
              ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Hubs by degree, then by diversity over one Leiden run without the degree hubs.

    Returns:
        The hubs (as :func:`find_hubs` gives them), the hub mask over ``graph.nodes``
        and the diversity pass's community of every node.
    """
    nodes = graph.nodes
    degree = graph.degree()
    removable = ~nodes["kind"].isin(policy.keep_kinds).to_numpy()
    by_degree = (degree > policy.max_degree) & removable
    ends, weight = graph.restricted(~by_degree)
    first = communities(len(nodes), ends, weight, resolution=resolution, seed=seed,
                        min_split_nodes=min_split_nodes, max_conductance=max_conductance,
                        **_sims_and_accounts(graph))
    spread = participation(ends, weight, first)
    by_diversity = ((degree >= policy.min_degree_for_diversity)
                    & (spread > policy.max_participation) & removable & ~by_degree)
    is_hub = by_degree | by_diversity
    rows = np.flatnonzero(is_hub)
    hubs = nodes.iloc[rows].reset_index(drop=True)
    hubs["degree"] = degree[rows]
    hubs["participation"] = np.round(spread[rows], 3)
    hubs["reason"] = np.where(by_degree[rows], f"more than {policy.max_degree} neighbours",
                              "edges spread over several communities")
    hubs["node"] = rows
    return hubs, is_hub, first


def find_hubs(graph: EntityGraph, policy: HubPolicy, *, resolution: float = 1.0,
              seed: int = 7, max_conductance: float | None = None) -> pd.DataFrame:
    """Find the hubs of a graph by degree and by diversity.

    Args:
        graph: the entity graph.
        policy: the thresholds.
        resolution: Leiden resolution of the diversity pass.
        seed: Leiden seed.
        max_conductance: loose communities of the diversity pass are merged (see
            :func:`merge_loose`), so that participation is measured between gangs.

    Returns:
        The hub nodes: kind, id, degree, participation, reason, and node (the row in
        ``graph.nodes``).
    """
    hubs, _, _ = _hub_pass(graph, policy, resolution=resolution, seed=seed,
                           min_split_nodes=policy.diversity_split_nodes,
                           max_conductance=max_conductance)
    return hubs


def communities_without(graph: EntityGraph, hubs: pd.DataFrame, *, resolution: float = 1.0,
                        seed: int = 7, min_split_nodes: int = 150,
                        max_conductance: float | None = None) -> pd.DataFrame:
    """Remove the hubs, then find communities.

    Args:
        graph: the entity graph.
        hubs: the nodes to remove: kind and id, or node (their rows in ``graph.nodes``,
            as :func:`find_hubs` gives them).
        resolution: the modularity resolution inside a component.
        seed: Leiden's seed.
        min_split_nodes: components with fewer vertices stay one community.
        max_conductance: see :func:`merge_loose`.

    Returns:
        One row per remaining node with at least one edge: kind, id, community,
        strength (its summed edge weight).
    """
    nodes = graph.nodes
    is_hub = np.zeros(len(nodes), dtype=bool)
    if "node" in hubs.columns:
        is_hub[hubs["node"].to_numpy(dtype=np.int64)] = True
    elif len(hubs):
        hub_index = pd.MultiIndex.from_frame(hubs[["kind", "id"]])
        is_hub = np.asarray(pd.MultiIndex.from_frame(nodes[["kind", "id"]]).isin(hub_index))
    ends, weight = graph.restricted(~is_hub)
    membership = communities(len(nodes), ends, weight, resolution=resolution, seed=seed,
                             min_split_nodes=min_split_nodes, max_conductance=max_conductance,
                             **_sims_and_accounts(graph))
    strength = np.bincount(ends.ravel(), weights=np.repeat(weight, 2), minlength=len(nodes))
    rows = np.flatnonzero((strength > 0) & ~is_hub)
    out = nodes.iloc[rows].reset_index(drop=True)
    out["community"] = membership[rows]
    out["strength"] = np.round(strength[rows], 4)
    return out


def hubs_and_communities(graph: EntityGraph, policy: HubPolicy, *, resolution: float = 1.0,
                         seed: int = 7, min_split_nodes: int = 150,
                         max_conductance: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Hub removal and communities with one Leiden run (for millions of edges).

    As :func:`find_hubs` then :func:`communities_without`, except that the communities
    of the diversity pass are kept once the diversity hubs are removed (cut where the
    removal disconnects them, merged again where they turn loose) instead of being
    sought a second time: removing a node spread over several communities leaves
    those communities as they were. The diversity pass uses ``min_split_nodes``.

    Returns:
        The hubs (as :func:`find_hubs`) and the members (as :func:`communities_without`).
    """
    nodes = graph.nodes
    hubs, is_hub, first = _hub_pass(graph, policy, resolution=resolution, seed=seed,
                                    min_split_nodes=min_split_nodes,
                                    max_conductance=max_conductance)
    ends, weight = graph.restricted(~is_hub)
    n = len(nodes)
    if n == 0:
        return hubs, nodes.assign(community=np.zeros(0, dtype=np.int64), strength=np.zeros(0))
    matrix = coo_matrix((np.ones(len(ends)), (ends[:, 0], ends[:, 1])), shape=(n, n))
    _, component = connected_components(matrix, directed=False)
    small = np.bincount(component)[component] < min_split_nodes
    # Small components stay whole; in large ones the first pass's communities are cut
    # by the new components.
    key = np.where(small, -1, first) * (int(component.max()) + 1) + component
    _, membership = np.unique(key, return_inverse=True)
    membership = membership.ravel().astype(np.int64)
    if max_conductance is not None and len(ends):
        membership = merge_loose(membership, ends, weight, max_conductance,
                                 **_sims_and_accounts(graph))
    strength = np.bincount(ends.ravel(), weights=np.repeat(weight, 2), minlength=n)
    keep = np.flatnonzero((strength > 0) & ~is_hub)
    members = nodes.iloc[keep].reset_index(drop=True)
    members["community"] = membership[keep]
    members["strength"] = np.round(strength[keep], 4)
    return hubs, members
