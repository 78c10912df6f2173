"""Database faults: a friendly 503 while the database is unreachable, and recovery without a restart."""

from unittest import mock

import pytest
from django.db import OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper

from therapies.models import Therapy

PUBLIC_PAGES = ["/", "/therapies/", "/therapies/ocrelizumab/", "/risks/", "/trials/"]


@pytest.fixture(autouse=True)
def _no_cached_pages():
    """A cached copy is an acceptable answer in an outage, but these tests are about the 503 page."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _database_down():
    """Every new cursor fails as it does when the server has gone away."""
    return mock.patch.object(
        BaseDatabaseWrapper, "cursor", side_effect=OperationalError("could not connect to server: Connection refused")
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_answer_a_friendly_503_while_the_database_is_down(client, path):
    with _database_down():
        response = client.get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "database is not answering" in html and "try again" in html
    assert "Content-Security-Policy" in response.headers  # still a normal, safe page


@pytest.mark.django_db
def test_healthz_says_503_while_the_database_is_down_and_ok_after(client):
    with _database_down():
        assert client.get("/healthz").status_code == 503
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_the_site_recovers_by_itself_when_the_database_returns(client):
    with _database_down():
        assert client.get("/therapies/ocrelizumab/").status_code == 503
    response = client.get("/therapies/ocrelizumab/")
    assert response.status_code == 200 and "Ocrelizumab" in response.content.decode()


@pytest.mark.django_db
def test_a_bug_that_is_not_a_database_fault_is_still_a_500_not_hidden_as_503(client):
    with mock.patch("therapies.site.views.render", side_effect=ValueError("a programming error")):
        client.raise_request_exception = False
        response = client.get("/therapies/")
    assert response.status_code == 500


@pytest.mark.skipif(connection.vendor != "postgresql", reason="points a real PostgreSQL connection at a closed port")
def test_with_postgresql_unreachable_pages_are_503_and_recover_when_it_returns(transactional_db, client, settings):
    """A real outage: the connection is closed and the server address stops answering, then comes back."""
    assert Therapy.objects.filter(slug="ocrelizumab").exists()
    real = connections["default"].settings_dict
    original_port = real["PORT"]
    try:
        connections.close_all()
        real["PORT"] = "1"  # nothing listens there: "connection refused"
        assert client.get("/therapies/ocrelizumab/").status_code == 503
        assert client.get("/healthz").status_code == 503
    finally:
        real["PORT"] = original_port
    response = client.get("/therapies/ocrelizumab/")  # no restart: the next request reconnects
    assert response.status_code == 200
    assert client.get("/healthz").status_code == 200
