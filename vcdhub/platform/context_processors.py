from django.urls import NoReverseMatch, reverse

from vcdhub.platform.registry import navigation_entries


def navigation(request):
    """The menu: the registry's entries this user may open, and nothing else (a link that answers 403 is a dead
    end). Whether they may is asked of the page's own view (`permissions.may_open`: the rule its view checks), so
    the menu and the page cannot disagree; an entry's own `roles` and `records` narrow it further, for views that
    check inline. Administrators who may use Django's admin get it too.

    For users who decide access requests, the Access entry carries how many wait, and their landing page lists
    them. Both are worked out only if the page shows them (callables the template calls)."""
    from django.contrib import admin

    from vcdhub.access.grants import may_decide, note_waiting, waiting, waiting_count
    from vcdhub.access.policy import has_role
    from vcdhub.platform.permissions import may_open, reads_records

    user = request.user
    items = []
    if not user.is_authenticated:
        return {"nav_modules": items}
    match = getattr(request, "resolver_match", None)
    landing = match is not None and match.view_name == "home" and may_decide(user)
    listed = []

    def landing_waiting():  # the landing page lists them, and the menu counts that list: one query
        if not listed:
            listed.append(list(waiting(user)))
            note_waiting(user, len(listed[0]))
        return listed[0]

    for entry in navigation_entries():
        if entry.roles is not None and not has_role(user, *entry.roles):
            continue
        if entry.records and not reads_records(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        if not may_open(user, url):
            continue
        item = {"label": entry.label, "url": url, "active": request.path.startswith(url)}
        if entry.url_name == "access:grants" and may_decide(user):
            item["waiting"] = (lambda: len(landing_waiting())) if landing else (lambda: waiting_count(user))
        items.append(item)
    if admin.site.has_permission(request):
        url = reverse("admin:index")
        items.append({"label": "Administration", "url": url, "active": request.path.startswith(url)})
    context = {"nav_modules": items}
    if landing:
        context["landing_waiting"] = landing_waiting
    return context
