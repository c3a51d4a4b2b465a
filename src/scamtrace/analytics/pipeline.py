"""Named SQL steps composed into one ``WITH ... SELECT``.

A :class:`Pipeline` is a queue of :class:`Step` objects. Each step is a SELECT that may
read the engine's registered tables and the outputs of earlier steps by name. The engine
runs the queue as a single statement, except where a step asks to be materialised
(``persist=True``): there the queue is cut, the step becomes a table (on Spark: a cached,
optionally repartitioned view) and later steps read it by its name.

Unlike Splink, which guesses persist points from table names with regexes, the hint lives
on the step that needs it: the author who knows a table is read many times says so.

Examples:
    >>> p = Pipeline()
    >>> p.add("edges", "SELECT src, dst FROM transactions WHERE amount > 0")
    >>> p.add("out_degree", "SELECT src, count(*) AS n FROM edges GROUP BY src")
    >>> print(p.segments()[0].sql.split()[0])
    WITH
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Step:
    """One named SELECT of a pipeline.

    Attributes:
        name: the name later steps use to read this step's rows.
        sql: a SELECT in the DuckDB dialect.
        persist: materialise this step (it is read several times, or feeds an iteration).
        repartition_by: on Spark, hash-partition the materialised rows on these columns
            (the join key of the steps that read it); ignored by DuckDB.
    """

    name: str
    sql: str
    persist: bool = False
    repartition_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A run of steps executed as one statement; its last step names the output."""

    sql: str
    output: Step


@dataclass
class Pipeline:
    """An ordered queue of steps; see the module docstring."""

    steps: list[Step] = field(default_factory=list)

    def add(
        self,
        name: str,
        sql: str,
        *,
        persist: bool = False,
        repartition_by: tuple[str, ...] | list[str] = (),
    ) -> Pipeline:
        """Append a step and return the pipeline (so calls can be chained).

        Args:
            name: the step's output name, a plain SQL identifier, unique in the pipeline.
            sql: a SELECT in the DuckDB dialect.
            persist: materialise the step's rows.
            repartition_by: Spark partitioning columns of the materialised rows.

        Returns:
            This pipeline.
        """
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"step name {name!r} is not a plain SQL identifier")
        if any(step.name == name for step in self.steps):
            raise ValueError(f"step {name!r} is already in the pipeline")
        self.steps.append(Step(name, sql.strip().rstrip(";"), persist, tuple(repartition_by)))
        return self

    @property
    def output_name(self) -> str:
        """The name of the last step, which is what running the pipeline produces."""
        if not self.steps:
            raise ValueError("empty pipeline")
        return self.steps[-1].name

    def segments(self) -> list[Segment]:
        """Cut the queue after each persisted step and after the last step.

        Returns:
            Segments in execution order; each is one ``WITH ... SELECT`` whose CTEs are
            the segment's earlier steps. Steps of earlier segments are tables by then.
        """
        if not self.steps:
            raise ValueError("empty pipeline")
        segments: list[Segment] = []
        pending: list[Step] = []
        for step in self.steps:
            pending.append(step)
            if step.persist or step is self.steps[-1]:
                segments.append(Segment(_with_select(pending), step))
                pending = []
        return segments

    def to_sql(self) -> str:
        """The whole queue as one ``WITH ... SELECT``, ignoring persist hints."""
        return _with_select(self.steps)


def _with_select(steps: list[Step]) -> str:
    *ctes, final = steps
    if final.sql[:4].upper() == "WITH":
        # A step with its own WITH cannot follow ours: read it as one more CTE.
        ctes, final = steps, Step(final.name, f"SELECT * FROM {final.name}")
    if not ctes:
        return final.sql
    body = ",\n".join(f"{step.name} AS (\n{step.sql}\n)" for step in ctes)
    return f"WITH\n{body}\n{final.sql}"
