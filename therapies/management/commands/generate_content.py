"""Generate synthetic, clearly labelled content for load and scale tests (never for a real site).

    manage.py generate_content --therapies 500 --trials 20000 --risks 1000

Every row is named "Synthetic …" and its summary says it is synthetic content for load testing,
not medical information. Rows are live, with realistic field sizes (bodies of a few KB of
Markdown), links (trials → therapies, therapy–risk rows, references, routes, indications, MS
courses) and a published history (change requests and revisions), so list, detail and history
pages do real work.

Rows are recognised by their slug prefix (`--prefix`, default "synthetic"): a second run refuses
to mix with an earlier one unless `--clear` removes that earlier content first. Writes go through
bulk_create in batches, in one transaction. Refuses to run with DEBUG off unless `--force`.
"""

import copy
import datetime
import random
import re
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from therapies.editorial.snapshots import child_rows, editable_fields, m2m_fields
from therapies.management.progress import ProgressCommand
from therapies.models import (
    AdministrationRoute,
    ChangeRequest,
    DrugClass,
    Frequency,
    Indication,
    MSCourse,
    Phase,
    PublicChange,
    PublicEvent,
    Reference,
    ReferenceKind,
    Revision,
    Risk,
    Severity,
    Significance,
    State,
    Therapy,
    TherapyRisk,
    Trial,
    content_models,
    page_kinds,
)

LABEL = "Synthetic content for load testing — not medical information"
OBJECTS_PER_CHANGE_REQUEST = 50
RISKS_PER_THERAPY = 8
# A figure inside its category's band (models/risk_figures.py: a badge never contradicts its figure).
SYNTHETIC_PERCENT = {"very-common": 24, "common": 5, "uncommon": 0.5, "rare": 0.05, "very-rare": 0.005}
# A share of trials gets a second published version (every therapy and risk does).
TRIAL_UPDATE_SHARE = 0.1

WORDS = (
    "relapse lesion infusion lymphocyte monitoring baseline placebo cohort randomised efficacy disability "
    "progression annualised endpoint antibody receptor neurologist serum dose titration interval safety "
    "tolerability infection vaccination pregnancy washout adherence imaging gadolinium enhancing brain "
    "volume follow-up extension label regulator evidence participant outcome hazard ratio confidence"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(sentences))


class TextPool:
    """Pre-built paragraphs and lists, so 20 000 bodies cost string joins, not random words."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.paragraphs = [_paragraph(rng, rng.randint(3, 6)) for _ in range(200)]
        self.items = [_sentence(rng, rng.randint(4, 9)) for _ in range(200)]

    def markdown(self, title: str, target_bytes: int) -> str:
        rng = self.rng
        parts = [f"_{LABEL}._", ""]
        section = 1
        while sum(len(p) for p in parts) < target_bytes:
            parts += [f"## {title}: section {section}", "", rng.choice(self.paragraphs), ""]
            if section % 2:
                parts += [f"- {item}" for item in rng.sample(self.items, 4)] + [""]
            parts += [rng.choice(self.paragraphs), ""]
            section += 1
        return "\n".join(parts).strip()

    def plain(self, max_length: int) -> str:
        return self.rng.choice(self.paragraphs)[:max_length].rsplit(" ", 1)[0] + "."

    def items_markdown(self, count: int) -> str:
        return "\n".join(f"- {item}" for item in self.rng.sample(self.items, count))


_encoder = DjangoJSONEncoder()


def _json_value(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return _encoder.default(value)


def snapshot_from_memory(obj: models.Model, m2m: dict[str, list[int]], children: dict | None = None) -> dict:
    """The same snapshot snapshots.snapshot_of() would take, built without a query per object."""
    model = type(obj)
    fields = {f.name: _json_value(getattr(obj, f.attname)) for f in editable_fields(model)}
    return {
        "fields": fields,
        "m2m": {f.name: sorted(m2m.get(f.name, [])) for f in m2m_fields(model)},
        "children": {spec.relation: (children or {}).get(spec.relation, []) for spec in child_rows(model)},
    }


class Command(ProgressCommand):
    help = "Generate synthetic, clearly labelled live content with history, for load and scale tests."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--therapies", type=int, default=50)
        parser.add_argument("--trials", type=int, default=500)
        parser.add_argument("--risks", type=int, default=100)
        parser.add_argument("--prefix", default="synthetic",
                            help="Slug prefix marking this batch (lower-case letters, digits, hyphens).")
        parser.add_argument("--clear", action="store_true",
                            help="First delete content generated earlier with the same prefix.")
        parser.add_argument("--force", action="store_true", help="Run even though DEBUG is off.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (the same seed gives the same text).")
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off, so this may be a production database: synthetic content is for load tests only. "
                "Run with DEBUG=1, or add --force if this really is a throwaway database."
            )
        prefix = options["prefix"]
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", prefix):
            raise CommandError("--prefix takes lower-case letters, digits and single hyphens, for example “synthetic”.")
        counts = {name: options[name] for name in ("therapies", "trials", "risks")}
        if counts["therapies"] < 1 or counts["risks"] < 0 or counts["trials"] < 0:
            raise CommandError("Give at least one therapy, and no negative numbers of trials or risks.")
        self.prefix = prefix
        self.label = "Synthetic" if prefix == "synthetic" else f"Synthetic {prefix}"
        self.batch = options["batch_size"]
        self.rng = random.Random(options["seed"])  # noqa: S311  repeatable synthetic text, not a secret
        self.text = TextPool(self.rng)
        started = time.monotonic()
        self.made = self.progress("Generating pages")
        with transaction.atomic():
            existing = self._existing()
            if any(qs.exists() for qs in existing.values()):
                if not options["clear"]:
                    raise CommandError(
                        f"Synthetic content with the prefix “{prefix}” already exists. Run again with --clear "
                        "to replace it, or choose another --prefix."
                    )
                self._clear(existing)
            made = self._generate(**counts)
        self.made.finish()
        self._after_generation()
        seconds = time.monotonic() - started
        summary = ", ".join(f"{count} {name}" for name, count in made.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {summary} in {seconds:.1f} s (prefix “{prefix}”)."))

    # --- Clearing --------------------------------------------------------------------------

    def _existing(self) -> dict[str, models.QuerySet]:
        slug = f"{self.prefix}-"
        return {
            **{kind.plural: kind.model.objects.filter(slug__startswith=slug) for kind in page_kinds()},
            "references": Reference.objects.filter(key__startswith=slug),
            "public record": PublicChange.objects.filter(change_request__title__startswith=f"[{self.prefix}] "),
            "change requests": ChangeRequest.objects.filter(title__startswith=f"[{self.prefix}] "),
        }

    def _clear(self, existing: dict[str, models.QuerySet]) -> None:
        # Content in its kinds' delete order (trials protect their therapy, therapy–risk rows their risk).
        kinds = sorted(page_kinds(), key=lambda kind: kind.delete_order)
        removed = []
        for name in [*(kind.plural for kind in kinds), "references", "public record", "change requests"]:
            count, _ = existing[name].delete()
            removed.append(f"{name}: {count} rows")
        self.stdout.write("Removed earlier synthetic content (" + "; ".join(removed) + ").")

    # --- Generating --------------------------------------------------------------------------

    def _users(self):
        User = get_user_model()
        users = []
        for role in ("editor", "reviewer"):
            user, created = User.objects.get_or_create(
                username=f"synthetic-{role}",
                defaults={"first_name": "Synthetic", "last_name": role.capitalize(), "is_active": False},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            users.append(user)
        return users

    def _publish_state(self, when: datetime.datetime, reviewer) -> dict:
        return {
            "live": True,
            "first_published_at": when - datetime.timedelta(days=400),
            "last_published_at": when,
            "last_reviewed_at": when,
            "last_reviewed_by": reviewer,
            "next_review_due": timezone.localdate(when) + datetime.timedelta(days=settings.REVIEW_INTERVAL_DAYS),
        }

    def _generate(self, *, therapies: int, trials: int, risks: int) -> dict[str, int]:
        rng, text, label, prefix = self.rng, self.text, self.label, self.prefix
        editor, reviewer = self._users()
        now = timezone.now()
        courses = list(MSCourse.objects.values_list("pk", flat=True))
        routes = list(AdministrationRoute.objects.values_list("pk", flat=True))
        indications = list(Indication.objects.values_list("pk", flat=True))

        references = Reference.objects.bulk_create(
            [
                Reference(
                    key=f"{prefix}-ref-{n:05d}",
                    kind=ReferenceKind.ARTICLE,
                    title=f"{label} reference {n:05d}: {text.plain(200)}",
                    source=f"Synthetic Journal of Load Testing {rng.randint(1, 40)}:{rng.randint(1, 900)}",
                    year=rng.randint(2000, timezone.localdate().year),
                    authors="Synthetic A, et al.",
                    pmid=str(900000000 + n),
                    doi=f"10.5555/{prefix}.{n}",
                    **self._publish_state(now, reviewer),
                )
                for n in range(1, max(20, (therapies + risks) // 5) + 1)
            ],
            batch_size=self.batch,
        )
        ref_ids = [r.pk for r in references]

        def when(n: int) -> datetime.datetime:
            return now - datetime.timedelta(days=rng.randint(1, 300), minutes=n)

        therapy_rows = []
        for n in range(1, therapies + 1):
            name = f"{label} therapy {n:04d}"
            therapy_rows.append(Therapy(
                name=name,
                slug=f"{prefix}-therapy-{n:04d}",
                brand_names=f"Synthera {n:04d}, Loadtestra {n:04d}",
                drug_class=rng.choice(DrugClass.values),
                class_description="synthetic monoclonal antibody (load-test content)",
                molecular_target=f"Synthetic target {rng.randint(1, 40)}",
                mechanism=text.markdown(f"{name} mechanism", 600),
                formulations=text.markdown(f"{name} formulations", 200),
                dosing=text.markdown(f"{name} dosing", 300),
                indication_notes=text.plain(250),
                fda_approval_date=datetime.date(rng.randint(1995, 2023), rng.randint(1, 12), rng.randint(1, 28)),
                eu_approval_date=datetime.date(rng.randint(1995, 2023), rng.randint(1, 12), rng.randint(1, 28)),
                summary=f"{name}. {LABEL}.",
                body=text.markdown(name, 4000),
                monitoring=text.markdown(f"{name} monitoring", 1000),
                pregnancy=text.markdown(f"{name} pregnancy and breastfeeding", 600),
                contraindications=text.markdown(f"{name} who should not take it", 400),
                urgent_help=text.markdown(f"{name} when to get urgent help", 400),
                **self._publish_state(when(n), reviewer),
            ))
        therapy_rows = Therapy.objects.bulk_create(therapy_rows, batch_size=self.batch)
        pages = therapies + risks + trials
        self.made(therapies, pages)

        risk_rows = []
        for n in range(1, risks + 1):
            name = f"{label} risk {n:04d}"
            risk_rows.append(Risk(
                name=name,
                slug=f"{prefix}-risk-{n:04d}",
                summary=f"{name}. {LABEL}.",
                description=text.markdown(name, 2000),
                severity=rng.choice(Severity.values),
                boxed_warning=rng.random() < 0.05,
                monitoring=text.markdown(f"{name} monitoring", 800),
                **self._publish_state(when(n), reviewer),
            ))
        risk_rows = Risk.objects.bulk_create(risk_rows, batch_size=self.batch)
        self.made(therapies + risks, pages)

        # Links: therapy–risk rows (with figures), indications and references.
        links: dict[tuple[type, int], dict[str, list[dict]]] = {}
        therapy_risks = []
        for therapy in therapy_rows:
            chosen = rng.sample(risk_rows, min(RISKS_PER_THERAPY, len(risk_rows)))
            rows = []
            for risk in sorted(chosen, key=lambda r: r.pk):
                frequency = rng.choice(Frequency.values)
                known = frequency != Frequency.NOT_KNOWN  # "not known" states no number (figure_errors)
                row = {"risk": risk.pk, "frequency": frequency,
                       "figure": f"{SYNTHETIC_PERCENT[frequency]}% (synthetic)" if known else "",
                       "measure": "synthetic measure over a synthetic time" if known else "",
                       "category_counts": "", "comparator": "", "comparator_figure": "", "comparator_trial": None,
                       "boxed_warning": rng.random() < 0.03, "notes": text.plain(120)}
                rows.append(row)
                therapy_risks.append(TherapyRisk(therapy=therapy, risk_id=risk.pk, **{
                    k: v for k, v in row.items() if k != "risk"}))
            links[(Therapy, therapy.pk)] = {"therapy_risks": rows}
        TherapyRisk.objects.bulk_create(therapy_risks, batch_size=self.batch)

        def pick(pool: list[int], low: int, high: int):
            return lambda: rng.sample(pool, min(len(pool), rng.randint(low, high)))

        m2m: dict[tuple[type, int], dict[str, list[int]]] = {}
        self._link(Therapy, therapy_rows, "routes", pick(routes, 1, 2), m2m)
        self._link(Therapy, therapy_rows, "approved_indications", pick(indications, 1, 3), m2m)
        self._link(Therapy, therapy_rows, "references", pick(ref_ids, 3, 6), m2m)
        for section in ("pregnancy_references", "contraindications_references", "urgent_help_references"):
            self._link(Therapy, therapy_rows, section, pick(ref_ids, 1, 2), m2m)
        self._link(Risk, risk_rows, "references", pick(ref_ids, 2, 3), m2m)

        trial_rows, batch = [], []
        next_nct = self._next_nct_number()
        for n in range(1, trials + 1):
            name = f"{label.upper()} TRIAL {n:05d}"
            therapy = therapy_rows[(n - 1) % len(therapy_rows)]
            batch.append(Trial(
                name=name,
                slug=f"{prefix}-trial-{n:05d}",
                nct_id=f"NCT8{next_nct + n - 1:07d}",
                phase=rng.choice(Phase.values),
                therapy=therapy,
                comparator=rng.choice(["placebo", "interferon beta-1a", "teriflunomide", "synthetic comparator"]),
                population=text.plain(280),
                number_randomised=rng.randint(20, 2000),
                duration=f"{rng.choice([48, 96, 120, 144])} weeks",
                primary_endpoint=text.plain(200),
                headline_result=f"Synthetic result: ARR {rng.random():.2f} vs {rng.random():.2f}. {text.plain(150)}",
                publication=f"Synthetic A, et al. Synthetic Journal of Load Testing {2000 + n % 24}",
                summary=f"{name}. {LABEL}.",
                body=text.markdown(name, 1500),
                **self._publish_state(when(n), reviewer),
            ))
            if len(batch) == self.batch or n == trials:  # a batch at a time, so that progress moves
                trial_rows += Trial.objects.bulk_create(batch)
                batch = []
                self.made(therapies + risks + n, pages)
        self._link(Trial, trial_rows, "population_courses", pick(courses, 1, 2), m2m)
        self._link(Trial, trial_rows, "references", pick(ref_ids, 1, 2), m2m)

        revisions = self._history(
            therapy_rows, risk_rows, trial_rows, m2m=m2m, links=links, editor=editor, reviewer=reviewer, now=now
        )
        return {
            "therapies": len(therapy_rows),
            "trials": len(trial_rows),
            "risks": len(risk_rows),
            "therapy–risk links": len(therapy_risks),
            "references": len(references),
            "published revisions": revisions,
        }

    def _link(self, model, rows, field_name: str, choose, m2m: dict) -> None:
        """Bulk-create many-to-many rows and remember them for the snapshots."""
        field = model._meta.get_field(field_name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        links = []
        for obj in rows:
            ids = choose()
            m2m.setdefault((model, obj.pk), {})[field_name] = ids
            links += [through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in ids]
        through.objects.bulk_create(links, batch_size=self.batch)

    def _next_nct_number(self) -> int:
        """Synthetic trials use NCT8xxxxxxx ids, after any generated before (other prefixes)."""
        synthetic_ids = Trial.objects.filter(nct_id__startswith="NCT8").order_by("-nct_id")
        last = synthetic_ids.values_list("nct_id", flat=True).first()
        return int(last[4:]) + 1 if last else 1

    def _history(self, therapies, risks, trials, *, m2m, links, editor, reviewer, now) -> int:
        """Two published versions of every therapy and risk and of a share of trials; one of the rest.

        The live row is the latest version; the earlier one differs in its body, so history and
        diff pages have something to show.
        """
        objects = [*therapies, *risks, *trials]
        content_types = {model: ContentType.objects.get_for_model(model) for model in content_models()}
        snapshots = {}
        for obj in objects:
            key = (type(obj), obj.pk)
            snapshots[key] = snapshot_from_memory(obj, m2m.get(key, {}), links.get(key))
        updated = [*therapies, *risks, *self.rng.sample(trials, int(len(trials) * TRIAL_UPDATE_SHARE))]
        updated_keys = {(type(o), o.pk) for o in updated}

        def earlier(snapshot: dict) -> dict:
            old = copy.deepcopy(snapshot)
            for name in ("body", "description"):
                if old["fields"].get(name):
                    old["fields"][name] = old["fields"][name].rsplit("\n\n", 2)[0]
            return old

        first_published = now - datetime.timedelta(days=400)
        rounds = [
            ("initial version", objects, first_published,
             lambda key: earlier(snapshots[key]) if key in updated_keys else snapshots[key]),
            ("update", updated, now - datetime.timedelta(days=30), lambda key: snapshots[key]),
        ]
        total = 0
        first_revisions: dict[tuple, Revision] = {}
        for what, members, published_at, snapshot_for in rounds:
            size = OBJECTS_PER_CHANGE_REQUEST
            chunks = [members[i:i + size] for i in range(0, len(members), size)]
            change_requests = ChangeRequest.objects.bulk_create(
                [
                    ChangeRequest(
                        title=f"[{self.prefix}] Synthetic content batch {n} ({what})",
                        change_note=f"{LABEL}: {what} of {len(chunk)} synthetic pages.",
                        significance=self.rng.choice(Significance.values),
                        state=State.PUBLISHED,
                        created_by=editor,
                        submitted_at=published_at,
                        approved_by=reviewer,
                        approved_at=published_at,
                        published_by=reviewer,
                        published_at=published_at,
                    )
                    for n, chunk in enumerate(chunks, start=1)
                ],
                batch_size=self.batch,
            )
            through = ChangeRequest.authors.through
            through.objects.bulk_create(
                [through(changerequest_id=cr.pk, user_id=editor.pk) for cr in change_requests], batch_size=self.batch
            )
            revisions = []
            for change_request, chunk in zip(change_requests, chunks, strict=True):
                for obj in chunk:
                    key = (type(obj), obj.pk)
                    base = first_revisions.get(key)
                    revisions.append(Revision(
                        change_request=change_request,
                        content_type=content_types[type(obj)],
                        object_id=obj.pk,
                        object_repr=str(obj)[:200],
                        snapshot=snapshot_for(key),
                        base_revision=base,
                        base_snapshot=base.snapshot if base else None,
                        is_new=base is None,
                        edited_by=editor,
                        published_at=published_at,
                    ))
            revisions = Revision.objects.bulk_create(revisions, batch_size=self.batch)
            PublicChange.objects.bulk_create([  # the public record the change log and page histories read
                PublicChange(kind=PublicEvent.PUBLISH, content_type=content_types[type(obj)], object_id=obj.pk,
                             object_repr=str(obj)[:200], significance=change_request.significance,
                             note=change_request.change_note, at=published_at, change_request=change_request)
                for change_request, chunk in zip(change_requests, chunks, strict=True) for obj in chunk
            ], batch_size=self.batch)
            if not first_revisions:
                first_revisions = {(type(o), o.pk): r for o, r in zip(objects, revisions, strict=True)}
            total += len(revisions)
        # Each live row points at its newest published revision: one UPDATE per model.
        present = {type(obj) for obj in objects}
        for model in (model for model in content_models() if model in present):
            newest = Revision.objects.filter(
                content_type=content_types[model], object_id=OuterRef("pk"), published_at__isnull=False
            ).order_by("-published_at", "-pk").values("pk")[:1]
            model.objects.filter(slug__startswith=f"{self.prefix}-").update(live_revision=Subquery(newest))
        return total

    def _after_generation(self) -> None:
        """Public pages and the search index must show the new content; the planner needs fresh statistics."""
        from django.db import connection

        from therapies.site import caching, search

        caching.bump_content_version()
        indexing = self.progress("Indexing pages")
        search.rebuild_index(progress=indexing)
        indexing.finish()
        if connection.vendor == "postgresql":
            # Without fresh statistics PostgreSQL picks poor plans for the new rows until autovacuum runs.
            with connection.cursor() as cursor:
                children = [spec.model for model in content_models() for spec in child_rows(model)]
                for model in (*content_models(), *children, Revision, ChangeRequest):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
            self.stdout.write("Refreshed the planner statistics (ANALYZE).")
