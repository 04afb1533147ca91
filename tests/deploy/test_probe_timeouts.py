"""Every readiness check of compose and the chart waits longer than readiness takes to
answer at worst (kernel/health.py), so a database outage reads as "not ready", not as a
probe that timed out."""

import pytest

from kernel.health import READY_TIMEOUT_SECONDS
from tests.deploy.tools import CI_VALUES, COMPOSE_COMBINATIONS, compose_config, of_kind, rendered


def seconds(duration: str) -> float:
    """A compose duration as `docker compose config` writes it: "8s", "1m30s"."""
    minutes, _, rest = duration.rpartition("m")
    return float(minutes or 0) * 60 + float(rest.removesuffix("s") or 0)


@pytest.mark.parametrize("combination", sorted(COMPOSE_COMBINATIONS))
def test_compose_healthchecks_outwait_readiness(combination):
    for name, service in compose_config(combination)["services"].items():
        check = service.get("healthcheck", {})
        test = " ".join(check.get("test") or [])
        if "/readyz" in test or "healthcheck" in test:
            assert seconds(check["timeout"]) > READY_TIMEOUT_SECONDS, name


@pytest.mark.parametrize("values", [path.name for path in CI_VALUES])
def test_chart_readiness_probes_outwait_readiness(values):
    for item in of_kind(rendered(values), "Deployment"):
        for container in item["spec"]["template"]["spec"]["containers"]:
            probe = container.get("readinessProbe", {})
            if probe.get("httpGet", {}).get("path") == "/readyz" or "exec" in probe:
                assert probe["timeoutSeconds"] > READY_TIMEOUT_SECONDS, item["metadata"]["name"]
