"""Find the files behind the paths a user gives: .csv, .csv.gz, folders, and bulk-download .zip files.

What a file can cost is bounded before it is read, and while it is read (issue 10): only regular files are
read (a fifo would hang, /dev/zero would never end); no file may decompress to more than
`Limits.max_file_bytes`, or by more than `Limits.max_ratio` times its compressed size (a zip bomb); and an
archive with more than `Limits.max_members` members is refused whole. Decompression streams, and stops at the
limit, so a 200 MB member of zeros costs the limit, not 200 MB (or eight times that).
"""

import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1024 * 1024


class UsageError(Exception):
    """A path that cannot be used at all (missing, or not a kind of file we read)."""


class UnreadableFile(Exception):
    """A file that exists but cannot be read: truncated gzip, corrupt zip member, over a limit, ..."""


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 1024**3  # decompressed, per file
    max_ratio: int = 200  # decompressed / compressed; police.uk CSVs compress about 5 to 10 times
    max_members: int = 10_000  # files in one archive; a year of every force is about 1,200

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(settings.VCDHUB_IMPORT_MAX_FILE_BYTES, settings.VCDHUB_IMPORT_MAX_RATIO,
                   settings.VCDHUB_IMPORT_MAX_MEMBERS)


@dataclass
class SourceFile:
    name: str  # the file's own name, e.g. 2016-07-metropolitan-street.csv.gz
    source: str  # where it came from, e.g. /data/2016.zip!2016-07/2016-07-metropolitan-street.csv
    size: int  # bytes on disk (compressed), for the progress bar
    stream: Callable[[], Iterator[bytes]]  # the decompressed bytes, a piece at a time, from the start

    def read(self) -> bytes:
        """The whole decompressed file (within the size limit)."""
        return b"".join(self.stream())

    @property
    def archive(self) -> str:
        """The archive the file came from, or "" for a file of its own."""
        return self.source.split("!", 1)[0] if "!" in self.source else ""


CSV_SUFFIXES = (".csv", ".csv.gz")


def _too_big(limits: Limits) -> UnreadableFile:
    return UnreadableFile(f"larger than the import limit of {limits.max_file_bytes:,} bytes once decompressed "
                          "(VCDHUB_IMPORT_MAX_FILE_BYTES)")


def _pieces(stream) -> Iterator[bytes]:
    while piece := stream.read(CHUNK):
        yield piece


def _capped(pieces: Iterable[bytes], allowed: int, error: Callable[[], UnreadableFile]) -> Iterator[bytes]:
    """The pieces, or UnreadableFile from `error` once they add up to more than `allowed` bytes."""
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > allowed:
            raise error()
        yield piece


def _gunzip(compressed: Iterable[bytes], compressed_size: int, limits: Limits) -> Iterator[bytes]:
    """Decompress gzip data (one or more members, perhaps padded with zeros) a piece at a time, within the
    limits: no piece is bigger than CHUNK, and nothing past the limit is ever decompressed."""
    allowed = min(limits.max_file_bytes, max(compressed_size, 1) * limits.max_ratio)
    total = 0
    inflater, members = None, 0
    try:
        for data in compressed:
            while True:
                if inflater is None:  # between members: skip padding, then start the next member
                    data = data.lstrip(b"\x00") if members else data
                    if not data:
                        break
                    inflater, members = zlib.decompressobj(16 + zlib.MAX_WBITS), members + 1
                piece = inflater.decompress(data, CHUNK)
                total += len(piece)
                if total > allowed:
                    raise _bomb(limits, compressed_size) if allowed < limits.max_file_bytes else _too_big(limits)
                if piece:
                    yield piece
                if inflater.eof:
                    data, inflater = inflater.unused_data, None
                    continue
                data = inflater.unconsumed_tail
                if not data and len(piece) < CHUNK:
                    break  # this input is used up; a full piece may have more output behind it
        if inflater is not None:
            raise UnreadableFile("not a complete gzip file (it ends early)")
    except zlib.error as exc:
        raise UnreadableFile(f"not a complete gzip file ({exc})") from exc


def _bomb(limits: Limits, compressed: int) -> UnreadableFile:
    return UnreadableFile(f"decompresses to more than {limits.max_ratio} times its {compressed:,} compressed "
                          "bytes: refused as a possible decompression bomb (VCDHUB_IMPORT_MAX_RATIO)")


def _plain_stream(path: Path, limits: Limits) -> Callable[[], Iterator[bytes]]:
    def stream() -> Iterator[bytes]:
        _require_regular(path, UnreadableFile)
        with path.open("rb") as opened:
            pieces = _capped(_pieces(opened), limits.max_file_bytes, lambda: _too_big(limits))
            if path.name.endswith(".gz"):
                yield from _gunzip(pieces, os.fstat(opened.fileno()).st_size, limits)
            else:
                yield from pieces

    return stream


def _require_regular(path: Path, error=UsageError) -> None:
    """Only regular files (after links): a fifo would wait for ever, a device would never end."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror})") from exc
    if not stat.S_ISREG(mode):
        raise error(f"{path}: not a regular file (a device, a pipe or a socket is never imported)")


def _zip_members(path: Path, limits: Limits) -> Iterator[SourceFile]:
    def whole_archive_fails(reason: str) -> Iterator[SourceFile]:
        def fail() -> Iterator[bytes]:
            raise UnreadableFile(reason)

        yield SourceFile(path.name, str(path), path.stat().st_size, fail)

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield from whole_archive_fails(f"not a readable zip file ({exc})")
        return
    members = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
    if len(members) > limits.max_members:
        # Refused whole, as one file: 20,000 junk members must not make 20,000 rejections to read and audit.
        yield from whole_archive_fails(f"holds {len(members):,} files, more than the limit of "
                                       f"{limits.max_members:,} (VCDHUB_IMPORT_MAX_MEMBERS)")
        return
    for info in sorted(members, key=lambda i: i.filename):

        def stream(info=info) -> Iterator[bytes]:
            if not info.filename.endswith(CSV_SUFFIXES):
                raise UnreadableFile("not a police.uk CSV file (only .csv and .csv.gz members are read)")
            if info.compress_size and info.file_size > info.compress_size * limits.max_ratio:
                raise _bomb(limits, info.compress_size)
            # The member's declared size may lie: what it decompresses to is counted as it is read.
            allowed = limits.max_file_bytes
            if info.compress_size and info.compress_size * limits.max_ratio < allowed:
                allowed = info.compress_size * limits.max_ratio

            def too_much() -> UnreadableFile:
                return _too_big(limits) if allowed == limits.max_file_bytes else _bomb(limits, info.compress_size)

            try:
                with archive.open(info) as opened:
                    pieces = _capped(_pieces(opened), allowed, too_much)
                    if info.filename.endswith(".gz"):
                        yield from _gunzip(pieces, info.file_size, limits)
                    else:
                        yield from pieces
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
                raise UnreadableFile(f"zip member cannot be read ({exc})") from exc

        yield SourceFile(Path(info.filename).name, f"{path}!{info.filename}", info.compress_size, stream)


def discover(paths: list[Path], limits: Limits | None = None) -> list[SourceFile]:
    """Every file to import, in a stable order. Raises UsageError for a path that is not there, or that is
    not a regular file or folder."""
    limits = limits or Limits.from_settings()
    found: list[SourceFile] = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        if path.is_dir():
            members = sorted(p for p in path.rglob("*") if p.is_file() and
                             (p.name.endswith(CSV_SUFFIXES) or p.suffix == ".zip"))
            if not members:
                raise UsageError(f"{path}: the folder holds no .csv, .csv.gz or .zip files")
            found.extend(_one(p, limits) for p in members if p.suffix != ".zip")
            for p in members:
                if p.suffix == ".zip":
                    found.extend(_zip_members(p, limits))
            continue
        _require_regular(path)
        if path.suffix == ".zip":
            found.extend(_zip_members(path, limits))
        elif path.name.endswith(CSV_SUFFIXES):
            found.append(_one(path, limits))
        else:
            raise UsageError(f"{path}: not a .csv, .csv.gz or .zip file")
    return found


def _one(path: Path, limits: Limits) -> SourceFile:
    return SourceFile(path.name, str(path), path.stat().st_size, _plain_stream(path, limits))
