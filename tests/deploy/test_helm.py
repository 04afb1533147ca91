"""The Helm chart, through Helm's own Go SDK: strict lint, render, strict Kubernetes schemas,
golden renders, and a schema that rejects mistyped values.

Golden files: after an intended change to the chart, regenerate them with
``UPDATE_GOLDEN=1 make test PYTEST_ARGS=tests/deploy`` and review the diff.
"""

import os
from pathlib import Path

import pytest

from tests.deploy.chart_readme import readme, undescribed
from tests.deploy.tools import (
    CHART,
    CI_VALUES,
    KUBERNETES_VERSION,
    helm,
    kubernetes_validate,
    load_values,
    objects,
    pod_specs,
    render_files,
    rendered,
)

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(params=[path.name for path in CI_VALUES])
def values_file(request) -> str:
    return request.param


def test_the_ci_matrix_covers_both_modes_a_hybrid_external_databases_and_autoscaling():
    assert {path.stem for path in CI_VALUES} >= {
        "services",
        "monolith",
        "hybrid",
        "external-databases",
        "autoscaling",
    }


def test_strict_lint_is_clean(values_file):
    report = helm().lint(
        CHART,
        load_values(CHART / "ci" / values_file),
        strict=True,
        kube_version=f"v{KUBERNETES_VERSION}",
    )
    problems = [message for message in report["messages"] if message["severity"] >= 2]
    assert not report["errors"] and not problems, report


def test_every_object_passes_strict_kubernetes_schemas(values_file):
    validator = kubernetes_validate()
    for item in rendered(values_file):
        try:
            validator.validate(item, KUBERNETES_VERSION, strict=True)
        except validator.ValidationError as error:
            pytest.fail(f"{item['kind']}/{item['metadata']['name']}: {error.message}")


def test_render_matches_the_golden_file(values_file):
    files = render_files(load_values(CHART / "ci" / values_file))
    text = "".join(f"# Source: {name}\n{files[name].strip()}\n---\n" for name in sorted(files))
    golden = GOLDEN / values_file
    if os.environ.get("UPDATE_GOLDEN") == "1":
        golden.write_text(text)
    assert golden.exists(), f"no golden file; run with UPDATE_GOLDEN=1 to create {golden.name}"
    assert text == golden.read_text(), (
        f"the render of ci/{values_file} changed; if intended, regenerate with UPDATE_GOLDEN=1"
    )


@pytest.mark.parametrize(
    "typo",
    [
        {"apps": {"catalog": {"replica": 3}}},
        {"ingres": {"enabled": False}},
        {"mode": "microservices"},
        {"extracted": ["catalog"]},  # services mode: nothing to extract from
        {"mode": "monolith", "extracted": ["reviews"]},
        {"mode": "monolith", "extracted": ["catalog", "bookings", "payments", "notifications"]},
        {"apps": {"bookings": {"autoscaling": {"requestsPerSecond": {"target": 50}}}}},
        {"frontend": {"autoscaling": {"requestsPerSecond": {"enabled": True}}}},  # nginx: no metric
    ],
    ids=[
        "nested-key",
        "top-level-key",
        "enum-value",
        "extracted-in-services-mode",
        "extracted-unknown-app",
        "extracted-every-app",
        "requests-per-second-not-a-quantity",
        "requests-per-second-on-the-storefront",
    ],
)
def test_a_mistyped_value_is_rejected(typo):
    values = {**load_values(CHART / "ci" / "services.yaml"), **typo}
    with pytest.raises(helm().HelmValuesError):
        render_files(values)
    report = helm().lint(CHART, values, strict=True)
    assert report["errors"] or any(m["severity"] == 3 for m in report["messages"]), report


def test_secrets_must_be_given():
    values = load_values(CHART / "ci" / "services.yaml")
    del values["secrets"]["djangoSecretKey"]
    with pytest.raises(helm().HelmError, match=r"secrets\.djangoSecretKey is required"):
        render_files(values)


def test_the_chart_readme_lists_every_value_as_values_yaml_says():
    assert undescribed() == [], "describe these in a comment of values.yaml"
    generated = readme()
    path = CHART / "README.md"
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(generated)
    assert path.exists() and path.read_text() == generated, (
        "deploy/helm/tourism/README.md is stale; regenerate with UPDATE_GOLDEN=1"
    )


def test_scheduling_and_service_values_reach_every_pod():
    values = load_values(CHART / "ci" / "services.yaml") | {
        "nodeSelector": {"pool": "web"},
        "tolerations": [{"key": "dedicated", "operator": "Exists"}],
        "podLabels": {"team": "tours"},
        "podAnnotations": {"example.com/owner": "tours"},
    }
    values["apps"] = {"catalog": {"service": {"type": "LoadBalancer"}}}
    release = objects(values)
    django = [item for item in release if item["kind"] in {"Deployment", "Job"}]
    for name, spec in pod_specs(django):
        assert spec["nodeSelector"] == {"pool": "web"}, name
        assert spec["tolerations"] == [{"key": "dedicated", "operator": "Exists"}], name
    for item in django:
        metadata = item["spec"]["template"]["metadata"]
        assert metadata["labels"]["team"] == "tours"
        assert metadata["annotations"]["example.com/owner"] == "tours"
    types = {
        o["metadata"]["name"]: o["spec"].get("type") for o in release if o["kind"] == "Service"
    }
    assert types["tourism-catalog"] == "LoadBalancer"
    assert types["tourism-bookings"] == "ClusterIP"
