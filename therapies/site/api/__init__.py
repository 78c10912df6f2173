"""The read-only JSON API of live content at /api/v1/, described by OpenAPI (django-ninja).

schemas.py is what it answers, views.py the operations, pagination.py the numbered pages,
urls.py the API object and its URLs served through the public page cache. README "API" has
curl examples; docs/DEPENDENCIES.md says why django-ninja.
"""
