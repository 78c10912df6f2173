"""Public views of the reader's tools: search, compare, suggest a correction, robots.txt.

Thin, like views.py: parse the request, call search.py / compare.py /
corrections.py, render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from ..models import MSCourse, Risk, Therapy, Trial
from . import choose_form, choose_words, choosing, corrections
from . import compare as comparing
from . import search as searching
from .caching import public_page, refuse_to_store

RESULTS_PER_PAGE = 10
RATE_LIMITED = (
    "You have sent several suggestions in the last hour, which is our limit. Nothing was "
    "saved this time: please try again in an hour. Thank you for helping."
)
SEARCH_EXAMPLES = ["Ocrevus", "primary progressive", "PML", "S1P", "NCT01247324", "liver"]


@public_page(params=("q", "page"))
def search(request: HttpRequest) -> HttpResponse:
    outcome = searching.search(request.GET.get("q", ""), page=request.GET.get("page"), per_page=RESULTS_PER_PAGE)
    if outcome.error or (outcome.query and not outcome.total):
        refuse_to_store(request)  # junk queries are answered, never kept: random strings must not fill the cache
    # search() fetched only this page's hits; the paginator just numbers the pages (over a range).
    page = Page(outcome.hits, outcome.page, Paginator(range(outcome.listed), RESULTS_PER_PAGE))
    # A therapy's result line names every route it is given by: one query for the page's therapies.
    prefetch_related_objects([hit.obj for hit in page.object_list if hit.kind == "therapy"], "routes")
    context = {
        "query": outcome.query,
        "error": outcome.error,
        "page_obj": page,
        # Every page is listed (there are at most MAX_RESULTS / RESULTS_PER_PAGE of them), not elided.
        "page_range": list(page.paginator.page_range),
        "hits": page.object_list,
        "total": outcome.total,
        "more": outcome.more,
        "listed": outcome.listed,
        "examples": SEARCH_EXAMPLES,
        "offer_choose": choose_form.offered_by_search(outcome.query),
        "page_query": urlencode({"q": outcome.query}),
    }
    return render(request, "therapies/search.html", context)


@public_page(params=("t",))
def compare(request: HttpRequest) -> HttpResponse:
    comparison = comparing.build_comparison(request.GET.getlist("t"))
    if comparison.messages:
        refuse_to_store(request)  # unknown, repeated or too many therapies: answered, never kept
    slugs = comparison.slugs
    columns = [
        {
            "therapy": therapy,
            "remove_url": _compare_url(comparing.without(slugs, therapy.slug)),
        }
        for therapy in comparison.therapies
    ]
    context = {
        "comparison": comparison,
        "columns": columns,
        "has_boxed_warning": any(link.boxed_warning for t in comparison.therapies for link in t.live_risks),
        "max_therapies": comparing.MAX_THERAPIES,
    }
    return render(request, "therapies/compare.html", context)


@public_page(params=choose_form.CHOOSE_PARAMS, depends=(Therapy, Trial, Risk))
def choose(request: HttpRequest) -> HttpResponse:
    """/choose/: "What matters to you". Every question optional, answered by GET; nothing is stored."""
    courses = list(MSCourse.objects.all())
    form, answers, problems = choose_form.read_answers(request.GET, courses)
    if problems:
        refuse_to_store(request)  # answered with the messages, never kept
    course_name = next((c.name for c in courses if c.code == answers.course), "")
    answer = choosing.build_answer(answers, choosing.live_therapies(), course_name)
    asked = {name: value for name, value in request.GET.items() if name in choose_form.CHOOSE_PARAMS[:-1] and value}
    context = {
        "form": form,
        "answers": answers,
        "problems": problems,
        "answer": answer,
        "summary": choose_words.summary(form, answers),
        "show_pregnancy": answers.pregnancy in ("yes", "unsure"),
        "show_all_url": _choose_url({**asked, choose_form.SHOW_ALL: "1"}) + "#others-heading",
        "hide_all_url": _choose_url(asked),
    }
    return render(request, "therapies/choose.html", context)


def _choose_url(params: dict[str, str]) -> str:
    url = reverse("choose")
    return f"{url}?{urlencode(params)}" if params else url


def _compare_url(slugs: list[str]) -> str:
    url = reverse("compare")
    return f"{url}?{urlencode([('t', s) for s in slugs])}" if slugs else url


def _correctable(model_name: str, slug: str):
    model = corrections.CORRECTABLE_MODELS.get(model_name)
    if model is None:
        raise Http404("No such kind of page.")
    return get_object_or_404(model.objects.live(), slug=slug)


def _csrf_failure(request: HttpRequest) -> bool:
    """Run Django's CSRF check by hand, so a failure can be answered with a friendly page."""
    middleware = CsrfViewMiddleware(lambda req: HttpResponse())
    return middleware.process_view(request, None, (), {}) is not None


@never_cache
@csrf_exempt  # checked below: nothing is stored unless the post is same-origin or has a valid token
def suggest_correction(request: HttpRequest, model_name: str, slug: str) -> HttpResponse:
    """GET: the form on its own page. POST: store the suggestion, then redirect to the thank-you page."""
    obj = _correctable(model_name, slug)
    action = corrections.correction_url(obj)
    status = 200
    notice = ""
    if request.method == "POST":
        form = corrections.CorrectionForm(request.POST, action=action)
        thanks_url = reverse("correction_thanks", args=[model_name, obj.slug])
        if not corrections.is_same_origin_post(request) and _csrf_failure(request):
            # A page served from a cache, or an expired token: keep what they wrote, ask them to send again.
            status = 403
            notice = (
                "For your security we could not accept the form as it was sent (it may have come from an "
                "older copy of the page). Your text is below: please check it and press “Send suggestion” again."
            )
            kept = {name: request.POST.get(name, "") for name in ("what_is_wrong", "source", "email")}
            form = corrections.CorrectionForm(initial=kept, action=action)
        elif form.is_spam:
            return HttpResponseRedirect(thanks_url)  # looks accepted; nothing is stored
        else:
            client = corrections.client_key(request)
            try:
                if corrections.is_rate_limited(client):
                    raise corrections.RateLimited
                if form.is_valid():
                    corrections.store_suggestion(obj=obj, cleaned_data=form.cleaned_data, client=client)
                    return HttpResponseRedirect(thanks_url)
                status = 400
            except corrections.RateLimited:
                status = 429
                notice = RATE_LIMITED
    else:
        form = corrections.CorrectionForm(action=action)
    context = {"page_object": obj, "form": form, "notice": notice}
    return render(request, "therapies/correction.html", context, status=status)


@never_cache
def correction_thanks(request: HttpRequest, model_name: str, slug: str) -> HttpResponse:
    obj = _correctable(model_name, slug)
    return render(request, "therapies/correction_thanks.html", {"page_object": obj})


@public_page(depends=())  # shows no content: no publish touches it
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "Disallow: /corrections/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
