"""Sign up and log in (Django's LoginView with rate limits). Log out is Django's own view."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from documents.forms import SignupForm
from ops import ratelimits


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            ratelimits.rate_limit_check(request, ratelimits.LOGIN)
        except ratelimits.RateLimited as exc:
            # Refused before the password is checked, so a guess costs nothing but the wait.
            form = self.get_form_class()(request, initial={"username": request.POST.get("username", "")})
            context = self.get_context_data(form=form, rate_limited=exc.message)
            return _too_many(self.render_to_response(context), exc)
        return super().post(request, *args, **kwargs)


@require_http_methods(["GET", "POST"])
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin's log-in page behind the same limits as ours: staff passwords are worth guessing."""
    if request.method == "POST":
        try:
            ratelimits.rate_limit_check(request, ratelimits.LOGIN)
        except ratelimits.RateLimited as exc:
            return _too_many(HttpResponse(exc.message, content_type="text/plain; charset=utf-8"), exc)
    return admin.site.login(request)


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("documents:document_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        try:
            ratelimits.rate_limit_check(request, ratelimits.SIGNUP)
        except ratelimits.RateLimited as exc:
            context = {"form": SignupForm(initial={"username": request.POST.get("username", "")})}
            context["rate_limited"] = exc.message
            return _too_many(render(request, "registration/signup.html", context), exc)
        if form.is_valid():
            user = form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("documents:document_list")
    return render(request, "registration/signup.html", {"form": form})


def _too_many(response: HttpResponse, exc: ratelimits.RateLimited) -> HttpResponse:
    if hasattr(response, "render"):
        response.render()
    response.status_code = 429
    response["Retry-After"] = str(exc.retry_after)
    return response
