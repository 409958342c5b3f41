"""Measures of a link chart's network: who is central, who brokers between groups, and which groups there are.

Definitions (as networkx computes them, on the undirected graph, one edge per linked pair):

- **degree**: how many others a node is linked to directly;
- **degree centrality**: degree / (n - 1), the share of the others it is linked to;
- **betweenness centrality**: the share of shortest paths between pairs of other nodes that pass through the
  node, normalised by the number of such pairs, (n - 1)(n - 2) / 2. A broker between groups scores high;
- **communities**: groups of nodes more densely linked inside than to the rest (Louvain modularity, seeded so
  the same network gives the same groups). Numbered from 1, largest first.

Examples
--------
>>> measures = NetworkMeasures().fit(["a", "b", "c", "d"], [("a", "b"), ("b", "c"), ("c", "d")])
>>> measures.degree_["b"], round(measures.degree_centrality_["b"], 3)
(2, 0.667)
>>> round(measures.betweenness_["b"], 3), measures.betweenness_["a"]
(0.667, 0.0)
>>> sorted(len(c) for c in measures.communities_)
[2, 2]
"""

import networkx as nx


class NetworkMeasures:
    """Degree, degree centrality, betweenness centrality and communities of an undirected network.

    Parameters
    ----------
    seed : int
        Seed of the community detection, so a network always gives the same groups.
    resolution : float
        Louvain resolution: above 1 favours smaller communities, below 1 larger ones.

    Attributes
    ----------
    degree_ : dict
        Node -> number of distinct neighbours.
    degree_centrality_ : dict
        Node -> degree / (n - 1).
    betweenness_ : dict
        Node -> normalised betweenness centrality.
    communities_ : list of set
        The communities, largest first.
    community_ : dict
        Node -> its community's number (1 is the largest).
    """

    def __init__(self, *, seed: int = 1, resolution: float = 1.0):
        self.seed, self.resolution = seed, resolution

    def fit(self, nodes, edges) -> "NetworkMeasures":
        graph = nx.Graph()
        graph.add_nodes_from(nodes)
        graph.add_edges_from((a, b) for a, b in edges if a != b)
        self.degree_ = dict(graph.degree())
        self.degree_centrality_ = nx.degree_centrality(graph) if len(graph) > 1 else dict.fromkeys(graph, 0.0)
        self.betweenness_ = nx.betweenness_centrality(graph, normalized=True)
        communities = (nx.community.louvain_communities(graph, seed=self.seed, resolution=self.resolution)
                       if graph.number_of_edges() else [{node} for node in graph])
        self.communities_ = sorted((set(c) for c in communities), key=lambda c: (-len(c), sorted(map(str, c))))
        self.community_ = {node: number for number, group in enumerate(self.communities_, start=1)
                           for node in group}
        return self
