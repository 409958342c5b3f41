import re
import uuid

from vcdhub.audit.context import acting_as, user_actor_name

REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ActorMiddleware:
    """Every request runs as its signed-in user (or as anonymous), with a request id for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A caller's request id is kept only in a strict format; anything else (a newline, markup, 10 KB of
        # text) gets a fresh id, so the audit trail never holds an injected value.
        offered = request.headers.get("X-Request-ID", "")
        request_id = offered if REQUEST_ID.fullmatch(offered) else uuid.uuid4().hex
        user = getattr(request, "user", None)
        name = user_actor_name(user) if user is not None and user.is_authenticated else "anonymous"
        with acting_as(name, user=user if name != "anonymous" else None, request_id=request_id,
                       ip=client_ip(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
