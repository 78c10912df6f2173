from django.urls import path, re_path

from . import views

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
    path("healthz", views.healthz, name="healthz"),
]
