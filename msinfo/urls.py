from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("therapies.urls")),
]

handler404 = "therapies.views.page_not_found"
handler500 = "therapies.views.server_error"
