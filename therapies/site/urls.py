from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from . import changelog, reader_views, views
from .caching import public_page
from .feeds import UpdatesFeed
from .sitemaps import SITEMAPS

urlpatterns = [
    path("", views.home, name="home"),
    path("therapies/", views.therapy_list, name="therapy_list"),
    path("therapies/<slug:slug>/", views.therapy_detail, name="therapy_detail"),
    path("trials/", views.trial_list, name="trial_list"),
    re_path(r"^trials/(?P<nct_id>NCT\d{8})/$", views.trial_by_nct_id, name="trial_by_nct_id"),
    path("trials/<slug:slug>/", views.trial_detail, name="trial_detail"),
    path("risks/", views.risk_list, name="risk_list"),
    path("risks/<slug:slug>/", views.risk_detail, name="risk_detail"),
    path("about/", views.about, name="about"),
    path("updates/", changelog.updates, name="updates"),
    path("updates/feed/", public_page(UpdatesFeed(), params=("significance",)), name="updates_feed"),
    path("search/", reader_views.search, name="search"),
    path("compare/", reader_views.compare, name="compare"),
    path("choose/", reader_views.choose, name="choose"),
    path("corrections/<str:model_name>/<slug:slug>/", reader_views.suggest_correction, name="suggest_correction"),
    path("corrections/<str:model_name>/<slug:slug>/thanks/", reader_views.correction_thanks, name="correction_thanks"),
    path("sitemap.xml", public_page(sitemap, params=("p",)), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", reader_views.robots_txt, name="robots_txt"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (the admin, the feed, the API's JSON).
    path("favicon.ico", views.favicon, name="favicon"),
    path("api/v1/", include("therapies.site.api.urls")),
]
