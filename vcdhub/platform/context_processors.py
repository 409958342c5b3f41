from django.urls import NoReverseMatch, reverse

# The directorate's modules, in the order users work through them. A module whose URL does not
# exist yet is shown greyed out, so the layout is stable as modules arrive.
MODULES = [
    ("Crime explorer", "crime:explorer"),
    ("Map", "crime:map"),
    ("Performance", "performance:index"),
    ("Places", "places:index"),
    ("Intelligence", "intel:index"),
    ("Tasking", "tasking:index"),
    ("Risk panels", "risk:index"),
    ("Missing persons", "missing:index"),
    ("Victims", "victims:index"),
    ("Audit", "audit:index"),
]


def navigation(request):
    items = []
    for label, name in MODULES:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = None
        items.append({"label": label, "url": url, "active": bool(url) and request.path.startswith(url)})
    return {"nav_modules": items}
