"""The names public pages give what they show, and which names a publish touches (issue 16).

A cached page records the content it shows as keys, at the depth it shows it: `therapy:12` (that
row's own fields and child rows: a page naming the therapy, or showing a frequency from its risk
rows), `links:risk:5` (which rows link to risk 5, and their link rows: the risk's page, listing the
therapies with it and how often), `list:trial` (the trials as a whole: a list, a count, search,
compare). A publish touches the key of each row it changed, the `links:` key of each row they link
to (whose page lists them), and the list key of each kind it changed — never the keys of rows it
only links to, so publishing one therapy leaves the other therapies sharing a risk or a source
with it alone (issue 27). A row that stops linking to another is still on the pages rendered
before, which carry its own key. The page cache (site/caching.py) and the front cache (Varnish, purged by xkey through
editorial/frontend_cache.py) drop exactly the pages that share a key with the publish, the way
Drupal's cache tags do: whoever builds a page names what it read, and invalidation names content,
never URLs.

Kinds come from the registry (kinds.py); nothing here lists them by hand.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from .kinds import KINDS, ContentKind, kind_for

LIST_PREFIX = "list:"
LINKS_PREFIX = "links:"


def object_key(obj: models.Model) -> str:
    """The key of one content row: "therapy:12"."""
    return f"{obj._meta.model_name}:{obj.pk}"


def links_key(obj: models.Model) -> str:
    """The key of the rows linking to one row: "links:risk:5" (the page listing what links to it)."""
    return f"{LINKS_PREFIX}{object_key(obj)}"


def list_key(kind: ContentKind) -> str:
    """The key of a whole kind: any page that lists, counts or searches it ("list:trial")."""
    return f"{LIST_PREFIX}{kind.name}"


def every_list_key() -> tuple[str, ...]:
    """What a page that names nothing depends on: every kind as a whole (so any publish invalidates it)."""
    return tuple(list_key(kind) for kind in KINDS)


def keys_of(*items: models.Model | type[models.Model] | ContentKind | str | Iterable) -> set[str]:
    """Keys for rows, kinds or content models (their list key), keys given as strings, or iterables of these."""
    keys: set[str] = set()
    for item in items:
        if isinstance(item, str):
            keys.add(item)
        elif isinstance(item, ContentKind):
            keys.add(list_key(item))
        elif isinstance(item, type) and issubclass(item, models.Model):
            keys.add(list_key(kind_for(item)))
        elif isinstance(item, models.Model):
            keys.add(object_key(item))
        else:
            keys |= keys_of(*item)
    return keys


def _linked_model(kind: ContentKind, link) -> type[models.Model]:
    holder = kind.child(link.child).model if link.child else kind.model
    return holder._meta.get_field(link.field).related_model


def _linked_ids(kind: ContentKind, link, obj: models.Model) -> list:
    """The ids of the rows `obj` links to through `link`, as the database holds them now."""
    if link.child:
        child = kind.child(link.child)
        return list(child.model.objects.filter(**{child.parent: obj}).values_list(link.field, flat=True))
    field = kind.model._meta.get_field(link.field)
    if field.many_to_many:
        return list(getattr(obj, link.field).values_list("pk", flat=True))
    return [getattr(obj, field.attname)]


def touched_keys(objects: Iterable[models.Model]) -> set[str]:
    """Every key a publish of `objects` touches: each row, the `links:` key of each row it links to now (the
    pages listing what links there), and the list key of each row's kind."""
    keys: set[str] = set()
    for obj in objects:
        kind = kind_for(obj)
        keys |= {object_key(obj), list_key(kind)}
        for link in kind.links:
            target = _linked_model(kind, link)._meta.model_name
            keys |= {f"{LINKS_PREFIX}{target}:{pk}" for pk in _linked_ids(kind, link, obj) if pk is not None}
    return keys
