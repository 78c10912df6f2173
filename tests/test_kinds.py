"""The registry of content kinds (therapies/models/kinds.py): it covers every content model, every name it
declares exists, every generic part of the site serves every kind, both search paths weigh a kind's
document alike, and the draft preview tells kinds apart."""

import datetime
import importlib
import itertools

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone

from therapies import workflow
from therapies.admin import dashboard
from therapies.admin.content import PublishStateAdmin
from therapies.editorial.backup import export_data
from therapies.editorial.review_cycle import due_for_review, review_interval_days
from therapies.models import KINDS, PublishState, Therapy, Trial, content_models, kind_for, kind_named, page_kinds
from therapies.models.kinds import WEIGHTS, check_review_intervals, path_field
from therapies.site import search
from therapies.workflow.drafting import delete_unpublished

from .factories import link_risk, make_risk, make_therapy, make_trial
from .workflow_helpers import draft_change

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="the tsvector exists on PostgreSQL only")
each_kind = pytest.mark.parametrize("kind", KINDS, ids=[kind.name for kind in KINDS])
each_page_kind = pytest.mark.parametrize("kind", page_kinds(), ids=[kind.name for kind in page_kinds()])


def a_live_row(kind):
    """A live row of the kind from the seed content (a new kind brings seed fixtures too)."""
    row = kind.model.objects.live().order_by("pk").first()
    assert row is not None, f"the seed has no live {kind.verbose_name}: add one to fixtures/"
    return row


# --- The registry is complete and every name in it exists ---------------------------------------------------


def test_every_model_with_the_publish_state_mixin_is_a_registered_kind():
    publishable = {model for model in apps.get_app_config("therapies").get_models() if issubclass(model, PublishState)}
    assert publishable == set(content_models())
    assert len({kind.name for kind in KINDS}) == len(KINDS)


@each_kind
def test_every_name_a_kind_declares_resolves(kind):
    assert kind_for(kind.model) is kind and kind_named(kind.name) is kind
    if kind.has_page:
        reverse(kind.url_name, args=["a-slug"])
        reverse(kind.list_url_name)
    else:  # search hits, the sitemap and the preview all need the page
        assert not (kind.list_url_name or kind.search)
    kind.model._meta.get_field(kind.title_field)
    for path in kind.search.paths if kind.search else ():
        path_field(kind.model, path)
    for follows in kind.search.follows if kind.search else ():  # leads to a kind that search finds exactly
        assert kind_for(path_field(kind.model, follows.path).related_model).search.identifiers
        str(kind.model.objects.order_by(*follows.order).query)
    identifiers = [identifier.field for identifier in kind.search.identifiers] if kind.search else []
    for name in [*(kind.search.snippet if kind.search else ()), *identifiers]:
        kind.model._meta.get_field(name)
    for name in [*kind.safety_fields, *kind.prose]:
        kind.model._meta.get_field(name)
    for child in kind.children:
        assert kind.model._meta.get_field(child.relation).related_model is child.model
        assert child.model._meta.get_field(child.parent).related_model is kind.model
        for name in {child.key, *child.fields, *child.safety_fields}:
            child.model._meta.get_field(name)
    for link in kind.links:
        holder = kind.child(link.child).model if link.child else kind.model
        assert holder._meta.get_field(link.field).related_model in content_models()


@each_kind
def test_every_kind_has_a_read_only_admin_that_offers_edit_in_a_change_request(kind):
    assert isinstance(admin.site._registry.get(kind.model), PublishStateAdmin)


def _protected_targets(model: type[models.Model]) -> set[type[models.Model]]:
    return {
        f.related_model
        for f in model._meta.concrete_fields
        if f.is_relation and f.remote_field.on_delete is models.PROTECT
    }


def test_delete_order_puts_a_row_before_whatever_it_protects():
    for kind in KINDS:
        holders = [kind.model, *(child.model for child in kind.children)]
        for target in set().union(*map(_protected_targets, holders)) & set(content_models()):
            assert kind.delete_order < kind_for(target).delete_order, (kind.name, target)


def test_never_published_rows_of_every_kind_are_deleted_whatever_order_they_come_in():
    therapy = make_therapy(live=False)
    trial = make_trial(therapy=therapy, live=False)
    risk = make_risk(live=False)
    link_risk(therapy, risk)
    delete_unpublished([risk, therapy, trial])  # each protected by the one after it
    assert not any(type(row).objects.filter(pk=row.pk).exists() for row in (risk, therapy, trial))


# --- Every generic part of the site serves every kind -------------------------------------------------------------


@each_page_kind
def test_every_kind_is_found_by_search_on_both_paths(kind, monkeypatch):
    row = a_live_row(kind)
    title = getattr(row, kind.title_field)
    hits = search.search(title).hits
    assert (kind.name, row.pk) in {(hit.kind, hit.obj.pk) for hit in hits}
    assert next(hit for hit in hits if hit.obj.pk == row.pk and hit.kind == kind.name).kind_label == kind.label
    monkeypatch.setattr(search, "is_postgresql", lambda: False)
    assert (kind.name, row.pk) in {(hit.kind, hit.obj.pk) for hit in search.search(title).hits}


@each_page_kind
def test_every_kind_is_in_the_sitemap_with_its_public_address(kind, client):
    row = a_live_row(kind)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"<loc>http://testserver{row.get_absolute_url()}</loc>" in sitemap
    assert f"<loc>http://testserver{reverse(kind.list_url_name)}</loc>" in sitemap


@each_kind
def test_every_kind_is_in_the_backup_export(kind):
    row = a_live_row(kind)
    exported = export_data()["models"][kind.model._meta.label_lower]
    assert row.pk in {item["pk"] for item in exported}


@each_kind
def test_every_kind_is_in_the_review_cycle_and_on_the_reviewers_dashboard(kind, reviewer):
    row = a_live_row(kind)
    kind.model.objects.filter(pk=row.pk).update(next_review_due=timezone.localdate() - datetime.timedelta(days=3))
    assert (kind.name, row.pk, True) in {(item.model_name, item.pk, item.overdue) for item in due_for_review()}
    overdue = next(section for section in dashboard.sections_for(reviewer) if section.key == "overdue")
    assert reverse(f"admin:therapies_{kind.name}_change", args=[row.pk]) in {r.url for r in overdue.rows}


@each_kind
def test_every_kind_can_be_scheduled_to_come_off_the_site(kind, reviewer):
    row = a_live_row(kind)
    at = timezone.now() + datetime.timedelta(hours=1)
    workflow.schedule_unpublish(obj=row, user=reviewer, at=at, reason="Withdrawn from the market.")
    outcomes = workflow.publish_due(now=at + datetime.timedelta(minutes=1))
    assert [o.ok for o in outcomes if o.action == "unpublish"] == [True]
    assert not kind.model.objects.live().filter(pk=row.pk).exists()


@each_page_kind
def test_every_kind_can_be_previewed_published_and_listed_in_the_change_log(kind, client, editor, reviewer):
    row = a_live_row(kind)
    change_request, revision = draft_change(editor, row, summary=f"A reviewed summary of this {kind.verbose_name}.")
    client.force_login(editor)
    preview = client.get(reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk]))
    assert preview.status_code == 200
    assert "Preview — not published" in preview.content.decode()
    assert f"A reviewed summary of this {kind.verbose_name}." in preview.content.decode()
    workflow.submit(change_request=change_request, user=editor, change_note=f"Clarified the {kind.verbose_name}.")
    workflow.approve(change_request=change_request, user=reviewer)
    workflow.publish(change_request=change_request, user=reviewer)
    updates = client.get(reverse("updates")).content.decode()
    assert f'href="{row.get_absolute_url()}"' in updates


@each_page_kind
def test_every_kind_with_a_page_offers_the_correction_form(kind, client):
    row = a_live_row(kind)
    response = client.get(reverse("suggest_correction", args=[kind.name, row.slug]))
    assert response.status_code == 200 and response.context["page_object"] == row


@each_kind
def test_every_kind_can_be_added_in_a_change_request(kind, client, editor):
    change_request = workflow.start_change_request(user=editor, title="New content")
    client.force_login(editor)
    review_page = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk]))
    assert (kind.name, kind.verbose_name) in review_page.context["addable"]
    page = client.get(reverse("admin:therapies_object_new", args=[change_request.pk, kind.name]))
    assert page.status_code == 200 and page.context["model_name"] == kind.name


@each_kind
def test_every_kind_has_its_own_review_interval(kind, settings, monkeypatch):
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {kind.name: 123}
    assert review_interval_days(kind.model) == 123
    assert check_review_intervals() == []
    import msinfo.settings as project_settings

    monkeypatch.setenv(kind.review_interval_variable, "77")
    try:
        assert importlib.reload(project_settings).REVIEW_INTERVAL_DAYS_BY_TYPE == {kind.name: 77}
    finally:
        monkeypatch.delenv(kind.review_interval_variable)
        importlib.reload(project_settings)


def test_a_review_interval_for_no_kind_is_reported(settings):
    settings.REVIEW_INTERVAL_DAYS_BY_TYPE = {"therpy": 100}
    warnings = check_review_intervals()
    assert [w.id for w in warnings] == ["therapies.W001"]
    assert "REVIEW_INTERVAL_DAYS_THERPY" in warnings[0].msg and "REVIEW_INTERVAL_DAYS_THERAPY" in warnings[0].hint


# --- Search: one document, the same weights on PostgreSQL and elsewhere -----------------------------------------


_tokens = (f"zq{a}{b}" for a, b in itertools.product("bcdfgkmnpvwx", repeat=2))


def _put_token(row: models.Model, path: str, token: str) -> list[models.Model]:
    """Write `x <token>` into the field at `path` for this row (through a related row where the path crosses
    a relation). Returns the rows changed."""
    *hops, last = path.split("__")
    target = row
    for hop in hops:
        related = getattr(target, hop)
        target = related.order_by("pk").first() if hasattr(related, "all") else related
        assert target is not None, f"{row} has no {hop} to write {path} into"
    f = target._meta.get_field(last)
    value = f"x-{token}" if isinstance(f, models.SlugField) else f"x {token}"
    type(target).objects.filter(pk=target.pk).update(**{last: value})
    return [type(target).objects.get(pk=target.pk), type(row).objects.get(pk=row.pk)]


def _weighted_paths():
    for kind in search.searched_kinds():
        for letter, paths in kind.search.weighted:
            for path in paths:
                if not path_field(kind.model, path).choices:  # choices: see the label test below
                    yield pytest.param(kind, letter, path, id=f"{kind.name}-{path}")


@pytest.mark.parametrize(("kind", "letter", "path"), list(_weighted_paths()))
def test_both_search_paths_search_every_field_of_a_kinds_document_at_its_weight(kind, letter, path, monkeypatch):
    row = a_live_row(kind)
    token = next(_tokens)
    search.update_index(_put_token(row, path, token))
    if connection.vendor == "postgresql":
        vector = kind.model.objects.filter(pk=row.pk).values_list("search_vector", flat=True).get()
        assert f"'{token}':" in str(vector) and str(vector).split(f"'{token}':")[1].split(" ")[0][-1] == letter
        found = search.search(token, per_page=search.MAX_RESULTS).hits
        assert (kind.name, row.pk) in {(hit.kind, hit.obj.pk) for hit in found}
    monkeypatch.setattr(search, "is_postgresql", lambda: False)
    found = search.search(token, per_page=search.MAX_RESULTS).hits  # a shared MS course matches many rows
    hit = next(hit for hit in found if (hit.kind, hit.obj.pk) == (kind.name, row.pk))
    assert hit.rank == WEIGHTS[letter]


def test_a_choice_field_is_searched_by_its_label_on_both_paths(monkeypatch):
    risk = make_risk(severity="life-threatening", summary="A risk made up for tests.")
    search.update_index([risk])
    # "Potentially" is only in the label ("Potentially life-threatening"), never in the stored value.
    assert risk.pk in {hit.obj.pk for hit in search.search("potentially").hits if hit.kind == "risk"}
    monkeypatch.setattr(search, "is_postgresql", lambda: False)
    assert risk.pk in {hit.obj.pk for hit in search.search("potentially").hits if hit.kind == "risk"}


@pytest.mark.parametrize("postgresql", [pytest.param(True, marks=on_postgresql), False], ids=["postgresql", "simple"])
def test_a_word_in_a_name_outranks_the_same_word_in_the_long_text_on_both_paths(postgresql, monkeypatch):
    in_text = make_risk(name="Test risk of the long text", description="Described: zqwordx in the long text.")
    in_name = make_risk(name="Zqwordx reaction")
    search.update_index([in_text, in_name])
    if not postgresql:
        monkeypatch.setattr(search, "is_postgresql", lambda: False)
    ranked = [hit.obj.pk for hit in search.search("zqwordx").hits if hit.kind == "risk"]
    assert ranked.index(in_name.pk) < ranked.index(in_text.pk)


# --- The draft preview tells kinds apart (issue 10, part 4) --------------------------------------------------------


def _shared_pk() -> int:
    """An id no therapy and no trial has yet."""
    highest = max(Therapy.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
                  Trial.objects.order_by("-pk").values_list("pk", flat=True).first() or 0)
    return highest + 100


def test_preview_lists_trials_drafted_in_the_change_request_not_others_that_share_an_id(client, editor):
    """A therapy's preview shows its live trials and those drafted alongside it. It must match revisions on
    content type *and* id: by id alone, an unrelated unpublished trial whose id equals the therapy's
    (the object the change request does hold) was shown as if it were about to be published."""
    shared = _shared_pk()
    therapy = make_therapy(pk=shared)
    stranger = make_trial(pk=shared, therapy=therapy, live=False, name="UNRELATED-DRAFT-TRIAL")
    drafted = make_trial(therapy=therapy, live=False, name="DRAFTED-ALONGSIDE-TRIAL")
    assert stranger.pk == therapy.pk
    change_request, revision = draft_change(editor, therapy)
    workflow.add_object(change_request=change_request, user=editor, obj=drafted)
    client.force_login(editor)
    html = client.get(reverse("admin:therapies_revision_preview", args=[change_request.pk, revision.pk])).content
    assert "DRAFTED-ALONGSIDE-TRIAL" in html.decode()
    assert "UNRELATED-DRAFT-TRIAL" not in html.decode()
