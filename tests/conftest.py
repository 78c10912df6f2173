"""Shared fixtures: the real seed content is loaded once per test database."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load fixtures/ into the test database once; each test runs in a rolled-back transaction."""
    with django_db_blocker.unblock():
        call_command("load_seed", verbosity=0)


@pytest.fixture
def seeded(db):
    """The seed content (already loaded by django_db_setup); named for readability."""
    return None
