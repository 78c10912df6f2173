"""Small builders for content rows in tests (valid by default; override what the test is about)."""

import datetime
import itertools

from django.utils import timezone

from therapies.models import Reference, Risk, Therapy, TherapyRisk, Trial

_counter = itertools.count(1)


def _live_state(live: bool) -> dict:
    now = timezone.now()
    if not live:
        return {"live": False}
    return {
        "live": True,
        "first_published_at": now,
        "last_published_at": now,
        "last_reviewed_at": now,
        "next_review_due": timezone.localdate() + datetime.timedelta(days=365),
    }


def make_therapy(*, live: bool = True, **fields) -> Therapy:
    n = next(_counter)
    values = {
        "name": f"Testimab {n}",
        "slug": f"testimab-{n}",
        "brand_names": f"Testra {n}",
        "drug_class": "anti-cd20",
        "class_description": "test anti-CD20 monoclonal antibody",
        "molecular_target": "CD20",
        "mechanism": "Binds CD20 on B cells.",
        "route": "iv",
        "dosing": "300 mg every 6 months.",
        "summary": f"Testimab {n} is a therapy made up for tests.",
        "body": "A body paragraph.",
        "monitoring": "- blood tests",
        **_live_state(live),
    }
    values.update(fields)
    return Therapy.objects.create(**values)


def make_trial(*, therapy: Therapy, live: bool = True, **fields) -> Trial:
    n = next(_counter)
    values = {
        "name": f"TEST-TRIAL {n}",
        "slug": f"test-trial-{n}",
        "nct_id": f"NCT9{n:07d}",
        "phase": "3",
        "therapy": therapy,
        "comparator": "placebo",
        "population": "adults with relapsing MS",
        "number_randomised": 100 + n,
        "duration": "96 weeks",
        "primary_endpoint": "annualised relapse rate",
        "headline_result": "ARR 0.1 vs 0.2",
        "publication": "Test et al., 2020",
        "summary": "A trial made up for tests.",
        **_live_state(live),
    }
    values.update(fields)
    return Trial.objects.create(**values)


def make_risk(*, live: bool = True, **fields) -> Risk:
    n = next(_counter)
    values = {
        "name": f"Test risk {n}",
        "slug": f"test-risk-{n}",
        "summary": "A risk made up for tests.",
        "description": "Description.",
        "severity": "serious",
        "monitoring": "- watch",
        **_live_state(live),
    }
    values.update(fields)
    return Risk.objects.create(**values)


def link_risk(therapy: Therapy, risk: Risk, frequency: str = "common") -> TherapyRisk:
    return TherapyRisk.objects.create(therapy=therapy, risk=risk, frequency=frequency, figure="5%")


def make_reference(*, live: bool = True, **fields) -> Reference:
    n = next(_counter)
    values = {
        "key": f"test-ref-{n}",
        "kind": "article",
        "title": f"A test article {n}",
        "source": "Test J 2020;1:1-2",
        "year": 2020,
        "pmid": str(10000000 + n),
        **_live_state(live),
    }
    values.update(fields)
    return Reference.objects.create(**values)
