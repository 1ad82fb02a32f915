"""The views' manifests: each view in sql/views/ is documented and checked beside its SQL.

Every `sql/views/<folder>/<name>.sql` has a `<name>.yml` next to it, dbt-style:

    view: results.flips                  # the name the SQL creates
    grain: declared seat whose winner differs from its baseline winner
    description: one line on what it is for
    depends_on: [results.seat_status]    # the views it reads (tables need not be listed)
    columns:                             # every column, in order, one line each
      - {name: gss_code, description: ONS GSS code of the constituency}
      - {name: outcome, description: ..., values: [gain, hold]}   # values: the only ones allowed
    invariants:                          # run by tests/test_views.py after the replayed night
      - unique: [gss_code]
      - not_null: [gss_code, winner_party]
      - name: gains equal losses summed over parties
        sql: select 1 from results.party_tally having sum(gains) <> sum(losses)   # rows = violations

Folder `results/` holds the analysts' views (schema `results`), `internal/`
the pipeline's own (schema `pipeline`). The creation order follows
`depends_on`; the README's view table is generated from the manifests
(`python -m pipeline.views --write-readme`).
"""

from __future__ import annotations

import argparse
import functools
import heapq
from dataclasses import dataclass
from pathlib import Path

from pipeline.config import PROJECT_ROOT
from pipeline.exceptions import PipelineError

FOLDERS = {"results": "results", "internal": "pipeline"}  # folder under sql/views -> schema
README_BEGIN = (
    "<!-- view table: generated from sql/views/results/*.yml by `python -m pipeline.views --write-readme` -->"
)
README_END = "<!-- end of the generated view table -->"


@dataclass(frozen=True)
class Column:
    """One column of a view."""

    name: str
    description: str
    values: tuple[str, ...] = ()  # the only values allowed (besides null), if listed


@dataclass(frozen=True)
class Invariant:
    """One check a view must pass: `kind` is unique, not_null, accepted_values or sql."""

    view: str
    name: str
    kind: str
    columns: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    sql: str = ""


@dataclass(frozen=True)
class View:
    """A view: its SQL file's name (for pipeline.db.sql_text) and its manifest."""

    name: str  # schema-qualified, as created
    sql_name: str  # e.g. "views/results/flips"
    grain: str
    description: str
    depends_on: tuple[str, ...]
    columns: tuple[Column, ...]
    invariants: tuple[Invariant, ...]


def _fail(path: Path, message: str) -> PipelineError:
    return PipelineError(f"view manifest {path}: {message}")


def _invariants(view: str, raw: list, columns: dict[str, Column], path: Path) -> list[Invariant]:
    found: list[Invariant] = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise _fail(path, f"invariant {entry!r} is not a mapping")
        if "sql" in entry:
            if not entry.get("name"):
                raise _fail(path, "an sql invariant needs a name saying what it checks")
            found.append(Invariant(view, str(entry["name"]), "sql", sql=str(entry["sql"]).strip()))
            continue
        kinds = [k for k in ("unique", "not_null") if k in entry]
        if len(kinds) != 1 or not isinstance(entry[kinds[0]], list):
            raise _fail(path, f"invariant {entry!r} is not one of unique: [...], not_null: [...], sql: ...")
        names = tuple(entry[kinds[0]])
        unknown = [c for c in names if c not in columns]
        if unknown:
            raise _fail(path, f"invariant {kinds[0]} names unknown column(s) {', '.join(unknown)}")
        label = entry.get("name") or f"{kinds[0]}: {', '.join(names)}"
        if kinds[0] == "unique":
            label = entry.get("name") or f"one row per ({', '.join(names)})"
        found.append(Invariant(view, label, kinds[0], names))
    for column in columns.values():
        if column.values:
            label = f"{column.name} is one of {', '.join(column.values)}"
            found.append(Invariant(view, label, "accepted_values", (column.name,), column.values))
    return found


def _load(path: Path) -> View:
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _fail(path, f"cannot be read: {exc}") from exc
    if not isinstance(document, dict):
        raise _fail(path, "is not a mapping")
    folder = path.parent.name
    name = document.get("view")
    if not isinstance(name, str) or name.split(".")[0] != FOLDERS.get(folder) or name.split(".")[-1] != path.stem:
        raise _fail(path, f"'view' must be {FOLDERS.get(folder)}.{path.stem} (folder {folder}/ is that schema)")
    for key in ("grain", "description"):
        if not isinstance(document.get(key), str) or not document[key].strip():
            raise _fail(path, f"{key!r} must say it in words")
    columns: dict[str, Column] = {}
    for entry in document.get("columns") or []:
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("description"):
            raise _fail(path, f"column {entry!r} needs a name and a one-line description")
        columns[entry["name"]] = Column(entry["name"], str(entry["description"]), tuple(entry.get("values") or ()))
    if not columns:
        raise _fail(path, "lists no columns")
    return View(
        name=name,
        sql_name=f"views/{folder}/{path.stem}",
        grain=document["grain"].strip(),
        description=document["description"].strip(),
        depends_on=tuple(document.get("depends_on") or ()),
        columns=tuple(columns.values()),
        invariants=tuple(_invariants(name, document.get("invariants") or [], columns, path)),
    )


def creation_order(views: list[View]) -> list[View]:
    """The views ordered so each comes after every view it depends on (ties by name)."""
    by_name = {v.name: v for v in views}
    for view in views:
        unknown = [d for d in view.depends_on if d not in by_name]
        if unknown:
            raise PipelineError(f"{view.name} depends on {', '.join(unknown)}, which no manifest in sql/views declares")
    waiting = {v.name: set(v.depends_on) for v in views}
    ready = [name for name, deps in waiting.items() if not deps]
    heapq.heapify(ready)
    ordered: list[View] = []
    while ready:
        name = heapq.heappop(ready)
        ordered.append(by_name[name])
        for other, deps in waiting.items():
            if name in deps:
                deps.discard(name)
                if not deps:
                    heapq.heappush(ready, other)
    if len(ordered) != len(views):
        stuck = sorted(set(by_name) - {v.name for v in ordered})
        raise PipelineError(f"the views' depends_on form a cycle among {', '.join(stuck)}")
    return ordered


@functools.cache
def _views(sql_dir: str) -> tuple[View, ...]:
    root = Path(sql_dir) / "views"
    views = []
    for folder in FOLDERS:
        for sql_file in sorted((root / folder).glob("*.sql")):
            manifest = sql_file.with_suffix(".yml")
            if not manifest.is_file():
                raise PipelineError(f"{sql_file} has no manifest {manifest.name} beside it")
            views.append(_load(manifest))
        for manifest in sorted((root / folder).glob("*.yml")):
            if not manifest.with_suffix(".sql").is_file():
                raise PipelineError(f"{manifest} describes a view with no {manifest.stem}.sql")
    stray = sorted(p.name for p in root.glob("*.sql"))
    if stray:
        raise PipelineError(f"views must live in sql/views/results/ or sql/views/internal/: found {', '.join(stray)}")
    return tuple(creation_order(views))


def load_views(sql_dir: Path | None = None) -> list[View]:
    """Every view's manifest, in creation order."""
    return list(_views(str(sql_dir or PROJECT_ROOT / "sql")))


def invariant_query(invariant: Invariant) -> tuple[str, dict]:
    """(SQL, bound parameters) returning the rows that break the invariant; no rows = it holds."""
    from psycopg import sql as psql

    schema, name = invariant.view.split(".")
    relation = psql.Identifier(schema, name)
    columns = psql.SQL(", ").join(psql.Identifier(c) for c in invariant.columns)
    if invariant.kind == "sql":
        return invariant.sql, {}
    if invariant.kind == "unique":
        query = psql.SQL("select {c}, count(*) from {r} group by {c} having count(*) > 1").format(c=columns, r=relation)
        return query.as_string(None), {}
    if invariant.kind == "not_null":
        nulls = psql.SQL(" or ").join(psql.SQL("{} is null").format(psql.Identifier(c)) for c in invariant.columns)
        return psql.SQL("select * from {r} where {n}").format(r=relation, n=nulls).as_string(None), {}
    if invariant.kind == "accepted_values":
        column = psql.Identifier(invariant.columns[0])
        query = psql.SQL("select distinct {c} from {r} where {c} is not null and not ({c}::text = any(:allowed))")
        return query.format(c=column, r=relation).as_string(None), {"allowed": list(invariant.values)}
    raise PipelineError(f"unknown invariant kind {invariant.kind!r}")


def readme_table(views: list[View]) -> str:
    """The README's table of the analysts' views, from their manifests (alphabetical)."""
    lines = [README_BEGIN, "", "| view | one row per | columns | what for |", "| --- | --- | --- | --- |"]
    for view in sorted((v for v in views if v.name.startswith("results.")), key=lambda v: v.name):
        cells = [
            f"`{c.name}`" + (f" ({', '.join(f'`{v}`' for v in c.values)})" if c.values else "") for c in view.columns
        ]
        lines.append(f"| `{view.name}` | {view.grain} | {', '.join(cells)} | {view.description} |")
    return "\n".join([*lines, "", README_END])


def readme_with_table(readme: str, views: list[View]) -> str:
    """The README text with its generated view table replaced by the manifests' current one."""
    if readme.count(README_BEGIN) != 1 or readme.count(README_END) != 1:
        raise PipelineError("README.md must hold the view-table markers exactly once")
    head, rest = readme.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    return head + readme_table(views) + tail


def main(argv: list[str] | None = None) -> int:
    """`python -m pipeline.views --write-readme`: regenerate the README's view table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-readme", action="store_true", help="rewrite the table in README.md")
    args = parser.parse_args(argv)
    views = load_views()
    if not args.write_readme:
        print(readme_table(views))
        return 0
    readme = PROJECT_ROOT / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8"), views), encoding="utf-8")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
