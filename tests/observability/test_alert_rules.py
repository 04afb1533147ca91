"""The alert rules in deploy/observability/ are valid Prometheus rules, each fires on a
synthetic series that should wake someone and stays quiet on a healthy one (promtool's unit
tests, rules.test.yml), and each has its section in docs/observability.md."""

import re
import shutil
import subprocess

import yaml

from deploy.local.processes import ROOT
from tests.conftest import require

OBSERVABILITY = ROOT / "deploy" / "observability"
RULES = OBSERVABILITY / "rules.yml"
RULE_TESTS = OBSERVABILITY / "rules.test.yml"


def promtool(*args: str) -> subprocess.CompletedProcess:
    require(shutil.which("promtool") is not None, "needs promtool (make prometheus)")
    return subprocess.run(
        ["promtool", *args], cwd=OBSERVABILITY, capture_output=True, text=True, timeout=60
    )


def alerts() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule["alert"] for group in groups for rule in group["rules"] if "alert" in rule]


def test_the_rules_are_valid_prometheus_rules():
    checked = promtool("check", "rules", RULES.name)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_each_alert_fires_on_a_synthetic_series_and_not_on_a_healthy_one():
    tested = promtool("test", "rules", RULE_TESTS.name)
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_every_alert_is_unit_tested_firing_and_quiet():
    cases = [
        check
        for test in yaml.safe_load(RULE_TESTS.read_text())["tests"]
        for check in test["alert_rule_test"]
    ]
    fired = {case["alertname"] for case in cases if case["exp_alerts"]}
    quiet = {case["alertname"] for case in cases if not case["exp_alerts"]}
    assert fired == quiet == set(alerts())


def test_every_alert_says_what_to_do_in_the_docs():
    sections = set(
        re.findall(r"^### (\w+)$", (ROOT / "docs" / "observability.md").read_text(), re.M)
    )
    assert set(alerts()) <= sections
    groups = yaml.safe_load(RULES.read_text())["groups"]
    for rule in (rule for group in groups for rule in group["rules"]):
        assert rule["annotations"]["runbook"] == f"docs/observability.md#{rule['alert'].lower()}"
