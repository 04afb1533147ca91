import pytest

from tests.deploy.containers import docker_engine


@pytest.fixture(scope="session")
def images() -> dict[str, str]:
    """A running engine and the images to run, built once per session: the compose
    variables naming them (official images where a registry answers, stand-ins otherwise)."""
    from deploy.images.build import build

    with docker_engine():
        yield build()


@pytest.fixture(scope="module")
def smtp_sink(topology):
    """The mail sink of a running topology (the journey in tests/e2e reads it)."""
    return topology.mailpit
