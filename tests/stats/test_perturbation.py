"""Cell key perturbation (stats.perturbation) against the ONS package `cell-key-perturbation`, which applies the
same method to microdata: the same ptable and the same record keys must give the same table."""

import contextlib
import doctest
import io

import numpy as np
import pandas as pd
import pytest
from cell_key_perturbation.create_perturbed_table import create_perturbed_table
from cell_key_perturbation.utils.generate_test_ptable import generate_ptable_10_5_rule
from hypothesis import given, settings
from hypothesis import strategies as st

from vcdhub.stats import perturbation
from vcdhub.stats.perturbation import CellKeyPerturbation, PerturbationTable


def _ons_table(micro: pd.DataFrame, ptable: pd.DataFrame) -> pd.DataFrame:
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints its validation
        return create_perturbed_table(micro, ptable, geog=["area"], tab_vars=["kind"], record_key="record_key",
                                      use_existing_ons_id=False, threshold=0)


def _ours(micro: pd.DataFrame, table: PerturbationTable) -> pd.DataFrame:
    """The same table from pre-aggregated cells, as vcdhub counts them: (count, key sum) per cell."""
    cells = micro.groupby(["area", "kind"]).agg(n=("record_key", "size"), keys=("record_key", "sum")).reset_index()
    ckp = CellKeyPerturbation(table).fit(cells["n"], cells["keys"])
    return cells.assign(count=ckp.perturbed_)[["area", "kind", "count"]]


@pytest.mark.parametrize("ptable", ["balanced", "ons-10-5"])
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), records=st.integers(1, 3000), areas=st.integers(1, 12))
def test_perturbed_cells_equal_the_ons_packages_table_for_the_same_records(ptable, seed, records, areas):
    rng = np.random.default_rng(seed)
    micro = pd.DataFrame({"area": rng.integers(0, areas, records).astype(str),
                          "kind": rng.choice(["robbery", "burglary", "weapons"], records),
                          "record_key": rng.integers(0, 256, records)})
    if ptable == "balanced":
        table = PerturbationTable.balanced(2, seed=seed % 1000)
        frame = pd.DataFrame(table.columns())
    else:  # the package's own example ptable (rounding to base 5 with a threshold of 10)
        frame = generate_ptable_10_5_rule()
        table = PerturbationTable.from_columns(frame["pcv"], frame["ckey"], frame["pvalue"])
    expected = _ons_table(micro, frame)
    expected = expected[expected["pre_sdc_count"] > 0][["area", "kind", "count"]]
    got = _ours(micro, table)
    merged = expected.merge(got, on=["area", "kind"], suffixes=("_ons", "_ours"), how="outer")
    assert len(merged) == len(got) == len(expected)
    assert (merged["count_ons"].astype("Int64").fillna(0).to_numpy() == merged["count_ours"].to_numpy()).all()


def test_counts_beyond_the_table_reuse_its_last_rows_as_the_ons_package_does():
    micro = pd.DataFrame({"area": ["a"] * 1001 + ["b"] * 751, "kind": ["x"] * 1752,
                          "record_key": np.arange(1752) % 256})
    table = PerturbationTable.balanced(2, seed=3)
    expected = _ons_table(micro, pd.DataFrame(table.columns()))
    got = _ours(micro, table)
    assert sorted(expected["count"].astype(int)) == sorted(got["count"])


def test_the_balanced_table_is_unbiased_bounded_and_never_negative():
    table = PerturbationTable.balanced(3, seed=11)
    assert (table.pvalues[1:].sum(axis=1) == 0).all()
    assert np.abs(table.pvalues).max() == 3
    counts = np.arange(table.max_pcv + 1)[:, None]
    assert (counts + table.pvalues >= 0).all()
    assert table.pvalues[1].min() == -1  # a count of one may become zero, so a zero proves nothing
    assert not (PerturbationTable.balanced(3, seed=12).pvalues == table.pvalues).all()


def test_a_ptable_with_a_missing_cell_or_a_negative_result_is_refused():
    frame = pd.DataFrame(PerturbationTable.balanced(1, seed=1).columns())
    with pytest.raises(ValueError, match="every pcv"):
        PerturbationTable.from_columns(frame["pcv"][1:], frame["ckey"][1:], frame["pvalue"][1:])
    bad = frame.copy()
    bad.loc[(bad["pcv"] == 1) & (bad["ckey"] == 0), "pvalue"] = -2
    with pytest.raises(ValueError, match="negative"):
        PerturbationTable.from_columns(bad["pcv"], bad["ckey"], bad["pvalue"])


def test_docstring_examples_run():
    result = doctest.testmod(perturbation, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 5 and result.failed == 0
