"""compose.yaml with compose.monolith.yaml for real: the monolith behind the same gateway."""

import pytest

from tests.deploy.containers import running
from tests.deploy.test_compose_services import (  # the same checks as in services mode
    test_browse_book_pay_cancel_and_manage,  # noqa: F401
    test_every_service_is_healthy_and_every_one_shot_job_exited_0,  # noqa: F401
    test_the_shop_is_served_at_the_root_and_on_its_own_routes,  # noqa: F401
)

pytestmark = [pytest.mark.slow, pytest.mark.containers]


@pytest.fixture(scope="module")
def topology(images):
    yield from running("monolith", images)
