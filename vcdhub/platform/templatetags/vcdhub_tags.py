from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return sorted(mapping.get(key, ())) if mapping else ()


@register.filter
def record_meta(obj):
    """A record's model options (app label and model name), for URLs that name its kind."""
    return obj._meta
