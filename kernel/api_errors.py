"""Under /api/ and /internal/ every error is problem details, also with DJANGO_DEBUG on.

Django answers some errors before any view runs, and with DEBUG on it answers them with
HTML pages meant for a browser (the technical 404 and 500 pages, the CSRF failure page).
This middleware replaces such an answer with the problem of the same status; the error is
logged as before.
"""

from http import HTTPStatus

from kernel import problems

API_PREFIXES = ("/api/", "/internal/")
HANDLERS = {
    400: problems.bad_request,
    403: problems.permission_denied,
    404: problems.not_found,
    500: problems.server_error,
}


def is_problem(response) -> bool:
    return response.get("Content-Type", "").startswith(problems.CONTENT_TYPE)


class ApiProblemMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status < 400 or is_problem(response) or not request.path.startswith(API_PREFIXES):
            return response
        if status in HANDLERS:
            return HANDLERS[status](request)
        phrase = HTTPStatus(status).phrase
        return problems.problem(status, code=phrase.lower().replace(" ", "-"))
