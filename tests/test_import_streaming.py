"""Large files are checked and written a block at a time (vcdhub.ingest.streaming), with the same result as a
file checked whole: the same rows, all-or-nothing, bad rows named by line, re-imports unchanged, and
supersession across blocks. The settings are made small here so that a small real file takes many blocks."""

import hashlib
from collections import Counter

import pytest

from tests.conftest import read_rows, write_csv
from vcdhub.crime import cells
from vcdhub.crime.models import Crime, CrimeCell, ImportBatch
from vcdhub.ingest import one_file, streaming
from vcdhub.ingest.files import SourceFile
from vcdhub.ingest.pipeline import run_import

pytestmark = pytest.mark.django_db

ROW_FIELDS = ("crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location", "lsoa_code",
              "lsoa_name", "crime_type", "last_outcome_category", "context", "lsoa_id", "ward_id", "borough_id")


@pytest.fixture
def in_blocks(settings):
    """Any file over 20 KB is written in blocks of about 8 KB (about 40 rows)."""
    settings.VCDHUB_IMPORT_WHOLE_FILE_BYTES = 20_000
    settings.VCDHUB_IMPORT_BLOCK_BYTES = 8_000


@pytest.fixture
def block_heights(monkeypatch):
    """The number of rows in each block written, in order."""
    heights = []
    real = one_file._insert

    def counting(parsed, *args, **kwargs):
        heights.append(parsed.rows_read)
        return real(parsed, *args, **kwargs)

    monkeypatch.setattr(one_file, "_insert", counting)
    return heights


def _rows():
    return Counter(Crime.objects.values_list(*ROW_FIELDS))


def _import(*paths):
    return run_import(list(paths), actor="test:importer")


def test_a_large_file_is_written_in_blocks_with_the_rows_a_whole_file_gives(london, street_sample, settings,
                                                                            block_heights):
    path = street_sample(1500)
    whole = _import(path)
    assert block_heights == [1500]  # under the default threshold: checked whole, one block
    expected, batch = _rows(), ImportBatch.objects.get()
    Crime.objects.all().delete()
    ImportBatch.objects.all().delete()
    block_heights.clear()
    settings.VCDHUB_IMPORT_WHOLE_FILE_BYTES = 20_000
    settings.VCDHUB_IMPORT_BLOCK_BYTES = 8_000

    summary = _import(path)

    [result] = summary.files
    assert (result.status, result.rows_read, result.rows_imported) == ("imported", 1500, 1500)
    assert len(block_heights) > 10 and max(block_heights) < 100 and sum(block_heights) == 1500
    assert _rows() == expected
    streamed = ImportBatch.objects.get()
    assert (streamed.sha256, streamed.periods, streamed.force, streamed.month, streamed.rows) == (
        batch.sha256, batch.periods, batch.force, batch.month, batch.rows)
    assert result.periods == whole.files[0].periods
    assert cells.drift() == []


def test_a_bad_row_in_the_last_block_rejects_the_whole_file_by_line_number(london, tmp_path, demo_file, in_blocks):
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    rows = [list(r) for r in rows[:1200]]
    rows[1150][1] = "2017-13"  # the month of line 1152 (the header is line 1)
    path = write_csv(tmp_path / "2017-07-metropolitan-street.csv", header, rows)

    summary = _import(path)

    [result] = summary.files
    assert result.status == "rejected"
    assert [(e.line, e.column) for e in result.errors] == [(1152, "Month")]
    assert Crime.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert CrimeCell.objects.count() == 0


def test_reimporting_a_large_file_changes_nothing(london, street_sample, in_blocks, block_heights):
    path = street_sample(900)
    _import(path)
    before = list(Crime.objects.order_by("pk").values_list("pk", "batch_id"))
    block_heights.clear()
    summary = _import(path)
    assert [f.status for f in summary.files] == ["unchanged"]
    assert block_heights == []  # hashed only, never parsed
    assert list(Crime.objects.order_by("pk").values_list("pk", "batch_id")) == before


def test_a_republished_file_of_two_months_supersedes_across_blocks(london, tmp_path, demo_file, in_blocks,
                                                                     block_heights):
    """The months meet in different blocks: each month's older rows go as it is first met (never again, or
    the file's own rows would go), and the older file is marked superseded once both are covered."""
    header, july = read_rows(demo_file("2017-07", "metropolitan-street"))
    _, august = read_rows(demo_file("2017-08", "metropolitan-street"))
    old = write_csv(tmp_path / "old" / "both.csv", header, july[:300] + august[:300])
    new = write_csv(tmp_path / "new" / "both.csv", header, july[300:800] + august[300:800])
    _import(old)
    block_heights.clear()

    [result] = _import(new).files

    assert result.status == "imported" and result.rows_replaced == 600
    assert len(block_heights) > 4
    assert Counter(m.isoformat() for m in Crime.objects.values_list("month", flat=True)) == {
        "2017-07-01": 500, "2017-08-01": 500}
    first, second = ImportBatch.objects.order_by("pk")
    assert first.superseded_by_id == second.pk and second.superseded_by_id is None
    assert set(Crime.objects.values_list("batch_id", flat=True)) == {second.pk}
    assert result.periods == [["Metropolitan Police Service", "2017-07"], ["Metropolitan Police Service", "2017-08"]]
    assert cells.drift() == []


def test_a_large_file_the_fast_path_cannot_take_goes_to_the_row_parser(london, tmp_path, demo_file, in_blocks):
    """A location with a line break inside quotes is legal CSV, which only the row parser reads."""
    header, rows = read_rows(demo_file("2017-07", "metropolitan-street"))
    rows = [list(r) for r in rows[:700]]
    rows[600][6] = "On or near\nHigh Street"
    path = write_csv(tmp_path / "2017-07-metropolitan-street.csv", header, rows)
    [result] = _import(path).files
    assert (result.status, result.rows_imported) == ("imported", 700)
    assert Crime.objects.filter(location="On or near\nHigh Street").count() == 1


def test_a_file_that_changes_between_its_hash_and_its_write_is_rejected_whole(london, street_sample, in_blocks):
    path = street_sample(600)
    original = path.read_bytes()
    reads = []

    def stream():
        reads.append(1)
        data = original if len(reads) == 1 else original.replace(b"Burglary", b"Robbery")
        yield from (data[i:i + 4096] for i in range(0, len(data), 4096))

    source = SourceFile(path.name, str(path), len(original), stream)
    summary = run_import([], actor="test:importer", sources=[source])
    [result] = summary.files
    assert result.status == "rejected"
    assert "changed while it was being imported" in result.errors[0].reason
    assert Crime.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_blocks_never_split_a_line(london, street_sample, in_blocks):
    path = street_sample(500)
    data = path.read_bytes()
    source = SourceFile(path.name, str(path), len(data), lambda: iter([data[i:i + 977] for i in
                                                                       range(0, len(data), 977)]))
    blocks = list(streaming.clean_blocks(source, sha256=hashlib.sha256(data).hexdigest()))
    assert len(blocks) > 3
    header, rows = read_rows(path)
    crime_ids = [crime_id for block in blocks for crime_id in block.frame["crime_id"].to_list()]
    assert crime_ids == [row[0] for row in rows]


def test_a_reader_that_stops_early_stops_the_background_thread():
    made = []

    def endless():
        while True:
            made.append(1)
            yield len(made)

    blocks = streaming.in_background(endless(), depth=1)
    assert [next(blocks), next(blocks)] == [1, 2]
    blocks.close()
    assert len(made) <= 4  # the two read, one waiting in the hand-off and at most one being made


def test_an_error_in_the_background_thread_reaches_the_reader_in_order():
    def failing():
        yield 1
        raise streaming.NotClean

    blocks = streaming.in_background(failing())
    assert next(blocks) == 1
    with pytest.raises(streaming.NotClean):
        next(blocks)
