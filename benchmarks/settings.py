"""The monolith plus the benchmark's two baseline views, so that the baselines and the
product's endpoints are served by the same server in the same run."""

from config.settings.monolith import *  # noqa: F403

ROOT_URLCONF = "benchmarks.urls"
