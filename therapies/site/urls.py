from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from ..models import page_kinds
from . import alert_views, changelog, reader_views, views
from .caching import public_page
from .feeds import UpdatesFeed
from .kind_parts import kind_routes
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    # Each kind's list and page (therapies/, therapies/<slug>/, …), from the site's registry (site/kinds.py).
    *kind_routes(page_kinds()),
    path("about/", views.about, name="about"),
    path("updates/", changelog.updates, name="updates"),
    path("updates/feed/", public_page(UpdatesFeed(), params=("significance",)), name="updates_feed"),
    path("search/", reader_views.search, name="search"),
    path("compare/", reader_views.compare, name="compare"),
    path("choose/", reader_views.choose, name="choose"),
    path("corrections/<str:model_name>/<slug:slug>/", reader_views.suggest_correction, name="suggest_correction"),
    path("corrections/<str:model_name>/<slug:slug>/thanks/", reader_views.correction_thanks, name="correction_thanks"),
    path("alerts/subscribe/", alert_views.subscribe, name="alerts_subscribe"),
    path("alerts/subscribe/sent/", alert_views.sent, name="alerts_sent"),
    path("alerts/confirm/<str:token>/", alert_views.confirm, name="alerts_confirm"),
    path("alerts/manage/<str:token>/", alert_views.manage, name="alerts_manage"),
    path("alerts/unsubscribe/<str:token>/", alert_views.unsubscribe, name="alerts_unsubscribe"),
    path("sitemap.xml", public_page(sitemap, params=("p",)), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", reader_views.robots_txt, name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (the admin, the feed, the API's JSON).
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", include("therapies.site.api.urls")),
]
