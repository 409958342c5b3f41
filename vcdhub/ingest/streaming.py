"""Large files, checked and written a block at a time, so that an import's memory does not grow with the file.

A file up to `VCDHUB_IMPORT_WHOLE_FILE_BYTES` (decompressed) is read and checked whole, as before. A larger
file is read twice: once to hash it (is it already held?), then in blocks of about
`VCDHUB_IMPORT_BLOCK_BYTES`, each checked by the columnar fast path and written inside the file's one
transaction (one_file). A block the fast path cannot vouch for ends the attempt: the transaction is rolled
back, and the row parser reads the whole file to name every bad row, as it does for any file.

    for block in clean_blocks(source, sha256=prepared.sha256):   # ParsedFile per block, or NotClean
        ...
"""

import codecs
import hashlib
import queue
import threading
from collections.abc import Iterator

from django.conf import settings

from vcdhub.crime.policeuk import detect_schema
from vcdhub.ingest.files import SourceFile
from vcdhub.ingest.parsing import ParsedFile, file_context
from vcdhub.ingest.sources.policeuk import columnar


class NotClean(Exception):
    """The fast path cannot vouch for this file: the row parser must read it."""


class ChangedWhileImported(Exception):
    """The file's content is not what was hashed before the write began."""


def whole_file_bytes() -> int:
    return settings.VCDHUB_IMPORT_WHOLE_FILE_BYTES


def block_bytes() -> int:
    return settings.VCDHUB_IMPORT_BLOCK_BYTES


def clean_blocks(source: SourceFile, *, sha256: str, force: str = "", month: str = "") -> Iterator[ParsedFile]:
    """The file's rows in blocks of whole lines, each a ParsedFile with a columnar frame.

    Raises NotClean as soon as any part of the file needs the row parser (undecodable bytes, a header the
    fast path does not take, a block it cannot vouch for, no rows at all), and ChangedWhileImported at the end
    if the bytes read are not the bytes hashed before.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    hasher = hashlib.sha256()
    size = block_bytes()
    header: str | None = None
    schema = ctx = None
    pending = ""  # text after the last newline read so far
    lines = ""  # whole lines waiting to make a block
    yielded = False

    def block(text: str) -> ParsedFile | None:
        nonlocal yielded
        if not text.strip("\n"):
            return None
        frame = columnar.parse_clean(f"{header}\n{text}", schema, ctx)
        if frame is None:
            raise NotClean
        yielded = True
        return ParsedFile(schema, [], frame.height, ctx, frame)

    first = True
    for piece in source.stream():
        hasher.update(piece)
        if first and piece.startswith(b"\xef\xbb\xbf"):
            piece = piece[3:]
        first = False
        try:
            text = pending + decoder.decode(piece)
        except UnicodeDecodeError:
            raise NotClean from None
        cut = text.rfind("\n")
        if cut < 0:
            pending = text
            if len(pending) > size:  # one line longer than a block: not a police.uk file the fast path takes
                raise NotClean
            continue
        body, pending = text[:cut + 1], text[cut + 1:]
        if header is None:
            header, _, body = body.partition("\n")
            if '"' in header or "\r" in header:  # the fast path takes plain headers only
                raise NotClean
            schema = detect_schema(header.split(","))
            if schema is None or not columnar.supports(schema):
                raise NotClean
            errors = []
            ctx = file_context(schema, source.name, force, month, errors)
            if errors:
                raise NotClean
        lines += body
        while len(lines) >= size:  # whole lines, about `size` characters of them
            cut = lines.rfind("\n", 0, size) + 1 or lines.find("\n", size) + 1
            text, lines = lines[:cut], lines[cut:]
            if (parsed := block(text)) is not None:
                yield parsed
    try:
        pending += decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise NotClean from None
    if header is None:
        raise NotClean
    if (parsed := block(lines + pending)) is not None:
        yield parsed
    if not yielded:
        raise NotClean
    if hasher.hexdigest() != sha256:
        raise ChangedWhileImported


def in_background(blocks: Iterator, *, depth: int = 1) -> Iterator:
    """The items of `blocks`, made in a thread `depth` items ahead of the reader, so that the next block is
    read and checked while this one is written. An exception in the thread is raised here, in order; a
    reader that stops early stops the thread."""
    handoff: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in blocks:
                if not put((None, item)):
                    return
        except BaseException as exc:  # noqa: BLE001 - handed to the reader, which raises it
            put((exc, None))
            return
        put((None, done))

    worker = threading.Thread(target=produce, name="vcdhub-blocks", daemon=True)
    worker.start()
    try:
        while True:
            error, item = handoff.get()
            if error is not None:
                raise error
            if item is done:
                return
            yield item
    finally:
        stop.set()
        worker.join()
