"""How each operation is described in the OpenAPI document (``DEFAULT_SCHEMA_CLASS``).

Every operation documents the errors it can answer, as problem details: the generic ones
(:class:`AutoSchema` works them out from the view: its parameters, body, permissions and
throttles) and the domain ones its view declares with ``@extend_schema(responses=...)``,
using :func:`problem`.
"""

import re

from django.test import RequestFactory
from django.urls.converters import get_converters
from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework.request import Request

from kernel.problems import CONTENT_TYPE

PROBLEM_DETAILS = ResolvedComponent(
    name="ProblemDetails",
    type=ResolvedComponent.SCHEMA,
    object="ProblemDetails",
    schema={
        "type": "object",
        "description": "An error as RFC 9457 problem details (`application/problem+json`).",
        "properties": {
            "type": {
                "type": "string",
                "description": "What went wrong, for programs: `urn:tourism:problem:<code>`.",
                "example": "urn:tourism:problem:validation-error",
            },
            "title": {"type": "string", "description": "What went wrong, for people."},
            "status": {"type": "integer", "description": "The HTTP status code."},
            "detail": {"type": "string", "description": "This occurrence, and what to do."},
            "request_id": {"type": "string", "description": "Quote it when reporting."},
            "errors": {
                "type": "object",
                "additionalProperties": True,
                "description": "`validation-error` only: the messages for each field.",
            },
        },
        "required": ["type", "title", "status", "detail"],
        "additionalProperties": True,
    },
)
RETRY_AFTER = {
    "Retry-After": {
        "schema": {"type": "integer", "minimum": 0},
        "description": "Seconds to wait before retrying.",
    }
}
GENERIC_PROBLEMS = {
    400: "`validation-error` (with `errors` for each field or parameter), `parse-error`"
    " (the body is not JSON) or `bad-request` (a request the server cannot read).",
    401: "`not-authenticated` or `authentication-failed`.",
    403: "`not-authenticated`, `authentication-failed` or `permission-denied`.",
    404: "`not-found`: nothing has this id, or the page is past the last one.",
    413: "The request body is larger than the gateway accepts.",
    414: "The URL is longer than the gateway accepts.",
    415: "`unsupported-media-type`: send `application/json`.",
    429: "`throttled`: too many requests; retry after `Retry-After` seconds.",
    503: "`service-unavailable`: a service or database this needs is down; retry after"
    " `Retry-After` seconds. Nothing was changed.",
}


def problem(description: str) -> OpenApiResponse:
    """A domain error in ``@extend_schema(responses=...)``: its codes and their meaning.
    The body is documented as problem details for every error status."""
    return OpenApiResponse(description=description)


def route_pattern(route: str, name: str) -> str | None:
    """What the URL route accepts for a path parameter (``[^/.]+`` for a router's lookup,
    a converter's regex for ``<str:name>``): anything else never reaches the view."""
    regex = re.search(r"\(\?P<" + name + r">([^)]+)\)", route)
    if regex:
        return f"^{regex.group(1)}$"
    converter = re.search(r"<(\w+):" + name + ">", route)
    if converter:
        return f"^{get_converters()[converter.group(1)].regex}$"
    return None


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, plus each operation's problem responses and the
    anonymous access its permissions allow."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path" and parameter["schema"].get("type") == "string":
                pattern = route_pattern(path_regex, parameter["name"])
                if pattern:
                    parameter["schema"].setdefault("pattern", pattern)
        responses = operation["responses"]
        for status in self.generic_problem_statuses(operation):
            responses.setdefault(str(status), {"description": GENERIC_PROBLEMS[status]})
        self.registry.register_on_missing(PROBLEM_DETAILS)
        for status, response in responses.items():
            if int(status) >= 400:
                response["content"] = {CONTENT_TYPE: {"schema": PROBLEM_DETAILS.ref}}
                if status in ("429", "503"):
                    response.setdefault("headers", {}).update(RETRY_AFTER)
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def generic_problem_statuses(self, operation: dict) -> list[int]:
        """The errors any operation like this one can answer, whatever its view does."""
        has_body = "requestBody" in operation
        in_url = any(p["in"] in ("path", "query") for p in operation.get("parameters", []))
        takes_input = (
            has_body
            or in_url
            or any(
                p.get("required") and p["in"] == "header" for p in operation.get("parameters", [])
            )
        )
        statuses = [self.credentials_rejected_status(), 503]
        if takes_input:
            statuses.append(400)
        if in_url:
            statuses.append(414)
        if not self.anonymous_allowed():
            statuses.append(403)
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            statuses.append(404)
        if has_body:
            statuses += [413, 415]
        if self.view.get_throttles():
            statuses.append(429)
        return statuses

    def credentials_rejected_status(self) -> int:
        """DRF answers 401 when the first authenticator names a ``WWW-Authenticate``
        challenge (token), 403 when it cannot (session)."""
        authenticators = self.view.get_authenticators()
        first = authenticators[0] if authenticators else None
        return 401 if first and first.authenticate_header(self.view.request) else 403

    def anonymous_allowed(self) -> bool:
        anonymous = Request(RequestFactory().generic(self.method, self.path), authenticators=())
        return all(p.has_permission(anonymous, self.view) for p in self.view.get_permissions())

    def get_auth(self) -> list[dict]:
        auth = super().get_auth()
        if {} not in auth and self.anonymous_allowed():
            auth.append({})  # e.g. reads under IsStaffOrReadOnly
        return auth


class FilterBackendExtension(DjangoFilterExtension):
    """Document the bounds filters enforce (``min_value``/``max_value``) in the schema."""

    target_class = "kernel.filters.FilterBackend"
    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for bound, keyword in (("min_value", "minimum"), ("max_value", "maximum")):
            if bound in filter_field.extra:
                for parameter in parameters:
                    parameter["schema"][keyword] = filter_field.extra[bound]
        return parameters
