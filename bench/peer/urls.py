"""``/events/<channel>/``: one channel per task, as Outliner has one stream per task."""

from __future__ import annotations

from django.urls import path

from bench.peer import views

urlpatterns = [
    path("events/<str:channel>/", views.events),
    path("healthz", views.healthz),
]
