from django.urls import path

from wellbeing.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("measure/", views.section, {"template": "core/measure.html"}, name="measure"),
]
