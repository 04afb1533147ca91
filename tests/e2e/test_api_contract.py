"""The API keeps its OpenAPI document whatever a client sends.

schemathesis reads ``/api/schema/`` through the gateway (in services mode, the document
merged from every service), generates valid and invalid requests for every operation, and
sends them through the gateway of both topologies, anonymously and as staff. Every answer
must be no 5xx, have a status code the document lists for that operation, and have the
documented content type and body.
"""

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.e2e.test_journey_through_the_gateway import staff_session

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Bounded and repeatable: the same few requests per operation and kind of data on every
# run (no shrinking: the failure shows the request that failed, as a curl command).
EXAMPLES = hypothesis.settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    suppress_health_check=list(hypothesis.HealthCheck),
)


@pytest.fixture(params=["anonymous", "staff"])
def caller(request, topology) -> dict:
    """What a caller sends with each request: nothing, or a staff session and its CSRF
    token, as the admin's own pages send them."""
    if request.param == "anonymous":
        return {}
    staff = staff_session(topology.gateway_url)
    assert staff.get("/api/payments/payments/").status_code == 200  # staff-only: logged in
    cookies = dict(staff.cookies)
    return {"cookies": cookies, "headers": {"X-CSRFToken": cookies["csrftoken"]}}


def test_every_answer_keeps_the_api_document(topology, caller):
    schema = schemathesis.openapi.from_url(
        f"{topology.gateway_url}/api/schema/?format=json",
        # the caller's credentials, not made-up ones (which would log staff out)
        config=schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}}),
    )
    failures = []
    for operation in (result.ok() for result in schema.get_all_operations()):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @EXAMPLES
            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            def send(case):
                case.call_and_validate(
                    base_url=topology.gateway_url, checks=CHECKS, timeout=30, **caller
                )

            try:
                send()
            except hypothesis.errors.Unsatisfiable:
                continue  # nothing here can be invalid (e.g. only a free-text path parameter)
            except (Exception, BaseExceptionGroup) as failure:  # try every operation, report all
                failures.append(f"{operation.label} ({mode.value} data): {failure}")
    assert not failures, "\n\n".join(failures)
