import uuid

from vcdhub.audit.context import acting_as, user_actor_name


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


class ActorMiddleware:
    """Every request runs as its signed-in user (or as anonymous), with a request id for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        user = getattr(request, "user", None)
        name = user_actor_name(user) if user is not None and user.is_authenticated else "anonymous"
        with acting_as(name, user=user if name != "anonymous" else None, request_id=request_id,
                       ip=client_ip(request)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
