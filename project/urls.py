from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from documents import stream_urls
from documents.views import pages
from documents.views.accounts import LoginView, admin_login, api_token_revoke, api_tokens, signup
from documents.views.api import api
from ops import views as ops_views

# API v1 is ninja's operations and the SSE endpoint, a plain Django view (so pages can link to it
# without importing the ninja API): one URL namespace, the stream's route first, so it reverses as
# api-v1:task_stream and is authorised (documents/tests/routes.py) like the rest of the API.
api_urls, api_app_name, api_namespace = api.urls

urlpatterns = [
    path("", pages.home, name="home"),
    path("documents/", include("documents.urls")),
    path("api/v1/", include((stream_urls.urlpatterns + api_urls, api_app_name), namespace=api_namespace)),
    path("accounts/signup/", signup, name="signup"),
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/api-tokens/", api_tokens, name="api_tokens"),
    path("accounts/api-tokens/<int:token_id>/revoke/", api_token_revoke, name="api_token_revoke"),
    # set_language (the header's language switcher) and the catalog our JS modules translate with.
    path("i18n/", include("django.conf.urls.i18n")),
    # Only our own strings (and LOCALE_PATHS), not every installed app's (the admin's calendar...).
    path("jsi18n/", JavaScriptCatalog.as_view(packages=["documents"]), name="javascript-catalog"),
    # Before the admin's own URLs, so its log-in form is rate limited as ours is.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    # Operations: liveness and readiness for load balancers, the Prometheus scrape (allow-listed).
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    path("metrics", ops_views.metrics_view, name="metrics"),
]

if settings.DEBUG and "django_browser_reload" in settings.INSTALLED_APPS:
    urlpatterns += [path("__reload__/", include("django_browser_reload.urls"))]
