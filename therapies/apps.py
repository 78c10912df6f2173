from django.apps import AppConfig


class TherapiesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "therapies"
    verbose_name = "MS therapies"

    def ready(self) -> None:
        # Each wing registers its parts of every content kind (models/kinds.py); the kinds system check then
        # names any kind that lacks one.
        from .admin import kinds as admin_kinds  # noqa: F401
        from .editorial import frontend_cache, signals
        from .site import caching, search
        from .site import kinds as site_kinds  # noqa: F401

        signals.content_published.connect(caching.bump_content_version, dispatch_uid="page-cache-version")
        # After the page cache (a purged page refetched must not come from it), before the search index.
        signals.content_published.connect(frontend_cache.deliver_announced, dispatch_uid="front-cache-purge")
        signals.content_published.connect(search.on_content_published, dispatch_uid="search-update-index")
        from .editorial import alerts, notifications

        signals.public_changes_recorded.connect(alerts.on_public_changes, dispatch_uid="safety-alerts")
        signals.emails_queued.connect(notifications.deliver_queued, dispatch_uid="deliver-queued-email")
        from .workflow import accounts

        accounts.connect()  # role changes are audit events (issue 11)
        import msinfo.checks  # noqa: F401  registers the deploy check for a missing SECRET_KEY
