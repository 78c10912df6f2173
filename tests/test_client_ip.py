"""Which address a request counts as coming from (rate limits and sign-in lockouts)."""

from django.test import RequestFactory

from msinfo.client_ip import client_ip

factory = RequestFactory()


def test_without_trusted_proxies_a_forged_forwarded_for_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


def test_behind_one_proxy_the_address_it_saw_is_used_not_what_the_client_claimed(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forged "6.6.6.6"; our proxy appended the real address it saw.
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"


def test_behind_a_proxy_readers_are_counted_apart(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    first = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    second = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client_ip(first) != client_ip(second)


def test_a_missing_header_behind_a_proxy_falls_back_to_the_connection_address(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = factory.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client_ip(request) == "10.0.0.5"


def test_a_request_without_any_address_has_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = factory.get("/")
    del request.META["REMOTE_ADDR"]
    assert client_ip(request) is None
