"""The public edge never routes /metrics to Django. The chart tells a cluster's Prometheus
where every Django process serves its metrics, lets it in through the NetworkPolicy, and
ships the alert rules and the dashboard of deploy/observability/ as they are (a
PrometheusRule, a ConfigMap for Grafana's sidecar). A web Deployment's HPA may scale on
its requests per second beside its CPU."""

import json
import re

import yaml

from tests.deploy.tools import (
    CHART,
    GATEWAY_TEMPLATE,
    load_values,
    objects,
    of_kind,
    rendered,
)
from tests.observability.test_alert_rules import OBSERVABILITY, RULES

MONITORED = {
    "prometheusRule": {"enabled": True, "labels": {"release": "kube-prometheus-stack"}},
    "grafanaDashboard": {"enabled": True, "labels": {"grafana_dashboard": "1"}},
}


def chart(metrics: dict) -> list[dict]:
    values = load_values(CHART / "ci" / "services.yaml")
    defaults = load_values(CHART / "values.yaml")["metrics"]
    return objects(values | {"metrics": defaults | metrics})


def test_every_django_pod_is_annotated_with_a_port_its_container_serves_metrics_on():
    rendered = chart({})
    configs = {item["metadata"]["name"]: item["data"] for item in of_kind(rendered, "ConfigMap")}
    deployments = [
        deployment
        for deployment in of_kind(rendered, "Deployment")
        if deployment["spec"]["template"]["metadata"]["labels"].get("app.kubernetes.io/component")
        in ("web", "worker", "beat", "relay")
    ]
    assert len(deployments) >= 8
    for deployment in deployments:
        template = deployment["spec"]["template"]
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        (container,) = template["spec"]["containers"]
        ports = {str(port["containerPort"]) for port in container["ports"]}
        assert annotations["prometheus.io/port"] in ports, deployment["metadata"]["name"]
        if container["name"] != "web":  # a worker, beat or relay serves on METRICS_PORT
            config = configs[container["envFrom"][0]["configMapRef"]["name"]]
            assert config["METRICS_PORT"] == annotations["prometheus.io/port"]


def test_the_network_policy_lets_prometheus_reach_those_ports():
    policies = {p["metadata"]["name"]: p for p in of_kind(chart({}), "NetworkPolicy")}
    (metrics,) = [p for name, p in policies.items() if name.endswith("-metrics")]
    (rule,) = metrics["spec"]["ingress"]
    (source,) = rule["from"]
    assert source["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"
    }
    assert {port["port"] for port in rule["ports"]} == {8000, 9100}


def test_the_rules_and_the_dashboard_are_shipped_as_in_the_repository():
    rendered = chart(MONITORED)
    (rule,) = of_kind(rendered, "PrometheusRule")
    assert rule["spec"] == yaml.safe_load(RULES.read_text())
    assert rule["metadata"]["labels"]["release"] == "kube-prometheus-stack"
    (dashboard,) = [
        c for c in of_kind(rendered, "ConfigMap") if c["metadata"]["name"].endswith("-dashboard")
    ]
    assert dashboard["metadata"]["labels"]["grafana_dashboard"] == "1"
    shipped = json.loads(dashboard["data"]["tourism-booking.json"])
    assert shipped == json.loads((OBSERVABILITY / "dashboard.json").read_text())


def test_neither_is_rendered_unless_asked_for():
    rendered = chart({})
    assert of_kind(rendered, "PrometheusRule") == []
    assert not [
        c for c in of_kind(rendered, "ConfigMap") if c["metadata"]["name"].endswith("-dashboard")
    ]


def test_the_public_edge_sends_metrics_to_the_storefront_never_to_django():
    """The gateway and the Ingress route by path prefix: the longest that /metrics starts
    with is /, the storefront's (docs/observability.md, "Who may read /metrics")."""
    text = GATEWAY_TEMPLATE.read_text()
    prefixes = re.findall(r"^\s*location (/[\w/.-]*) \{", text, re.M)
    assert "/api/" in prefixes
    assert [prefix for prefix in prefixes if "/metrics".startswith(prefix)] == ["/"]
    assert re.search(r"location / \{\s+proxy_pass http://\$\{STOREFRONT_UPSTREAM\};", text)
    (ingress,) = of_kind(chart({}), "Ingress")
    (rule,) = ingress["spec"]["rules"]
    served = {path["path"]: path["backend"]["service"]["name"] for path in rule["http"]["paths"]}
    (reaching,) = [prefix for prefix in served if "/metrics".startswith(prefix)]
    assert reaching == "/" and served["/"].endswith("-frontend")


def test_an_hpa_scales_on_requests_per_second_beside_the_cpu_when_asked():
    """ci/autoscaling.yaml turns it on for bookings only; the metric is the one
    prometheus-adapter's rule in docs/observability.md serves."""
    metrics = {
        hpa["metadata"]["name"]: hpa["spec"]["metrics"]
        for hpa in of_kind(rendered("autoscaling.yaml"), "HorizontalPodAutoscaler")
    }
    cpu = {
        "type": "Resource",
        "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
    }
    assert metrics["tourism-bookings"] == [
        cpu,
        {
            "type": "Pods",
            "pods": {
                "metric": {"name": "tourism_http_requests_per_second"},
                "target": {"type": "AverageValue", "averageValue": "40"},
            },
        },
    ]
    assert metrics["tourism-catalog"] == [cpu]
