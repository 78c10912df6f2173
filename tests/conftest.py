"""Shared fixtures: the real seed content is loaded once per test database."""

import pytest
from django.core.management import call_command

# The editorial groups' permissions as the migrations left them, read before anything else touches the groups
# (a flush below re-creates them from today's workflow/roles.py, which would hide a migration that drifted).
MIGRATED_GROUPS: dict[str, set[tuple[str, str]]] = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load fixtures/ into the test database once; each test runs in a rolled-back transaction."""
    from django.contrib.auth.models import Group

    with django_db_blocker.unblock():
        for group in Group.objects.prefetch_related("permissions__content_type"):
            MIGRATED_GROUPS[group.name] = {(p.content_type.app_label, p.codename) for p in group.permissions.all()}
        call_command("load_seed", verbosity=0)


@pytest.fixture(scope="session")
def migrated_groups(django_db_setup) -> dict[str, set[tuple[str, str]]]:
    """{group name: {(app label, permission codename)}} right after the test database was migrated."""
    return MIGRATED_GROUPS


@pytest.fixture
def page_cache(settings):
    """The public page cache switched on (tests run with it off) and empty, before and after."""
    from django.core.cache import cache

    from therapies.site import caching

    settings.PAGE_CACHE = True
    cache.clear()
    caching._recent.clear()
    yield cache
    cache.clear()
    caching._recent.clear()


@pytest.fixture
def seeded(db):
    """The seed content (already loaded by django_db_setup); named for readability."""
    return None


# --- People ------------------------------------------------------------------------------------


def _user(django_user_model, username: str, *groups: str, superuser: bool = False):
    """A person who exists before the test starts. Creating them queues mail (a new medical reviewer is announced
    to every reviewer, workflow/accounts.py); that mail belongs to the set-up, not to the test, so it is dropped.
    tests/test_accounts.py tests it."""
    from django.contrib.auth.models import Group

    from therapies.models import OutboundEmail

    queued_before = set(OutboundEmail.objects.values_list("pk", flat=True))
    user = django_user_model.objects.create_user(
        username=username,
        password="pw-for-tests",
        email=f"{username}@example.org",
        first_name=username.capitalize(),
        last_name="Tester",
        is_staff=True,
        is_superuser=superuser,
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    OutboundEmail.objects.exclude(pk__in=queued_before).delete()
    return user


@pytest.fixture
def editor(db, django_user_model):
    return _user(django_user_model, "editor", "Editors")


@pytest.fixture
def editor2(db, django_user_model):
    return _user(django_user_model, "editor2", "Editors")


@pytest.fixture
def reviewer(db, django_user_model):
    return _user(django_user_model, "reviewer", "Medical reviewers")


@pytest.fixture
def reviewer2(db, django_user_model):
    return _user(django_user_model, "reviewer2", "Medical reviewers")


@pytest.fixture
def editor_reviewer(db, django_user_model):
    return _user(django_user_model, "both", "Editors", "Medical reviewers")


@pytest.fixture
def superuser(db, django_user_model):
    return _user(django_user_model, "root", superuser=True)


@pytest.fixture(autouse=True)
def _reseed_after_flush(request):
    """Transactional tests (live server, concurrency) flush the database; put the seed content back first."""
    marker = request.node.get_closest_marker("django_db")
    marked_transactional = marker is not None and bool(marker.kwargs.get("transaction") or marker.args[:1] == (True,))
    if marked_transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from therapies.models import Therapy

        if not Therapy.objects.exists():
            call_command("load_seed", verbosity=0)
            # Flushing also emptied the groups the data migration made.
            from therapies.workflow.roles import ensure_groups

            ensure_groups()


@pytest.fixture
def mail_server(tmp_path, settings):
    """A real SMTP server in a process of its own (tests/mail_server.py), the site's email sent to it."""
    from .mail_server import MailServer

    server = MailServer(tmp_path).start()
    server.use(settings)
    yield server
    server.stop()
