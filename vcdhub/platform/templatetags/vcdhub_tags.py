from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return sorted(mapping.get(key, ())) if mapping else ()
