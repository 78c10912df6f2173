"""Public views of safety alerts under /alerts/ (issue 26). Thin: parse, call site/alerts.py, render.

None is cached. The subscribe form on cached pages carries no token and is checked as same-origin; every page
here is rendered per reader and may carry a CSRF token. The one-click unsubscribe URL (RFC 8058) takes a
POST without one: the signed link in it is the authority, and a mail program posting it has no cookie.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from msinfo.client_ip import client_ip

from ..editorial.alert_links import LinkExpired, LinkInvalid, manage_url, read_confirm_token
from ..models import AlertFrequency, AlertLevel, Therapy
from . import alerts
from .corrections import is_same_origin_post
from .reader_views import _csrf_failure as csrf_failure

RATE_LIMITED = ("We have had several requests for this address or from your connection in the last hour, which "
                "is our limit. Nothing was sent this time: please try again in an hour.")
FORGED = ("For your security we could not accept the form as it was sent (it may have come from an older copy "
          "of the page). Please check your choices and press “Subscribe” again.")
EXPIRED = ("This link has expired, or the address it was for is no longer held (an address not confirmed within "
           "7 days is deleted). Nothing was changed. You can subscribe again below.")
INVALID = "This link is not one of ours, or it was cut short: copy the whole link from the email. Nothing was changed."


def _subscribe_page(request: HttpRequest, form: alerts.AlertForm, *, status: int = 200, notice: str = ""):
    therapies = Therapy.objects.live().only("pk", "name", "slug").order_by("name")
    return render(request, "therapies/alerts/subscribe.html",
                  {"form": form, "therapies": therapies, "notice": notice}, status=status)


@never_cache
@csrf_exempt  # checked below: nothing is done unless the post is same-origin or carries a valid token
def subscribe(request: HttpRequest) -> HttpResponse:
    """GET: the form with every therapy to choose from. POST (from here or any page's form): ask for alerts."""
    if request.method != "POST":
        initial = {"therapy": request.GET.get("therapy", "")[:100]}
        return _subscribe_page(request, alerts.AlertForm(initial=initial))
    form = alerts.AlertForm(request.POST)
    if not is_same_origin_post(request) and csrf_failure(request):
        kept = {name: request.POST.get(name, "") for name in ("email", "therapy", "level", "frequency")}
        return _subscribe_page(request, alerts.AlertForm(initial=kept), status=403, notice=FORGED)
    if form.is_spam:
        return HttpResponseRedirect(reverse("alerts_sent"))  # looks accepted; nothing is stored or sent
    if not form.is_valid():
        return _subscribe_page(request, form, status=400)
    client_key = alerts.keyed_hash("client", client_ip(request) or "unknown")
    try:
        alerts.subscribe(choice=form.choice(), client_key=client_key)
    except alerts.RateLimited:
        return _subscribe_page(request, form, status=429, notice=RATE_LIMITED)
    return HttpResponseRedirect(reverse("alerts_sent"))


@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    """The same answer for every address, known or not."""
    return render(request, "therapies/alerts/sent.html")


def _link_problem(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "therapies/alerts/link_problem.html", {"message": message}, status=status)


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the link confirms, with a button (a mail scanner opening links confirms nothing). POST: confirm."""
    try:
        choice = read_confirm_token(token)
    except LinkExpired:
        return _link_problem(request, EXPIRED, 410)
    except LinkInvalid:
        return _link_problem(request, INVALID, 400)
    therapy = Therapy.objects.live().filter(pk=choice.therapy_id).first() if choice.therapy_id else None
    context = {"choice": choice, "therapy": therapy, "level": AlertLevel(choice.level).label,
               "frequency": AlertFrequency(choice.frequency).label}
    if request.method == "POST":
        try:
            subscriber = alerts.confirm(choice)
        except LinkExpired:
            return _link_problem(request, EXPIRED, 410)
        except ValueError as error:
            return _link_problem(request, str(error), 410)
        context.update(confirmed=True, manage_url=manage_url(subscriber.pk, subscriber.email))
    return render(request, "therapies/alerts/confirm.html", context)


@never_cache
def manage(request: HttpRequest, token: str) -> HttpResponse:
    """What is held for this address, and the ways to change or end it."""
    try:
        subscriber = alerts.subscriber_for(token)
    except LinkInvalid:
        return _link_problem(request, INVALID, 400)
    if subscriber is None:
        return render(request, "therapies/alerts/left.html", {"already": True})
    notice = ""
    if request.method == "POST":
        if "delete" in request.POST:
            alerts.leave(token)
            return render(request, "therapies/alerts/left.html")
        if "stop" in request.POST:
            try:
                stopped_all = alerts.stop_one(subscriber, int(request.POST["stop"]))
            except ValueError:
                stopped_all = False
            if stopped_all:
                return render(request, "therapies/alerts/left.html")
            notice = "That alert is stopped."
        elif "frequency" in request.POST:
            try:
                alerts.set_frequency(subscriber, request.POST["frequency"])
                notice = "Saved."
            except ValueError as error:
                notice = str(error)
    context = {"subscriber": subscriber, "notice": notice, "frequencies": AlertFrequency.choices,
               "subscriptions": subscriber.subscriptions.select_related("therapy")}
    return render(request, "therapies/alerts/manage.html", context)


@never_cache
@csrf_exempt  # RFC 8058 one-click: the mail program posts the signed link, with no cookie and no token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a button (link scanners must not unsubscribe anyone). POST: delete the address, at once."""
    try:
        alerts.subscriber_for(token)
    except LinkInvalid:
        return _link_problem(request, INVALID, 400)
    if request.method == "POST":
        alerts.leave(token)
        return render(request, "therapies/alerts/left.html")
    return render(request, "therapies/alerts/unsubscribe.html", {"token": token})
