"""Probabilistic record linkage of person records (Splink, with its DuckDB backend), trained without labels.

The model compares given names (exact, close in spelling, a nickname of each other, an initial), surnames (also
against aliases), dates of birth (exact, one digit off, day and month swapped, close), postcodes (whole, sector,
district) and streets. It is trained on the records themselves: the chance that two random records match from
rules that are near-certain, the u probabilities from random pairs, and the m probabilities by expectation
maximisation in two blocked passes. Candidate pairs come from several blocking rules, so that no one field (a
national identifier, or even the date of birth) has to be present for a pair to be found.

Examples
--------
>>> columns = {
...     "unique_id": ["a", "b", "c"], "given_name": ["jon", "jonathan", "mary"],
...     "given_forms": [["john", "jon", "jonathan"], ["jon", "jonathan"], ["mary"]],
...     "given_sound": ["JN", "JN0N", "MR"], "given_initial": ["j", "j", "m"], "surname": ["smith", "smyth", "jones"],
...     "surnames": [["smith"], ["smyth"], ["jones"]], "surname_sound": ["SM0", "SM0", "JNS"],
...     "birth_date": ["1984-03-07", "1984-03-07", "1990-01-01"], "birth_year": [1984, 1984, 1990],
...     "sex": ["male", "male", "female"], "postcode": ["SW2 1AA", "SW2 1AA", "N1 2BB"],
...     "street": ["acre lane", "acre lane", "upper street"],
...     "identifiers": [[], [], []]}
>>> linker = PersonLinker(threshold=0.9, train=False).fit(columns)
>>> [(p.left, p.right) for p in linker.pairs_]
[('a', 'b')]
>>> linker.clusters_
[['a', 'b']]
"""

import itertools
import logging
import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

# Candidate pairs: records that agree on every column of at least one of these. No rule needs an identifier, and
# each error a duplicate carries (a typo, a nickname, a moved address, a wrong or missing date of birth) leaves
# at least one rule that still holds (bench/people.py measures how many true pairs they reach).
BLOCKING = (("birth_date",), ("surname_sound", "birth_year"), ("given_sound", "surname_sound"),
            ("postcode", "given_initial"), ("surname", "given_initial"))
# Near-certain rules: how many records agree on them sets the chance that two random records are one person.
DETERMINISTIC = (("given_name", "surname", "birth_date"), ("surname", "birth_date", "postcode"))
DESCRIPTIONS = {"given_name": "given name", "surname": "surname", "birth_date": "date of birth",
                "sex": "sex", "postcode": "postcode", "street": "street"}


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    probability: float
    driver: str  # the comparison that added most weight, and how it matched ("surname: exact")
    evidence: tuple[tuple[str, str, float], ...] = field(default=())  # (comparison, level, match weight)


def _settings():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    given = cl.CustomComparison(output_column_name="given_name",
                                comparison_levels=[
        cll.NullLevel("given_name"),
        cll.ExactMatchLevel("given_name").configure(tf_adjustment_column="given_name", label_for_charts="the same"),
        cll.JaroWinklerLevel("given_name", 0.92).configure(label_for_charts="spelt almost the same"),
        cll.ArrayIntersectLevel("given_forms", 1).configure(label_for_charts="a nickname of the other"),
        cll.CustomLevel("(length(given_name_l) = 1 or length(given_name_r) = 1) and "
                        "substr(given_name_l, 1, 1) = substr(given_name_r, 1, 1)", label_for_charts="initial"),
        cll.JaroWinklerLevel("given_name", 0.8).configure(label_for_charts="spelt alike"),
        cll.ElseLevel().configure(label_for_charts="different"),
    ])
    surname = cl.CustomComparison(output_column_name="surname",
                                  comparison_levels=[
        cll.NullLevel("surname"),
        cll.ExactMatchLevel("surname").configure(tf_adjustment_column="surname", label_for_charts="the same"),
        cll.ArrayIntersectLevel("surnames", 1).configure(label_for_charts="one of the other's names"),
        cll.JaroWinklerLevel("surname", 0.92).configure(label_for_charts="spelt almost the same"),
        cll.CustomLevel("surname_sound_l = surname_sound_r", label_for_charts="sounds the same"),
        cll.JaroWinklerLevel("surname", 0.8).configure(label_for_charts="spelt alike"),
        cll.ElseLevel().configure(label_for_charts="different"),
    ])
    birth = cl.CustomComparison(output_column_name="birth_date",
                                comparison_levels=[
        cll.NullLevel("birth_date"),
        cll.ExactMatchLevel("birth_date").configure(label_for_charts="the same"),
        cll.CustomLevel("substr(birth_date_l, 1, 4) = substr(birth_date_r, 1, 4) and "
                        "substr(birth_date_l, 6, 2) = substr(birth_date_r, 9, 2) and "
                        "substr(birth_date_l, 9, 2) = substr(birth_date_r, 6, 2)",
                        label_for_charts="day and month swapped"),
        cll.DamerauLevenshteinLevel("birth_date", 1).configure(label_for_charts="one digit off"),
        cll.CustomLevel("birth_year_l = birth_year_r", label_for_charts="same year"),
        cll.ElseLevel().configure(label_for_charts="different"),
    ])
    postcode = cl.CustomComparison(output_column_name="postcode",
                                   comparison_levels=[
        cll.NullLevel("postcode"),
        cll.ExactMatchLevel("postcode").configure(label_for_charts="the same"),
        cll.DamerauLevenshteinLevel("postcode", 1).configure(label_for_charts="one character off"),
        cll.CustomLevel("split_part(postcode_l, ' ', 1) = split_part(postcode_r, ' ', 1)",
                        label_for_charts="same district"),
        cll.ElseLevel().configure(label_for_charts="different"),
    ])
    sex = cl.CustomComparison(output_column_name="sex", comparison_levels=[
        cll.NullLevel("sex"), cll.ExactMatchLevel("sex").configure(label_for_charts="the same"),
        cll.ElseLevel().configure(label_for_charts="different")])
    street = cl.CustomComparison(output_column_name="street",
                                 comparison_levels=[
        # In another postcode district the street says nothing new: the postcode has counted the move against
        # the pair, and counting it twice would sink every pair whose person moved.
        cll.CustomLevel("street_l is null or street_r is null or "
                        "split_part(postcode_l, ' ', 1) <> split_part(postcode_r, ' ', 1)").configure(
            is_null_level=True, label_for_charts="unknown, or in another district"),
        cll.ExactMatchLevel("street").configure(label_for_charts="the same"),
        # A move within the district: too rare in training for EM to estimate (it drives m to zero), so fixed.
        cll.ElseLevel().configure(label_for_charts="different, in the same district", m_probability=0.05,
                                  fix_m_probability=True),
    ])
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[given, surname, birth, sex, postcode, street],
        blocking_rules_to_generate_predictions=[block_on(*columns) for columns in BLOCKING],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=False,
        additional_columns_to_retain=[],
    )


class PersonLinker:
    """Score pairs of person records as the same person, and group them.

    The columns are those `people.matching.linkage_columns` makes: unique_id, given_name, given_forms (the name's
    nicknames and formal forms), given_sound, given_initial, surname, surnames (with aliases), surname_sound,
    birth_date (YYYY-MM-DD or null), birth_year, sex, postcode, street, identifiers.

    Parameters
    ----------
    threshold : float
        The lowest match probability a pair needs to be reported and clustered.
    train : bool
        Estimate the model from the records (unsupervised). Without training, Splink's starting values are
        used: only for tiny inputs such as the example above.
    seed : int
        Seed for the random sampling of u probabilities, so a run can be repeated.
    u_pairs : float, optional
        How many random pairs the u probabilities are estimated from, the largest part of the time to train. By
        default 30 per record, from 200,000 to 1,000,000 (a larger sample changed no reported pair in the
        benchmark's populations).

    Attributes
    ----------
    pairs_ : list of Pair
        Pairs at or above the threshold, most probable first.
    clusters_ : list of list of str
        Groups of two or more ids joined by those pairs (connected components), each sorted.
    match_weights_ : dict
        Each comparison's levels and their trained match weights (log2 Bayes factors).
    rule_recall_ : float
        The share of true pairs the near-certain rules find, as the trained model puts it; the chance that two
        random records are one person is estimated from it (only when trained).
    """

    def __init__(self, threshold: float = 0.9, *, train: bool = True, seed: int = 1, u_pairs: float | None = None):
        if not 0 < threshold < 1:
            raise ValueError("threshold must be between 0 and 1")
        self.threshold, self.train, self.seed, self.u_pairs = threshold, train, seed, u_pairs

    def fit(self, columns: dict[str, list]) -> "PersonLinker":
        from splink import DuckDBAPI, Linker, block_on

        for logger in ("splink", "splink.internals"):
            logging.getLogger(logger).setLevel(logging.ERROR)  # "level not observed": expected, not news
        ids = columns["unique_id"]
        if len(set(ids)) != len(ids):
            raise ValueError("unique_id values must be unique")
        self.pairs_, self.clusters_, self.match_weights_, self.rule_recall_ = [], [], {}, None
        if len(ids) < 2:
            return self
        api = DuckDBAPI()
        table = pa.table(columns)
        frame = api.register(table, dataset_display_name="people")
        linker = Linker(frame, _settings(), log_level=logging.WARNING)
        if self.train:
            training = linker.training
            deterministic = [block_on(*rule) for rule in DETERMINISTIC]
            training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
            u_pairs = self.u_pairs or min(max(30 * len(ids), 2e5), 1e6)
            training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=self.seed)
            training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
            training.estimate_parameters_using_expectation_maximisation(block_on("surname", "given_name"))
            # 0.8 was a guess at how many true pairs the near-certain rules find. The trained m probabilities
            # say how many they find: estimate the chance of a match again with that.
            self.rule_recall_ = _rule_recall(linker, columns)
            training.estimate_probability_two_random_records_match(deterministic, recall=self.rule_recall_)
        predictions = linker.inference.predict(threshold_match_probability=self.threshold, warning_mode="never")
        scored = predictions.as_pyarrow_table()
        self.match_weights_ = _weights(linker)
        self.pairs_ = _pairs(scored, self.match_weights_)
        self.clusters_ = _components([(p.left, p.right) for p in self.pairs_])
        return self


def _rule_recall(linker, columns: dict[str, list]) -> float:
    """The share of true pairs the DETERMINISTIC rules find, from the trained model: a rule holds for a true pair
    when both records have each of its columns and agree exactly, taking the columns as independent (Splink's own
    assumption) and the rules' overlap by inclusion and exclusion. Clamped to [0.05, 1]."""
    exact = {}
    for comparison in linker._settings_obj.comparisons:
        levels = [level for level in comparison.comparison_levels if not level.is_null_level]
        exact[comparison.output_column_name] = levels[0].m_probability
    present = {column: sum(value is not None for value in columns[column]) / len(columns[column])
               for rule in DETERMINISTIC for column in rule}
    recall = 0.0
    for k in range(1, len(DETERMINISTIC) + 1):
        for rules in itertools.combinations(DETERMINISTIC, k):
            needed = set().union(*rules)
            recall += (-1) ** (k + 1) * math.prod(exact[c] * present[c] ** 2 for c in needed)
    return min(max(recall, 0.05), 1.0)


def _weights(linker) -> dict[str, tuple[str, list[tuple[str, float]]]]:
    """{comparison column: (description, [(level label, match weight), ...])}, null levels left out."""
    weights = {}
    for comparison in linker._settings_obj.comparisons:
        levels = [(level.label_for_charts, float(np.log2(level._bayes_factor)) if level._bayes_factor else -99.0)
                  for level in comparison.comparison_levels if not level.is_null_level]
        column = comparison.output_column_name
        weights[column] = (DESCRIPTIONS.get(column, column), levels)
    return weights


def _pairs(scored: pa.Table, weights: dict) -> list[Pair]:
    """Pairs from Splink's predictions. Splink gives each comparison's match weight (`mw_<column>`); the level
    it came from is the one with that weight (a null level weighs 0 and is left out of the evidence)."""
    pairs = []
    for row in scored.to_pylist():
        left, right = sorted((str(row["unique_id_l"]), str(row["unique_id_r"])))
        evidence = []
        for column, (description, levels) in weights.items():
            weight = row.get(f"mw_{column}")
            if weight is None:
                continue
            label = min(levels, key=lambda level: abs(level[1] - weight))[0]
            if weight == 0 and all(abs(w) > 1e-9 for _, w in levels):
                continue  # the null level: nothing known
            total = weight + (row.get(f"mw_tf_adj_{column}") or 0.0)
            evidence.append((description, label, round(total, 2)))
        top = max(evidence, key=lambda e: e[2], default=None)
        driver = f"{top[0]}: {top[1]}" if top else ""
        pairs.append(Pair(left, right, float(row["match_probability"]), driver, tuple(evidence)))
    pairs.sort(key=lambda p: (-p.probability, p.left, p.right))
    return pairs


def _components(edges: list[tuple[str, str]]) -> list[list[str]]:
    import networkx as nx

    graph = nx.Graph()
    graph.add_edges_from(edges)
    return sorted((sorted(component) for component in nx.connected_components(graph)), key=lambda c: c[0])
