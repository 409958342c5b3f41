from django.urls import NoReverseMatch, reverse

# The directorate's modules, in the order users work through them. A module whose URL does not
# exist yet is shown greyed out, so the layout is stable as modules arrive.
MODULES = [
    ("Crime explorer", "crime:explorer"),
    ("Map", "crime:map"),
    ("Performance", "performance:index"),
    ("Equality", "equality:index"),
    ("Places", "places:index"),
    ("Intelligence", "intel:index"),
    ("Tasking", "tasking:index"),
    ("Risk panels", "risk:index"),
    ("Missing persons", "missing:index"),
    ("Victims", "victims:index"),
    ("Audit", "audit:index"),
    ("Access", "access:grants"),
]


# Modules only some roles use; others do not see them in the navigation.
MODULE_ROLES = {"audit:index": {"auditor"}}


def navigation(request):
    from vcdhub.access.policy import has_role

    items = []
    for label, name in MODULES:
        if name in MODULE_ROLES and not (request.user.is_authenticated and has_role(request.user, *MODULE_ROLES[name])):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = None
        items.append({"label": label, "url": url, "active": bool(url) and request.path.startswith(url)})
    return {"nav_modules": items}
