"""The duplicate finder's accuracy and speed on a synthetic register whose truth is known (issue 12):

    .venv/bin/python bench/people.py [PEOPLE]

people.synthetic makes PEOPLE true people (default 100,000), 15% of them recorded two to four times with the
errors duplicate records carry (typos, transposed or missing dates of birth, nicknames, initials, moved or
missing addresses). stats.linkage.PersonLinker is trained on the records without labels and without any
identifier column, then pairs at a match probability of 0.9 or more are compared with the truth.

Printed: pairwise precision, recall and F1; how many true pairs share nothing but a name (no model can find
those without also matching different people of that name) and recall over the rest; recall by the errors a
true pair carries; the time to build the comparison columns and to train and score (the dedupe, timed on its
own; generating the population is not part of it); peak memory. Targets (issue 12): precision and recall each
at least 0.99, dedupe under 60 s.
Exit status 1 if a target fails.
"""

import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcdhub.people.matching import linkage_columns  # noqa: E402
from vcdhub.people.synthetic import make_population  # noqa: E402
from vcdhub.stats.linkage import BLOCKING, PersonLinker  # noqa: E402

THRESHOLD = 0.9
TARGET_PRECISION = TARGET_RECALL = 0.99
TARGET_SECONDS = 60
SEED = 2026


def main(size: int) -> int:
    population = make_population(size, seed=SEED)
    truth = population.true_pairs()
    records = [{k: v for k, v in r.items() if k != "identifiers"} for r in population.records]  # no identifiers
    started = time.perf_counter()
    columns = linkage_columns(records)
    linker = PersonLinker(THRESHOLD).fit(columns)
    seconds = time.perf_counter() - started
    found = {(p.left, p.right) for p in linker.pairs_}
    blocked = blocking_recall(columns, truth)
    hits = len(found & truth)
    precision = hits / len(found) if found else float("nan")
    recall = hits / len(truth)
    f1 = 2 * precision * recall / (precision + recall)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Duplicate people: {size:,} true people in {len(records):,} records "
          f"({population.duplicate_rate:.1%} recorded more than once), {len(truth):,} true pairs")
    print(f"  at a threshold of {THRESHOLD}: {len(found):,} pairs found, {hits:,} of them true")
    print(f"  precision {precision:.4f}  recall {recall:.4f}  F1 {f1:.4f}  (targets: {TARGET_PRECISION} each)")
    print(f"  blocking: {blocked:.4f} of the true pairs agree on every column of at least one blocking rule "
          "(the most recall can be)")
    print(f"  dedupe {seconds:.1f} s (columns and Splink's training and scoring; target under {TARGET_SECONDS} s), "
          f"peak memory {peak:,.0f} MiB")
    by_source = {r["source_id"]: r for r in population.records}
    name_only = {pair for pair in truth if shares_only_a_name(by_source[pair[0]], by_source[pair[1]])}
    print(f"  {len(name_only):,} true pairs ({len(name_only) / len(truth):.1%}) share nothing but a name and sex "
          "(a date of birth missing on one side, and no address or another postcode district): "
          f"{len(found & name_only):,} of them found")
    rest = truth - name_only
    print(f"  recall over the other {len(rest):,} true pairs: {len(found & rest) / len(rest):.4f}")
    pairs, missed = Counter(), Counter()
    for left, right in truth:
        errors = " + ".join(sorted(set(by_source[left]["errors"]) | set(by_source[right]["errors"]))) or "none"
        pairs[errors] += 1
        missed[errors] += (left, right) not in found
    print("  recall by the errors a true pair carries (the ten most missed):")
    for errors, n in missed.most_common(10):
        print(f"    {errors:<50} {pairs[errors] - n:>6,} of {pairs[errors]:>6,} found ({1 - n / pairs[errors]:.1%})")
    failed = precision < TARGET_PRECISION or recall < TARGET_RECALL or seconds > TARGET_SECONDS
    print("  " + ("FAIL" if failed else "pass"))
    return 1 if failed else 0


def shares_only_a_name(left: dict, right: dict) -> bool:
    """No date of birth to compare, and no address near enough to count for them."""
    if left["date_of_birth"] and right["date_of_birth"]:
        return False
    if not left["postcode"] or not right["postcode"]:
        return True
    return left["postcode"].split()[0] != right["postcode"].split()[0]


def blocking_recall(columns: dict, truth: set) -> float:
    """The share of true pairs that some blocking rule (stats.linkage.BLOCKING) puts up for scoring."""
    index = {uid: i for i, uid in enumerate(columns["unique_id"])}

    def agree(i, j, rule):
        return all(columns[c][i] is not None and columns[c][i] == columns[c][j] for c in rule)

    reached = sum(any(agree(index[a], index[b], rule) for rule in BLOCKING) for a, b in truth)
    return reached / len(truth)


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
