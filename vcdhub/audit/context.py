"""Who is acting, for every audited change and read. Nothing in vcdhub runs unattributed.

A web request gets its actor from the signed-in user (see middleware.py); a command, import or
background job declares one:

    with acting_as("job:import", reason="monthly police.uk refresh"):
        ...
"""

import contextvars
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace


class UnattributedError(RuntimeError):
    """An audited operation ran with no actor declared."""


@dataclass(frozen=True)
class Actor:
    name: str  # "user:alice", "cli:root", "job:import"
    user_id: int | None = None
    request_id: str = ""
    ip: str = ""
    reason: str = ""


_current: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("vcdhub_actor", default=None)


def current_actor() -> Actor:
    actor = _current.get()
    if actor is None:
        raise UnattributedError("no actor: wrap the operation in audit.context.acting_as(...)")
    return actor


def actor_or_none() -> Actor | None:
    return _current.get()


@contextmanager
def acting_as(name: str, *, user=None, request_id: str = "", ip: str = "", reason: str = "") -> Iterator[Actor]:
    actor = Actor(
        name=name,
        user_id=getattr(user, "pk", None),
        request_id=request_id or f"job-{uuid.uuid4()}",
        ip=ip,
        reason=reason,
    )
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def acting_as_name(name: str):
    """`acting_as(name)`, unless the current actor already has that name: then it is kept whole (its user,
    request and reason), as when a background job runs an import as the user who asked for it."""
    current = _current.get()
    return nullcontext(current) if current is not None and current.name == name else acting_as(name)


@contextmanager
def because(reason: str) -> Iterator[Actor]:
    """Give the reason for the changes made inside the block, under the current actor."""
    actor = replace(current_actor(), reason=reason)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def user_actor_name(user) -> str:
    return f"user:{user.get_username()}"


def rebind_user(user) -> None:
    """Within the current request, act as `user` (authenticated late, e.g. by an API token)."""
    current = _current.get()
    _current.set(Actor(user_actor_name(user), user.pk, current.request_id if current else f"job-{uuid.uuid4()}",
                       current.ip if current else ""))


def attributed():
    """Keep the current actor; outside any (createsuperuser, a shell, another management command), act as the
    OS user. For signal handlers that audit writes whoever makes them."""
    return nullcontext() if _current.get() is not None else acting_as(cli_actor())


def cli_actor(explicit: str | None = None) -> str:
    """Who a command runs as: --actor when given, else the OS user. Nothing runs unattributed."""
    if explicit:
        return explicit
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"
