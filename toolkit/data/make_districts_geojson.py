"""Make ``districts.geojson``: the eight districts of the fictional municipality, deterministic.

The municipality is a 3 x 3 block of cells on a coast that runs north-south
on its east side (Nordby fills two cells in the north). Every shared boundary
is one polyline used by both neighbours (reversed for one of them), so the
districts tile the municipality without gaps or overlaps. Boundaries wiggle
by fixed pseudo-random offsets (seeded per edge), the coastline more than the
inland boundaries, with a bay at Strandvig. Coordinates are longitude and
latitude (WGS 84, RFC 7946), somewhere in Jutland; none of it is a real place.

Run from the repository root to rewrite the bundled file byte for byte::

    python toolkit/data/make_districts_geojson.py toolkit/data/districts.geojson

Examples
--------
>>> collection = feature_collection()
>>> [f["properties"]["name"] for f in collection["features"]][:3]
['Nordby', 'Strandvig', 'Kildemose']
"""

from __future__ import annotations

import json
import sys

import numpy as np

#: district code -> (name, the (column, row) cells it covers; column 2 is on the coast, row 2 is north)
DISTRICTS = {
    1: ("Nordby", [(0, 2), (1, 2)]),
    2: ("Strandvig", [(2, 2)]),
    3: ("Kildemose", [(1, 0)]),
    4: ("Bakkehøj", [(2, 0)]),
    5: ("Havnestad", [(2, 1)]),
    6: ("Egelund", [(1, 1)]),
    7: ("Vestervang", [(0, 1)]),
    8: ("Lyngdal", [(0, 0)]),
}
COLUMNS, ROWS = 3, 3
ORIGIN, CELL = (9.90, 56.05), (0.075, 0.045)  # degrees; a cell is about 4.7 x 5 km
SUBDIVISIONS = 5


def _corner(i: int, j: int) -> np.ndarray:
    """A lattice corner, nudged inland; corners on the outline move only along it."""
    rng = np.random.default_rng(1000 + 10 * i + j)
    dx, dy = rng.uniform(-0.15, 0.15, size=2)
    dx = 0.0 if i in (0, COLUMNS) else dx
    dy = 0.0 if j in (0, ROWS) else dy
    return np.array([i + dx, j + dy])


def _edge(a: tuple[int, int], b: tuple[int, int]) -> np.ndarray:
    """Points from corner ``a`` to corner ``b`` (both included); the same points for (b, a), reversed."""
    if b < a:
        return _edge(b, a)[::-1]
    start, end = _corner(*a), _corner(*b)
    t = np.linspace(0, 1, SUBDIVISIONS + 2)
    points = start + np.outer(t, end - start)
    normal = np.array([-(end - start)[1], (end - start)[0]])
    coast = a[0] == b[0] == COLUMNS
    rng = np.random.default_rng(7919 * (a[0] + 1) + 613 * (a[1] + 1) + 31 * (b[0] + 1) + (b[1] + 1))
    amplitude = 0.12 if coast else 0.06
    offsets = rng.uniform(-amplitude, amplitude, size=t.size) * np.sin(np.pi * t)
    if coast and a[1] == 2:  # the bay of Strandvig bites into the land
        offsets += 0.35 * np.sin(np.pi * t) ** 2
    return points + np.outer(offsets, normal)


def _boundary(cells: list[tuple[int, int]]) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Directed corner-to-corner edges around the cells, counter-clockwise, shared inner edges removed."""
    edges = []
    for c, r in cells:
        corners = [(c, r), (c + 1, r), (c + 1, r + 1), (c, r + 1)]
        edges += [(corners[k], corners[(k + 1) % 4]) for k in range(4)]
    inner = {e for e in edges if (e[1], e[0]) in edges}
    outer = [e for e in edges if e not in inner]
    ring = [outer.pop(0)]
    while outer:
        ring.append(next(e for e in outer if e[0] == ring[-1][1]))
        outer.remove(ring[-1])
    return ring


def _ring(cells: list[tuple[int, int]]) -> list[list[float]]:
    points = np.vstack([_edge(a, b)[:-1] for a, b in _boundary(cells)])
    points = np.vstack([points, points[:1]])
    lon = ORIGIN[0] + points[:, 0] * CELL[0]
    lat = ORIGIN[1] + points[:, 1] * CELL[1]
    return [[round(float(x), 5), round(float(y), 5)] for x, y in zip(lon, lat, strict=True)]


def feature_collection() -> dict:
    """The districts as a GeoJSON FeatureCollection (properties ``district``, ``name``).

    Examples
    --------
    >>> feature = feature_collection()["features"][0]
    >>> feature["properties"], feature["geometry"]["type"]
    ({'district': 1, 'name': 'Nordby'}, 'Polygon')
    """
    features = [{"type": "Feature", "properties": {"district": code, "name": name},
                 "geometry": {"type": "Polygon", "coordinates": [_ring(cells)]}}
                for code, (name, cells) in DISTRICTS.items()]
    return {"type": "FeatureCollection", "name": "districts", "features": features}


def main(path: str) -> None:
    """Write the collection to ``path`` (UTF-8, one feature per line).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "districts.geojson"
    >>> main(str(out))
    >>> out.read_text(encoding="utf-8").count('"Feature"')
    8
    """
    collection = feature_collection()
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in collection["features"]]
    text = '{"type":"FeatureCollection","name":"districts","features":[\n' + ",\n".join(lines) + "\n]}\n"
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "toolkit/data/districts.geojson")
