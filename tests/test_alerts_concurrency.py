"""Safety alerts under races, on PostgreSQL (issue 26): two senders at once send each alert exactly once, and
parallel subscribe requests cannot slip past the rate limit. Real connections in threads; a real SMTP server."""

from django.core.management import call_command
from django.utils import timezone

from therapies.editorial.alert_links import Choice
from therapies.models import AlertEvent, AlertSignup, AlertSubscriber, AlertSubscription, OutboundEmail
from therapies.site import alerts as site_alerts

from .test_concurrency import postgres_only, run_together

SUBSCRIBERS = 240  # several queue chunks and many claim batches, so the two runs really interleave


def followers_and_a_change() -> list[AlertSubscriber]:
    confirmed = timezone.now()
    subscribers = AlertSubscriber.objects.bulk_create(
        [AlertSubscriber(email=f"r{n:04d}@example.org", confirmed_at=confirmed) for n in range(SUBSCRIBERS)])
    AlertSubscription.objects.bulk_create(
        [AlertSubscription(subscriber=s, therapy=None, level="safety") for s in subscribers])
    AlertEvent.objects.create(action="publish", significance="safety", note="Raced safety change.",
                              occurred_at=timezone.now(), therapy_ids=[], pages=[])
    return subscribers


@postgres_only
def test_two_runs_at_once_queue_each_alert_exactly_once(transactional_db, monkeypatch):
    from therapies.editorial import alerts

    monkeypatch.setattr(alerts, "QUEUE_CHUNK", 20)  # many chunks, so the two runs really interleave
    subscribers = followers_and_a_change()
    results = run_together(alerts.queue_events, alerts.queue_events)
    assert sum(results) == SUBSCRIBERS, results
    queued = list(OutboundEmail.objects.values_list("to", flat=True))
    assert sorted(queued) == sorted(s.email for s in subscribers)


@postgres_only
def test_two_senders_at_once_send_each_alert_exactly_once(transactional_db, mail_server):
    from therapies.editorial import alerts

    subscribers = followers_and_a_change()
    alerts.queue_events()

    def send():
        call_command("send_alerts", "--quiet")

    results = run_together(send, send)
    assert results == [None, None], results
    received = [message["To"] for message in mail_server.messages()]
    assert len(received) == SUBSCRIBERS and sorted(received) == sorted(s.email for s in subscribers)
    assert OutboundEmail.objects.filter(sent_at__isnull=False).count() == SUBSCRIBERS
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()


@postgres_only
def test_parallel_requests_for_one_address_stop_at_the_limit(transactional_db):
    choice = Choice(email="raced@example.org", therapy_id=None, level="safety", frequency="immediate")

    def ask(number):
        client_key = site_alerts.keyed_hash("client", f"10.0.0.{number}")
        return lambda: site_alerts.subscribe(choice=choice, client_key=client_key)

    results = run_together(*(ask(n) for n in range(site_alerts.RATE_PER_ADDRESS + 4)))
    refused = [r for r in results if isinstance(r, site_alerts.RateLimited)]
    assert len(refused) == 4, results
    assert AlertSignup.objects.count() == OutboundEmail.objects.count() == site_alerts.RATE_PER_ADDRESS
    assert AlertSubscriber.objects.count() == 1
