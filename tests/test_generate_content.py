"""manage.py generate_content: labelled, valid, linked synthetic content with history; safe to re-run."""

import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError

from therapies.editorial.history import published_history
from therapies.editorial.snapshots import snapshot_of, validate_snapshot
from therapies.models import ChangeRequest, Reference, Revision, Risk, State, Therapy, TherapyRisk, Trial
from therapies.site import caching

pytestmark = pytest.mark.django_db


def generate(**options) -> str:
    out = io.StringIO()
    call_command("generate_content", stdout=out, **{"therapies": 3, "trials": 12, "risks": 5, "force": True,
                                                     **options})
    return out.getvalue()


def synthetic(model):
    return model.objects.filter(slug__startswith="synthetic-")


def test_refuses_to_run_with_debug_off_without_force(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_content", therapies=2, trials=2, risks=2)
    assert not synthetic(Therapy).exists()


def test_generates_the_requested_counts_and_says_so():
    output = generate()
    assert (synthetic(Therapy).count(), synthetic(Trial).count(), synthetic(Risk).count()) == (3, 12, 5)
    assert "Generated 3 therapies, 12 trials, 5 risks" in output


def test_content_is_clearly_labelled_as_synthetic():
    generate()
    for model in (Therapy, Trial, Risk):
        for obj in synthetic(model):
            assert obj.name.lower().startswith("synthetic"), obj
            assert "not medical information" in obj.summary, obj
    assert "not medical information" in synthetic(Therapy).first().body


def test_generated_rows_are_valid_and_realistically_sized():
    generate()
    for model in (Therapy, Trial, Risk):
        for obj in synthetic(model)[:3]:
            obj.full_clean()
            validate_snapshot(model, obj.live_revision.snapshot, obj)
    for reference in Reference.objects.filter(key__startswith="synthetic-")[:3]:
        reference.full_clean()
    assert all(len(t.body) >= 3000 for t in synthetic(Therapy))
    assert all(len(r.description) >= 1500 for r in synthetic(Risk))


def test_content_is_linked_and_live():
    generate()
    therapy = synthetic(Therapy).first()
    assert therapy.live and therapy.trials.count() == 4
    assert TherapyRisk.objects.filter(therapy=therapy).count() == 5
    assert therapy.references.exists() and therapy.approved_indications.exists() and therapy.routes.exists()
    assert therapy.pregnancy and therapy.pregnancy_references.exists()
    assert synthetic(Trial).first().references.exists()


def test_live_revision_matches_the_live_row_and_history_has_rows():
    generate()
    for model in (Therapy, Trial, Risk):
        obj = synthetic(model).first()
        history = published_history(obj)
        assert history and history[0].pk == obj.live_revision_id
        assert obj.live_revision.snapshot == snapshot_of(obj)
    therapy = synthetic(Therapy).first()
    assert len(published_history(therapy)) == 2  # every therapy has an earlier version
    assert not ChangeRequest.objects.filter(title__startswith="[synthetic]").exclude(state=State.PUBLISHED).exists()


def test_pages_answer_for_generated_content(client):
    generate()
    for model in (Therapy, Trial, Risk):
        obj = synthetic(model).last()
        response = client.get(obj.get_absolute_url())
        assert response.status_code == 200
        assert obj.name in response.content.decode()


def test_second_run_refuses_without_clear_and_changes_nothing():
    generate()
    revisions = Revision.objects.count()
    with pytest.raises(CommandError, match="--clear"):
        generate()
    assert synthetic(Trial).count() == 12 and Revision.objects.count() == revisions


def test_clear_replaces_earlier_synthetic_content_only():
    generate()
    seed_therapies = Therapy.objects.exclude(slug__startswith="synthetic-").count()
    output = generate(clear=True, therapies=2, trials=3, risks=2)
    assert "Removed earlier synthetic content" in output
    assert (synthetic(Therapy).count(), synthetic(Trial).count(), synthetic(Risk).count()) == (2, 3, 2)
    assert Therapy.objects.exclude(slug__startswith="synthetic-").count() == seed_therapies


def test_another_prefix_adds_a_separate_batch():
    generate()
    generate(prefix="batch2")
    assert Therapy.objects.filter(slug__startswith="batch2-").count() == 3
    assert synthetic(Therapy).count() == 3


def test_bad_prefix_is_refused():
    with pytest.raises(CommandError, match="lower-case"):
        generate(prefix="Not A Slug")


def test_generation_invalidates_cached_pages(settings):
    settings.PAGE_CACHE = True
    cache.clear()
    before = caching.current_version()
    generate()
    assert caching.current_version() != before
