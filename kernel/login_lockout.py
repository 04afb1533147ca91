"""django-axes' answer once a login is locked out: a 429 problem with Retry-After."""

from django.conf import settings

from kernel.problems import problem


def login_locked_out(request, credentials, *args, **kwargs):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    response = problem(
        429,
        code="login-locked-out",
        title="Too many failed logins",
        detail=f"Too many failed logins: try again in {seconds // 60} minutes.",
    )
    response["Retry-After"] = str(seconds)
    return response
