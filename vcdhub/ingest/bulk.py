"""The parallel bulk path (PostgreSQL): files checked in order here and written on BULK_WRITERS connections
at once, a file waiting for any earlier one with the same content or the same kind, force and month."""

import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing

from django.db import connections

from vcdhub.audit.context import acting_as_name
from vcdhub.geography.placement import AreaResolver
from vcdhub.ingest.one_file import FileResult, PreparedFile, check, finish, read
from vcdhub.ingest.streaming import in_background
from vcdhub.ingest.supersession import current_sha256

# A load bigger than this (compressed bytes, about 18 months of a large force's street files) runs in bulk
# mode: the crime table's secondary indexes are dropped for the load and built again at the end.
BULK_THRESHOLD_BYTES = 50 * 1024 * 1024

# PostgreSQL connections writing files at once in a bulk load: each COPY keeps one server process busy.
BULK_WRITERS = 2


# The conflict key of a file written in blocks: its periods are known only as it is written, so it waits for
# every earlier file and every later file waits for it.
EVERY_PERIOD = ("every period",)


def _conflict_keys(prepared: PreparedFile) -> set:
    """What two files must not write at the same time: the same content, or the same kind, force and month."""
    keys: set = {("sha256", prepared.sha256)} if prepared.sha256 else set()
    if prepared.streamed:
        keys.add(EVERY_PERIOD)
    if prepared.parsed is not None:
        keys |= {(prepared.parsed.schema.kind, *period) for period in prepared.parsed.periods()}
    return keys


def _conflict(keys: set, other: set) -> bool:
    return bool(keys & other) or EVERY_PERIOD in keys or EVERY_PERIOD in other


def import_in_parallel(sources, *, actor, force, month, on_file, tick, writers) -> list[FileResult]:
    """Bulk loads on PostgreSQL: files are checked here, in order, and written by `writers` threads, each on
    its own connection and in its own transaction per file, as in a sequential import.

    Order still decides: a file waits while an earlier file with the same content or the same kind, force
    and month is unwritten, so a republished month supersedes the older one exactly as it would one file at
    a time. At most writers + 1 checked files are held in memory, and two read but not yet checked.
    """
    resolver = AreaResolver.from_database()
    resolver.code_frame()  # built once here rather than raced for by the writers
    unchanged = current_sha256()
    results: list[FileResult | None] = [None] * len(sources)
    unwritten: dict[int, set] = {}
    turn = threading.Condition()
    room = threading.Semaphore(writers + 1)

    def write(position: int, prepared: PreparedFile) -> None:
        try:
            keys = unwritten[position]
            with turn:
                turn.wait_for(lambda: not any(_conflict(keys, other) for p, other in unwritten.items() if p < position))
            try:
                with acting_as_name(actor):
                    result = finish(prepared, actor=actor, resolver=resolver, force=force, month=month, tick=tick)
                results[position] = result
            finally:
                with turn:
                    del unwritten[position]
                    turn.notify_all()
                connections.close_all()  # this thread's connections; the next file opens its own
        finally:
            room.release()

    # The next file is read (decompressed and hashed, which release the GIL) in a thread while this one is
    # checked here.
    with closing(in_background(read(source) for source in sources)) as reads, \
            ThreadPoolExecutor(max_workers=writers, thread_name_prefix="vcdhub-write") as pool:
        futures = []
        for position, (source, (prepared, data)) in enumerate(zip(sources, reads, strict=True)):
            room.acquire()
            if on_file:
                on_file(source)
            prepared = check(prepared, data, force=force, month=month, skip_sha256=unchanged, tick=tick)
            del data
            with turn:
                unwritten[position] = _conflict_keys(prepared)
            futures.append(pool.submit(contextvars.copy_context().run, write, position, prepared))
        for future in futures:
            future.result()
    return results
