from django.urls import NoReverseMatch, reverse

from vcdhub.platform.registry import navigation_entries


def navigation(request):
    """The modules this user may use, from the registry: an entry for certain roles shows only to them, and
    a records entry never shows to a user who reads aggregates only (it would be a dead end)."""
    from vcdhub.access.policy import has_role
    from vcdhub.platform.permissions import reads_records

    user = request.user
    items = []
    if not user.is_authenticated:
        return {"nav_modules": items}
    for entry in navigation_entries():
        if entry.roles is not None and not has_role(user, *entry.roles):
            continue
        if entry.records and not reads_records(user):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": entry.label, "url": url, "active": request.path.startswith(url)})
    return {"nav_modules": items}
