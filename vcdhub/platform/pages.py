"""What every page that runs an action from a form shares: bind the form, call the action, and turn its refusals
into the form's errors (a ValidationError by field: 400; a refusal: 403 with its reason). The case-work core's
pages, its modules' steps and intelligence's steps and decisions use it."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from vcdhub.platform.inputs import InputError


def add_errors(form, exc) -> None:
    problems = exc.errors if isinstance(exc, InputError) else (
        exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages})
    for field, messages_ in problems.items():
        for problem in messages_ if isinstance(messages_, list | tuple) else [messages_]:
            form.add_error(field if field in form.fields else None, problem)


def form_page(request, form, action, *, template: str, context: dict, done: str | Callable[[], str],
              success_url: str):
    """GET: the form. POST: the action with the form's values; on success a message (`done`, or what it returns
    once the action has run) and a redirect to `success_url`, otherwise the form again with the action's errors
    (400) or refusal (403). The action is not wrapped in a transaction here: each is atomic itself, and a
    refusal's audit entry must outlive it."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                action(form.values())
            except (ValidationError, InputError) as exc:
                add_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, f"Refused: {exc}")
                status = 403
            else:
                messages.success(request, done() if callable(done) else done)
                return redirect(success_url)
    return render(request, template, {**context, "form": form}, status=status)
