"""Policies over every render of the chart: Pod Security Standards "restricted" on every
container, probes and requests on long-running ones, secrets never in ConfigMaps, and
selectors that survive upgrades."""

import re

import pytest

from config.environment import SECRETS
from deploy.local.topology import STOREFRONT_TEMPLATE
from tests.deploy.tools import CHART, CI_VALUES, load_values, of_kind, pod_specs, rendered

LONG_RUNNING = {"Deployment", "StatefulSet"}


@pytest.fixture(params=[path.name for path in CI_VALUES])
def objects(request) -> list[dict]:
    return rendered(request.param)


def containers(spec: dict) -> list[dict]:
    return [*spec.get("initContainers", []), *spec["containers"]]


def test_every_pod_and_container_meets_restricted_pod_security(objects):
    for name, spec in pod_specs(objects):
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True, name
        assert pod["seccompProfile"]["type"] == "RuntimeDefault", name
        assert spec["automountServiceAccountToken"] is False, name
        assert not spec.get("hostNetwork") and not spec.get("hostPID"), name
        for container in containers(spec):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, where
            assert context["capabilities"]["drop"] == ["ALL"], where
            assert not context.get("capabilities", {}).get("add"), where
            assert context["readOnlyRootFilesystem"] is True, where
            assert not context.get("privileged"), where


def test_app_containers_keep_the_image_entrypoint(objects):
    """`command` would replace the image's ENTRYPOINT: dumb-init would not be PID 1, and
    SIGTERM would reach a Python that ignores it. The process is chosen with `args` (CMD)."""
    app_image = load_values(CHART / "values.yaml")["image"]["repository"]
    checked = 0
    for name, spec in pod_specs(objects):
        for container in containers(spec):
            if container["image"].startswith(f"{app_image}:"):
                assert "command" not in container and container["args"], (name, container["name"])
                checked += 1
    assert checked, "no container runs the app image"


def test_long_running_containers_have_probes_and_resource_requests(objects):
    for item in objects:
        if item["kind"] not in LONG_RUNNING:
            continue
        spec = item["spec"]["template"]["spec"]
        for container in containers(spec):
            where = f"{item['metadata']['name']}/{container['name']}"
            requests = container["resources"]["requests"]
            assert requests.get("cpu") and requests.get("memory"), where
        for container in spec["containers"]:
            where = f"{item['metadata']['name']}/{container['name']}"
            assert "readinessProbe" in container and "livenessProbe" in container, where


def deployments_of(objects: list[dict], *components: str) -> list[dict]:
    """The Deployments of these components (web, worker, beat, relay); never none."""
    found = [
        item
        for item in of_kind(objects, "Deployment")
        if item["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"]
        in components
    ]
    assert found, f"no {'/'.join(components)} Deployment rendered"
    return found


def test_web_probes_use_the_health_endpoints(objects):
    for item in deployments_of(objects, "web"):
        (web,) = item["spec"]["template"]["spec"]["containers"]
        assert web["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert web["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert web["startupProbe"]["httpGet"]["path"] == "/healthz"


def test_worker_beat_and_relay_probes_run_the_healthcheck_command(objects):
    for item in deployments_of(objects, "worker", "beat", "relay"):
        (process,) = item["spec"]["template"]["spec"]["containers"]
        for probe in ("readinessProbe", "livenessProbe"):
            command = process[probe]["exec"]["command"]
            assert command == ["python", "manage.py", "healthcheck"], item["metadata"]["name"]


def test_no_secret_in_a_config_map(objects):
    secret_values = set()
    for secret in of_kind(objects, "Secret"):
        secret_values |= {value for value in secret.get("stringData", {}).values() if value}
    for config_map in of_kind(objects, "ConfigMap"):
        data = config_map.get("data", {})
        where = config_map["metadata"]["name"]
        assert not SECRETS & set(data), f"{where} holds {SECRETS & set(data)}"
        for value in data.values():
            assert not any(secret in value for secret in secret_values), where


def test_selectors_carry_no_version_or_chart_label(objects):
    for item in objects:
        spec = item.get("spec", {})
        selector = spec.get("selector", {})
        labels = selector.get("matchLabels", selector if item["kind"] == "Service" else {})
        for key in labels:
            assert key not in {"app.kubernetes.io/version", "helm.sh/chart"}, (
                f"{item['kind']}/{item['metadata']['name']} selects on {key}"
            )


def test_beat_is_a_single_replica_recreated(objects):
    for beat in deployments_of(objects, "beat"):
        assert beat["spec"]["replicas"] == 1
        assert beat["spec"]["strategy"]["type"] == "Recreate"


def test_network_policies_deny_by_default(objects):
    policies = of_kind(objects, "NetworkPolicy")
    deny = [policy for policy in policies if policy["metadata"]["name"].endswith("default-deny")]
    assert len(deny) == 1
    assert set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]


def test_the_ingress_never_routes_internal_endpoints(objects):
    (ingress,) = of_kind(objects, "Ingress")
    paths = [path["path"] for rule in ingress["spec"]["rules"] for path in rule["http"]["paths"]]
    assert "/api/catalog/" in paths  # the rules are read, not skipped
    assert not [path for path in paths if path.startswith("/internal")]


def test_the_storefront_is_reached_only_through_the_ingress_unless_it_is_a_load_balancer(objects):
    (service,) = [
        item
        for item in of_kind(objects, "Service")
        if item["metadata"]["name"].endswith("-frontend")
    ]
    (policy,) = [
        item
        for item in of_kind(objects, "NetworkPolicy")
        if item["metadata"]["name"].endswith("-frontend")
    ]
    (rule,) = policy["spec"]["ingress"]
    assert rule["ports"] == [{"protocol": "TCP", "port": 8080}]
    if service["spec"]["type"] == "ClusterIP":
        (source,) = rule["from"]
        assert "kubernetes.io/metadata.name" in source["namespaceSelector"]["matchLabels"]
    else:
        assert "from" not in rule


def test_the_ingress_hands_only_its_own_errors_to_the_storefront_for_problem_details(objects):
    """ingress-nginx sends the errors its controller makes to its default backend with the
    status in X-Code; the apps' own errors (problem details already) pass untouched."""
    (ingress,) = of_kind(objects, "Ingress")
    (frontend,) = [
        item
        for item in of_kind(objects, "Service")
        if item["metadata"]["name"].endswith("-frontend")
    ]
    annotations = ingress["metadata"]["annotations"]
    assert (
        annotations["nginx.ingress.kubernetes.io/default-backend"] == frontend["metadata"]["name"]
    )
    assert annotations["nginx.ingress.kubernetes.io/disable-proxy-intercept-errors"] == "true"
    handed_over = annotations["nginx.ingress.kubernetes.io/custom-http-errors"].split(",")
    answered = re.findall(r"if \(\$http_x_code = (\d+)\)", STOREFRONT_TEMPLATE.read_text())
    assert handed_over == answered
    assert {"413", "502", "503", "504"} <= set(answered)


def test_web_pods_drain_before_they_stop_and_spread_over_nodes(objects):
    for item in deployments_of(objects, "web"):
        spec = item["spec"]["template"]["spec"]
        (web,) = spec["containers"]
        pause = int(web["lifecycle"]["preStop"]["exec"]["command"][1])
        assert 0 < pause < spec["terminationGracePeriodSeconds"], item["metadata"]["name"]
        (spread,) = spec["topologySpreadConstraints"]
        assert spread["labelSelector"]["matchLabels"] == item["spec"]["selector"]["matchLabels"]


def test_finished_migration_jobs_are_cleaned_up(objects):
    jobs = of_kind(objects, "Job")
    assert jobs
    for job in jobs:
        assert job["spec"]["ttlSecondsAfterFinished"] > 0, job["metadata"]["name"]
