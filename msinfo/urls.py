from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("therapies.site.urls")),
]

handler404 = "therapies.site.views.page_not_found"
handler500 = "therapies.site.views.server_error"
