"""Spatial weights for areas (LSOAs, wards, boroughs), built by libpysal and keyed by area code.

    w = contiguity_weights(codes, polygons)  # Queen contiguity, w.id_order == codes
    w.islands                                # codes of areas with no neighbours

Islands are reported, never dropped or patched: `w.islands` lists them, libpysal warns when it builds
the weights, and the local statistics in `vcdhub.stats.hotspots` label them "no neighbours" with no
statistic or p-value (a local statistic compares an area with its neighbours; an island has none).
"""

from collections import Counter
from collections.abc import Sequence

import geopandas
from libpysal.graph import Graph
from libpysal.weights import WSP, W
from shapely.geometry.base import BaseGeometry


def contiguity_weights(codes: Sequence[str], geometries: Sequence[BaseGeometry], *, rook: bool = False) -> W:
    """Binary contiguity weights between areas: Queen (a shared boundary point) or Rook (a shared edge).

    Parameters
    ----------
    codes : sequence of str
        Area codes, one per geometry and all different. They become the weights' ids, in this order.
    geometries : sequence of shapely Polygon or MultiPolygon
        Area boundaries, in any one coordinate reference system (only the topology is used).
    rook : bool, default False
        Neighbours must share an edge (Rook) rather than just a point (Queen).

    Returns
    -------
    libpysal.weights.W
        Binary weights with ``id_order`` equal to `codes`. ``W.islands`` lists the areas with no neighbours.

    Notes
    -----
    Queen: ``libpysal.graph.Graph.build_fuzzy_contiguity`` with no buffer, so two areas are neighbours when
    their boundaries share any point (shapely's ``intersects``). Rook:
    ``Graph.build_contiguity(rook=True, strict=False)``, libpysal's vertex-set rule, two consecutive shared
    vertices. On London's 4,835 LSOAs both give exactly the neighbours of ``libpysal.weights.Queen`` and
    ``Rook.from_dataframe``; Queen takes about 0.15 s against 0.4 s (Rook about 0.5 s). ``intersects`` also
    links the areas that meet where a vertex of one lies mid-edge of the other, which vertex matching misses,
    and keeps neighbours whose generalised boundaries overlap by a sliver (one pair in London), which
    ``strict=True`` drops. ``Queen.from_iterable`` is avoided: it sorts the ids, whatever order they come in.

    Examples
    --------
    >>> from shapely.geometry import box
    >>> w = contiguity_weights(["b", "a", "c", "far"],
    ...                        [box(0, 0, 1, 1), box(1, 0, 2, 1), box(1, 1, 2, 2), box(5, 5, 6, 6)])
    >>> w.id_order
    ['b', 'a', 'c', 'far']
    >>> sorted(w.neighbors["b"]), w.islands
    (['a', 'c'], ['far'])
    >>> sorted(contiguity_weights(["b", "a", "c"], [box(0, 0, 1, 1), box(1, 0, 2, 1), box(1, 1, 2, 2)],
    ...                           rook=True).neighbors["b"])  # b and c only share a corner
    ['a']
    """
    codes, geometries = list(codes), list(geometries)
    if len(codes) != len(geometries):
        raise ValueError(f"{len(codes)} codes but {len(geometries)} geometries")
    if not codes:
        raise ValueError("no areas")
    repeated = sorted(code for code, n in Counter(codes).items() if n > 1)
    if repeated:
        raise ValueError(f"area codes must be unique; repeated: {', '.join(map(str, repeated[:5]))}")
    for code, geometry in zip(codes, geometries, strict=True):
        if geometry is None or geometry.is_empty or geometry.geom_type not in ("Polygon", "MultiPolygon"):
            kind = "no geometry" if geometry is None else f"an empty or non-areal {geometry.geom_type}"
            raise ValueError(f"area {code} has {kind}; contiguity needs a Polygon or MultiPolygon")
    areas = geopandas.GeoSeries(geometries, index=codes)
    graph = Graph.build_contiguity(areas, rook=True, strict=False) if rook else Graph.build_fuzzy_contiguity(areas)
    # Rows and columns follow `codes`. Graph keeps an island as a zero-weight link to itself; drop it, or the
    # W would count the island as its own neighbour. WSP -> W takes a few ms, Graph.to_W ~180 ms.
    adjacency = graph.sparse.tocsr(copy=True)
    adjacency.eliminate_zeros()
    return WSP(adjacency, id_order=codes).to_W()
