"""Sign up, log in (Django's LoginView with rate limits) and the account's API tokens. Log out is
Django's own view."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from documents import selectors, services
from documents.forms import ApiTokenForm, SignupForm
from ops import ratelimits

# Session key of a token just created: shown once, by the page the creation redirects to.
_NEW_TOKEN = "new_api_token"


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


@never_cache  # it may show a token
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's API tokens: create one (named; its secret shown once), see each one's last use,
    revoke it."""
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except services.TokenRejected as exc:
            form.add_error(None, exc.message)
        else:
            # Shown by the page the redirect lands on, then forgotten: a reload neither makes
            # another token nor shows this one again.
            request.session[_NEW_TOKEN] = token
            return redirect("api_tokens")
    context = {
        "form": form,
        "tokens": selectors.api_token_list(user=request.user),
        "new_token": request.session.pop(_NEW_TOKEN, None),
    }
    return render(request, "registration/api_tokens.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(
        request,
        _("Revoked “%(name)s” (%(prefix)s…): programs using it are refused from now on.")
        % {"name": token.name or _("unnamed token"), "prefix": token.prefix},
    )
    return redirect("api_tokens")


def _too_many(response: HttpResponse, exc: ratelimits.RateLimited) -> HttpResponse:
    if hasattr(response, "render"):
        response.render()
    response.status_code = 429
    response["Retry-After"] = str(exc.retry_after)
    return response
