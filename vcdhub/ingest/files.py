"""Find the files behind the paths a user gives: .csv, .csv.gz, folders, and bulk-download .zip files."""

import gzip
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


class UsageError(Exception):
    """A path that cannot be used at all (missing, or not a kind of file we read)."""


class UnreadableFile(Exception):
    """A file that exists but cannot be read: truncated gzip, corrupt zip member, ..."""


@dataclass
class SourceFile:
    name: str  # the file's own name, e.g. 2016-07-metropolitan-street.csv.gz
    source: str  # where it came from, e.g. /data/2016.zip!2016-07/2016-07-metropolitan-street.csv
    size: int  # bytes on disk (compressed), for the progress bar
    read: Callable[[], bytes]  # the decompressed bytes


CSV_SUFFIXES = (".csv", ".csv.gz")


def _read_plain(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            return _gunzip(data)
        return data

    return read


def _gunzip(data: bytes) -> bytes:
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as exc:
        raise UnreadableFile(f"not a complete gzip file ({exc})") from exc


def _zip_members(path: Path) -> Iterator[SourceFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        # The whole zip is one unreadable file.
        def fail(exc=exc) -> bytes:
            raise UnreadableFile(f"not a readable zip file ({exc})")

        yield SourceFile(path.name, str(path), path.stat().st_size, fail)
        return
    for info in sorted(archive.infolist(), key=lambda i: i.filename):
        if info.is_dir() or info.filename.startswith("__MACOSX/"):
            continue

        def read(info=info) -> bytes:
            try:
                data = archive.read(info)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
                raise UnreadableFile(f"zip member cannot be read ({exc})") from exc
            if info.filename.endswith(".gz"):
                return _gunzip(data)
            if not info.filename.endswith(".csv"):
                raise UnreadableFile("not a police.uk CSV file (only .csv and .csv.gz members are read)")
            return data

        yield SourceFile(Path(info.filename).name, f"{path}!{info.filename}", info.compress_size, read)


def discover(paths: list[Path]) -> list[SourceFile]:
    """Every file to import, in a stable order. Raises UsageError for a path that is not there."""
    found: list[SourceFile] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and
                             (p.name.endswith(CSV_SUFFIXES) or p.suffix == ".zip"))
            if not members:
                raise UsageError(f"{path}: the folder holds no .csv, .csv.gz or .zip files")
            found.extend(_one(p) for p in members if p.suffix != ".zip")
            for p in members:
                if p.suffix == ".zip":
                    found.extend(_zip_members(p))
        elif path.suffix == ".zip":
            found.extend(_zip_members(path))
        elif path.name.endswith(CSV_SUFFIXES):
            found.append(_one(path))
        else:
            raise UsageError(f"{path}: not a .csv, .csv.gz or .zip file")
    return found


def _one(path: Path) -> SourceFile:
    return SourceFile(path.name, str(path), path.stat().st_size, _read_plain(path))
