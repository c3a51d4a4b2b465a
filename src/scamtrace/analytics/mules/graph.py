"""Graph features of accounts in SQL: cycles, scatter-gather and what neighbours look like.

Mules are rarely alone: feeders pay a collector, a collector sweeps to a layer of
accounts, money comes back round in a cycle. These features look one or two hops away.
Two-hop joins explode on hubs (a payroll or merchant account with 100,000 counterparties),
so an account with more than ``hub_degree`` distinct counterparties is not used as the
middle, source or target of a scatter-gather path nor counted on a three-account cycle;
it still gets its own features.
"""

from __future__ import annotations

from scamtrace.analytics.pipeline import Pipeline

#: Accounts with more distinct counterparties than this are not path middles nor ends of a
#: scatter-gather: mule layers are small accounts, and the cap keeps two-hop joins linear
#: in the number of transfers.
DEFAULT_HUB_DEGREE = 30

#: Behaviour features summarised over each account's counterparties (max and mean).
NEIGHBOUR_FEATURES: tuple[str, ...] = (
    "split_max", "tiny_share", "cp_in", "cp_out", "min_in", "min_out",
    "fan_in_new_max", "credits_then_sweep", "rapid_out_share",
)


def distinct_edges_sql(transactions: str) -> str:
    """Distinct directed account pairs (self-transfers dropped).

    ``transactions`` may be the transfers or any table of (src, dst) rows, such as the
    behaviour pipeline's already distinct ``mule_contacts``.
    """
    return f"SELECT DISTINCT src, dst FROM {transactions} WHERE src <> dst"


def reciprocal_sql(edges: str) -> str:
    """Per account: counterparties it both pays and is paid by (2-cycles)."""
    return f"""
        SELECT a.src AS account, count(*) AS cycles_2
        FROM {edges} AS a JOIN {edges} AS b ON a.src = b.dst AND a.dst = b.src
        GROUP BY a.src"""


def path_middles_sql(edges: str, reciprocal: str, hub_degree: int) -> str:
    """Accounts allowed as the middle of a two-hop path (not hubs).

    Distinct counterparties either way are payees plus payers minus those that are both:
    two small aggregations instead of a distinct over every pair in both directions.
    """
    return f"""
        WITH degrees AS (
            SELECT account, sum(n) AS d FROM (
                SELECT src AS account, count(*) AS n FROM {edges} GROUP BY src
                UNION ALL
                SELECT dst AS account, count(*) AS n FROM {edges} GROUP BY dst) AS u
            GROUP BY account
        )
        SELECT g.account FROM degrees AS g
        LEFT JOIN {reciprocal} AS r ON r.account = g.account
        WHERE g.d - coalesce(r.cycles_2, 0) <= {hub_degree}"""


def cycle_counts_sql(edges: str, middles: str, reciprocal: str) -> str:
    """Per account: counterparties paid both ways (2-cycles) and 3-cycles through it."""
    return f"""
        WITH light AS (
            SELECT e.src, e.dst FROM {edges} AS e
            JOIN {middles} AS m1 ON m1.account = e.src
            JOIN {middles} AS m2 ON m2.account = e.dst
        ), two AS (
            SELECT account, cycles_2 FROM {reciprocal}
        ), three AS (
            SELECT e1.src AS account, count(*) AS cycles_3
            FROM light AS e1
            JOIN light AS e2 ON e2.src = e1.dst
            JOIN light AS e3 ON e3.src = e2.dst AND e3.dst = e1.src
            WHERE e1.src <> e2.dst
            GROUP BY e1.src
        )
        SELECT coalesce(two.account, three.account) AS account,
               coalesce(cycles_2, 0) AS cycles_2, coalesce(cycles_3, 0) AS cycles_3
        FROM two FULL OUTER JOIN three ON two.account = three.account"""


def scatter_gather_sql(edges: str, middles: str) -> str:
    """Scatter-gather: a source reaches one target through two or more middles.

    Per account: targets it reaches that way (as source), sources reaching it (as target),
    and such source-target pairs it is a middle of. Source, middles and target are all
    non-hubs (``middles``): two payees of a person both paying the same shop, utility or
    ATM cash account, or two staff of one employer paying the same shop, is the hub's
    popularity, not money gathered back together.
    """
    return f"""
        WITH paths AS (
            SELECT a.src AS source, a.dst AS middle, b.dst AS target
            FROM {edges} AS a
            JOIN {middles} AS m ON m.account = a.dst
            JOIN {middles} AS ms ON ms.account = a.src
            JOIN {edges} AS b ON b.src = a.dst
            JOIN {middles} AS mt ON mt.account = b.dst
            WHERE a.src <> b.dst
        ), pairs AS (
            SELECT source, target FROM paths GROUP BY source, target HAVING count(*) >= 2
        ), as_source AS (
            SELECT source AS account, count(*) AS sg_as_source FROM pairs GROUP BY source
        ), as_target AS (
            SELECT target AS account, count(*) AS sg_as_target FROM pairs GROUP BY target
        ), as_middle AS (
            SELECT p.middle AS account, count(*) AS sg_as_middle
            FROM paths AS p JOIN pairs AS q ON q.source = p.source AND q.target = p.target
            GROUP BY p.middle
        ), everyone AS (
            SELECT account FROM as_source UNION SELECT account FROM as_target
            UNION SELECT account FROM as_middle
        )
        SELECT e.account, coalesce(s.sg_as_source, 0) AS sg_as_source,
               coalesce(t.sg_as_target, 0) AS sg_as_target,
               coalesce(m.sg_as_middle, 0) AS sg_as_middle
        FROM everyone AS e
        LEFT JOIN as_source AS s ON s.account = e.account
        LEFT JOIN as_target AS t ON t.account = e.account
        LEFT JOIN as_middle AS m ON m.account = e.account"""


def neighbour_features_sql(edges: str, features: str, columns: tuple[str, ...]) -> str:
    """Max and mean of feature columns over the accounts an account pays and is paid by.

    Args:
        edges: distinct directed pairs (src, dst).
        features: one row per account with the columns.
        columns: the feature columns to summarise.

    Returns:
        SQL with ``account`` and ``pay_max_<c>``, ``pay_avg_<c>`` (over payees) and
        ``paid_max_<c>``, ``paid_avg_<c>`` (over payers).
    """
    def summary(prefix: str) -> str:
        return ", ".join(
            f"max(f.{c}) AS {prefix}_max_{c}, avg(f.{c}) AS {prefix}_avg_{c}" for c in columns
        )

    def picked(alias: str, prefix: str) -> str:
        return ", ".join(
            f"{alias}.{prefix}_{agg}_{c}" for c in columns for agg in ("max", "avg")
        )

    return f"""
        WITH payees AS (
            SELECT e.src AS account, {summary('pay')}
            FROM {edges} AS e JOIN {features} AS f ON f.account = e.dst GROUP BY e.src
        ), payers AS (
            SELECT e.dst AS account, {summary('paid')}
            FROM {edges} AS e JOIN {features} AS f ON f.account = e.src GROUP BY e.dst
        )
        SELECT coalesce(a.account, b.account) AS account, {picked('a', 'pay')},
               {picked('b', 'paid')}
        FROM payees AS a FULL OUTER JOIN payers AS b ON a.account = b.account"""


def undirected_pairs_sql(edges: str) -> str:
    """Each pair of accounts that transferred either way, once per direction (a, b)."""
    return f"SELECT src AS a, dst AS b FROM {edges} UNION SELECT dst AS a, src AS b FROM {edges}"


def embedded_pairs_sql(pairs: str) -> str:
    """Pairs of counterparties that share other counterparties: triangles, edge by edge.

    Mule networks are dense: feeders, collectors and layers pay one another, so a mule's
    counterparties often know each other, while an honest account's rarely do. Triangles
    are enumerated once each by orienting every pair from the lower to the higher
    (degree, id): a hub then has few oriented successors, so the work stays near
    ``edges ** 1.5`` without capping hubs. Output: one row per pair in one triangle or
    more, ``a`` < ``b`` in that order, and ``k`` the number of common counterparties.
    """
    return f"""
        WITH degree AS (
            SELECT a AS account, count(*) AS d FROM {pairs} GROUP BY a
        ), oriented AS (
            SELECT p.a, p.b FROM {pairs} AS p
            JOIN degree AS da ON da.account = p.a
            JOIN degree AS db ON db.account = p.b
            WHERE da.d < db.d OR (da.d = db.d AND p.a < p.b)
        ), triangles AS (
            SELECT o1.a AS x, o1.b AS y, o2.b AS z
            FROM oriented AS o1
            JOIN oriented AS o2 ON o2.a = o1.b
            JOIN oriented AS o3 ON o3.a = o1.a AND o3.b = o2.b
        ), sides AS (
            SELECT x AS a, y AS b FROM triangles
            UNION ALL SELECT y AS a, z AS b FROM triangles
            UNION ALL SELECT x AS a, z AS b FROM triangles
        )
        SELECT a, b, count(*) AS k FROM sides GROUP BY a, b"""


def triangle_features_sql(pairs: str, embedded: str) -> str:
    """Per account: triangles through it and how many of its counterparties share some.

    ``tri_count`` triangles through the account, ``tri_neighbours`` counterparties that
    share at least one other counterparty with it, ``tri_share`` the same as a share of
    all its counterparties, ``tri_pair_max`` the most counterparties shared with one.
    """
    return f"""
        WITH both_ends AS (
            SELECT a AS account, k FROM {embedded} UNION ALL SELECT b AS account, k FROM {embedded}
        ), degree AS (
            SELECT a AS account, count(*) AS d FROM {pairs} GROUP BY a
        )
        SELECT e.account, sum(e.k) / 2 AS tri_count, count(*) AS tri_neighbours,
               CAST(count(*) AS DOUBLE) / max(d.d) AS tri_share, max(e.k) AS tri_pair_max
        FROM both_ends AS e JOIN degree AS d ON d.account = e.account
        GROUP BY e.account"""


def triangle_pipeline() -> Pipeline:
    """Steps building ``mule_embedded`` (pairs in triangles) and ``mule_triangles``.

    Reads ``mule_edges`` from :func:`graph_pipeline`. Used by the supervised mode, where
    the model weighs these features and the labels of counterparties sharing triangles.
    """
    return (
        Pipeline()
        .add("mule_pairs", undirected_pairs_sql("mule_edges"), persist=True,
             repartition_by=["a"])
        .add("mule_embedded", embedded_pairs_sql("mule_pairs"), persist=True)
        .add("mule_triangles", triangle_features_sql("mule_pairs", "mule_embedded"))
    )


def graph_pipeline(
    transactions: str, *, hub_degree: int = DEFAULT_HUB_DEGREE, contacts: str | None = None
) -> Pipeline:
    """Steps building ``mule_edges`` and ``mule_graph`` (cycle and scatter-gather counts).

    Args:
        transactions: canonical table.
        hub_degree: accounts with more counterparties are not used as path middles.
        contacts: the behaviour pipeline's distinct pairs (``mule_contacts``), when
            already built: the edges are then read from it instead of the transfers.

    Returns:
        A pipeline whose output ``mule_graph`` has one row per account on a cycle or in a
        scatter-gather; ``mule_edges`` stays available for neighbour features.
    """
    return (
        Pipeline()
        .add("mule_edges", distinct_edges_sql(contacts or transactions), persist=True,
             repartition_by=["src"])
        .add("mule_reciprocal", reciprocal_sql("mule_edges"), persist=True)
        .add("mule_middles", path_middles_sql("mule_edges", "mule_reciprocal", hub_degree),
             persist=True)
        .add("mule_cycles", cycle_counts_sql("mule_edges", "mule_middles", "mule_reciprocal"),
             persist=True)
        .add("mule_scatter", scatter_gather_sql("mule_edges", "mule_middles"), persist=True)
        .add("mule_graph", """
            SELECT coalesce(c.account, s.account) AS account,
                   coalesce(c.cycles_2, 0) AS cycles_2, coalesce(c.cycles_3, 0) AS cycles_3,
                   coalesce(s.sg_as_source, 0) AS sg_as_source,
                   coalesce(s.sg_as_target, 0) AS sg_as_target,
                   coalesce(s.sg_as_middle, 0) AS sg_as_middle
            FROM mule_cycles AS c FULL OUTER JOIN mule_scatter AS s ON c.account = s.account""")
    )
