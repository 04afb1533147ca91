"""The chart's workloads booted as rendered, on a Docker engine instead of a cluster.

A small stand-in for what a kubelet, cluster DNS and an ingress controller do, reading
only the rendered objects: every StatefulSet, Job and Deployment pod template runs with its
image, command, args, env (ConfigMap and Secret references resolved), init containers,
securityContext (user and group, fsGroup, read-only root filesystem, capabilities,
no privilege escalation) and volumes (emptyDir as tmpfs, ConfigMap files, a volume per
PVC made writable for fsGroup). Its readiness probe is the container's health check, and
once ready its startup and liveness probes must pass too. A Service's name resolves to the
pods it selects (network aliases); the ingress stand-in is nginx configured from the
rendered Ingress paths and nothing else, sending to the selected pods' targetPort. One
replica per workload: scheduling and scaling need a real cluster. docs/deploy.md says why
this harness and not `podman kube play`.
"""

import base64
import json
import re
import shlex
import shutil
import subprocess
import tempfile
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.local.processes import free_port
from tests.messaging import wait_until

WORKLOADS = ("StatefulSet", "Job", "Deployment")


def docker(*args: str, check: bool = True, timeout: float = 300) -> str:
    result = subprocess.run(
        ["docker", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args[:3])}...: {result.stderr.strip()}")
    return result.stdout.strip()


def reached_in(container: str, url: str) -> str:
    """`url` of a server in `container`, reached from this machine at the container's own
    address on Docker's network (its port is not published)."""
    networks = "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}"
    address = docker("inspect", "--format", networks, container)
    return re.sub(r"@[^/:]+(:\d+)?/", lambda match: f"@{address}{match[1] or ''}/", url)


def selected(selector: dict, labels: dict) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())


def ports_of(container: dict) -> dict[str, int]:
    return {port.get("name"): port["containerPort"] for port in container.get("ports", [])}


def probe_command(probe: dict, ports: dict[str, int]) -> str:
    """A probe as a shell command run inside the container."""
    if "exec" in probe:
        return shlex.join(probe["exec"]["command"])
    get = probe["httpGet"]
    port = ports.get(get["port"], get["port"])
    headers = {header["name"]: header["value"] for header in get.get("httpHeaders", [])}
    url = f"http://127.0.0.1:{port}{get['path']}"
    request = (
        "import urllib.request; urllib.request.urlopen(urllib.request.Request("
        f"{url!r}, headers={headers!r}), timeout=5)"
    )
    wget = ["wget", "-q", "-O", "/dev/null", "-T", "5"]
    wget += [f"--header={name}: {value}" for name, value in headers.items()]
    # The kubelet makes the request itself; here the image's own client does (nginx images
    # have wget and no Python).
    python, fetch = shlex.join(["python", "-c", request]), shlex.join([*wget, url])
    return f"if command -v python >/dev/null; then {python}; else {fetch}; fi"


@dataclass
class Release:
    """The rendered objects of one release, booted on a network of their own."""

    objects: list[dict]
    run: str = field(default_factory=lambda: f"tourism-chart-{uuid.uuid4().hex[:8]}")
    containers: list[str] = field(default_factory=list)
    started: list[tuple[str, dict]] = field(default_factory=list)  # (name, container spec)
    volumes: list[str] = field(default_factory=list)
    files: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="tourism-chart-")))

    def of_kind(self, kind: str) -> list[dict]:
        return [item for item in self.objects if item["kind"] == kind]

    def named(self, kind: str, name: str) -> dict:
        (found,) = [item for item in self.of_kind(kind) if item["metadata"]["name"] == name]
        return found

    def secret_data(self, name: str) -> dict[str, str]:
        secret = self.named("Secret", name)
        decoded = {
            key: base64.b64decode(value).decode() for key, value in secret.get("data", {}).items()
        }
        return decoded | secret.get("stringData", {})

    def environment(self, container: dict) -> dict[str, str]:
        env = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                env |= self.named("ConfigMap", source["configMapRef"]["name"])["data"]
            else:
                env |= self.secret_data(source["secretRef"]["name"])
        for variable in container.get("env", []):
            reference = variable.get("valueFrom", {})
            if "secretKeyRef" in reference:
                ref = reference["secretKeyRef"]
                env[variable["name"]] = self.secret_data(ref["name"])[ref["key"]]
            elif "configMapKeyRef" in reference:
                ref = reference["configMapKeyRef"]
                env[variable["name"]] = self.named("ConfigMap", ref["name"])["data"][ref["key"]]
            else:
                env[variable["name"]] = variable["value"]
        return env

    def aliases(self, labels: dict) -> list[str]:
        """The Services whose selector picks these pod labels: their names resolve here."""
        return [
            service["metadata"]["name"]
            for service in self.of_kind("Service")
            if selected(service["spec"].get("selector", {}), labels)
        ]

    def volume_arguments(self, pod: str, spec: dict, claims: list[dict], mounts: list) -> list:
        """docker run options for a container's volumeMounts."""
        group = spec.get("securityContext", {}).get("fsGroup")
        sources = {volume["name"]: volume for volume in spec.get("volumes", [])}
        for claim in claims:
            sources[claim["metadata"]["name"]] = {
                "claim": f"{self.run}-{claim['metadata']['name']}-{pod}"
            }
        arguments = []
        for mount in mounts:
            source, path = sources[mount["name"]], mount["mountPath"]
            if "emptyDir" in source:
                size = source["emptyDir"].get("sizeLimit", "256Mi").replace("Mi", "m")
                owner = f",gid={group}" if group is not None else ""  # fsGroup, as a kubelet sets
                arguments += ["--tmpfs", f"{path}:rw,exec,size={size},mode=1777{owner}"]
            elif "configMap" in source:
                directory = self.files / pod / mount["name"]
                directory.mkdir(parents=True, exist_ok=True)
                for key, value in self.named("ConfigMap", source["configMap"]["name"])[
                    "data"
                ].items():
                    (directory / key).write_text(value)
                    (directory / key).chmod(0o644)
                arguments += ["-v", f"{directory}:{path}:ro"]
            else:
                arguments += ["-v", f"{self.persistent_volume(source['claim'], group)}:{path}"]
        return arguments

    def persistent_volume(self, name: str, group: int | None) -> str:
        """A volume standing in for a PVC, writable by the pod's fsGroup as a kubelet makes it."""
        if name not in self.volumes:
            docker("volume", "create", name)
            self.volumes.append(name)
            if group is not None:
                docker(
                    "run",
                    "--rm",
                    "--user",
                    "0",
                    "-v",
                    f"{name}:/volume",
                    "--entrypoint",
                    "sh",
                    self.image_of_any_pod(),
                    "-c",
                    f"chgrp {group} /volume && chmod 2775 /volume",
                )
        return name

    def image_of_any_pod(self) -> str:
        return self.pod_templates()[0][2]["containers"][0]["image"]

    def pod_templates(self) -> list[tuple[str, dict, dict, list]]:
        """(kind, object, pod spec, volume claim templates) of every workload, in start order."""
        return [
            (
                kind,
                item,
                item["spec"]["template"]["spec"],
                item["spec"].get("volumeClaimTemplates", []),
            )
            for kind in WORKLOADS
            for item in self.of_kind(kind)
        ]

    def run_container(
        self, pod: str, spec: dict, container: dict, *, claims=(), labels=None, probe=True
    ) -> str:
        """Start one container of a pod as rendered; its name."""
        security = spec.get("securityContext", {}) | container.get("securityContext", {})
        user, group = security.get("runAsUser"), security.get("runAsGroup")
        if security.get("runAsNonRoot"):
            assert user not in (None, 0), f"{pod}/{container['name']}: runAsNonRoot, no user"
        name = f"{self.run}-{pod}-{container['name']}"
        arguments = ["run", "--detach", "--name", name, "--network", self.run, "--hostname", pod]
        arguments += ["--user", f"{user}:{group if group is not None else user}"]
        if (fs_group := spec.get("securityContext", {}).get("fsGroup")) is not None:
            arguments += ["--group-add", str(fs_group)]
        if security.get("readOnlyRootFilesystem"):
            arguments.append("--read-only")
        for capability in security.get("capabilities", {}).get("drop", []):
            arguments += ["--cap-drop", capability]
        if security.get("allowPrivilegeEscalation") is False:
            arguments += ["--security-opt", "no-new-privileges"]
        for alias in self.aliases(labels or {}):
            arguments += ["--network-alias", alias]
        for key, value in self.environment(container).items():
            arguments += ["--env", f"{key}={value}"]
        arguments += self.volume_arguments(
            pod, spec, list(claims), container.get("volumeMounts", [])
        )
        ports = ports_of(container)
        if probe and (readiness := container.get("readinessProbe")):
            # Checked often so the test waits little; the timeout is the rendered one with
            # room for a machine shared by many test runs.
            timeout = 3 * readiness.get("timeoutSeconds", 1)
            arguments += ["--health-cmd", probe_command(readiness, ports)]
            arguments += ["--health-interval", "2s", "--health-timeout", f"{timeout}s"]
            arguments += ["--health-retries", str(readiness.get("failureThreshold", 3))]
        # Kubernetes' semantics: `command` replaces the image's ENTRYPOINT (and its CMD, as
        # --entrypoint does), `args` replaces only its CMD.
        command = container.get("command", [])
        if command:
            arguments += ["--entrypoint", command[0]]
        arguments += [container["image"], *command[1:], *container.get("args", [])]
        self.containers.append(name)
        docker(*arguments)
        return name

    def exit_code(self, name: str, *, timeout: float) -> int:
        return int(docker("wait", name, timeout=timeout))

    def logs(self, name: str) -> str:
        result = subprocess.run(
            ["docker", "logs", "--tail", "40", name], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    def complete(self, runs: list[tuple[str, dict, dict, int]]) -> None:
        """Run containers to completion side by side (init containers, Jobs' pods), each
        (pod, pod spec, container, attempts): each exits 0 within its attempts, or fail."""
        pending = {pod: (spec, container, attempts, 0) for pod, spec, container, attempts in runs}
        while pending:
            started = {
                pod: self.run_container(f"{pod}-{tried}" if tried else pod, spec, container)
                for pod, (spec, container, attempts, tried) in pending.items()
            }
            for pod, name in started.items():
                spec, container, attempts, tried = pending.pop(pod)
                if self.exit_code(name, timeout=600) == 0:
                    continue
                if tried + 1 >= attempts:
                    raise AssertionError(f"{pod}/{container['name']} failed:\n{self.logs(name)}")
                pending[pod] = (spec, container, attempts, tried + 1)

    def health(self, name: str) -> str:
        state = json.loads(docker("inspect", "--format", "{{json .State}}", name))
        assert state["Status"] == "running", f"{name} stopped:\n{self.logs(name)}"
        return state.get("Health", {}).get("Status", "none")

    def wait_ready(self, names: list[str]) -> None:
        for name in names:
            try:
                wait_until(
                    lambda name=name: self.health(name) in ("healthy", "none"),
                    timeout=300,
                    interval=1,
                    what=f"{name} ready",
                )
            except AssertionError as error:
                raise AssertionError(f"{error}\n{self.logs(name)}") from None

    def __enter__(self) -> "Release":
        docker("network", "create", self.run)
        return self

    def __exit__(self, *exc) -> None:
        self.teardown()

    def boot(self) -> None:
        """StatefulSets ready first, then every Job to completion, then the Deployments'
        init containers (step by step, all pods at once) and their containers, ready."""
        for kind in WORKLOADS:
            pods = [
                (item["metadata"]["name"] + ("" if kind == "Job" else "-0"), item, spec, claims)
                for item_kind, item, spec, claims in self.pod_templates()
                if item_kind == kind
            ]
            if kind == "Job":
                retries = [
                    (pod, spec, *spec["containers"], item["spec"].get("backoffLimit", 6) + 1)
                    for pod, item, spec, _ in pods
                ]
                self.complete(retries)
                continue
            steps = max((len(spec.get("initContainers", [])) for _, _, spec, _ in pods), default=0)
            for step in range(steps):
                self.complete(
                    [
                        (pod, spec, spec["initContainers"][step], 1)
                        for pod, _, spec, _ in pods
                        if step < len(spec.get("initContainers", []))
                    ]
                )
            started = [
                (self.run_container(pod, spec, container, claims=claims, labels=labels), container)
                for pod, item, spec, claims in pods
                for labels in [item["spec"]["template"]["metadata"].get("labels", {})]
                for container in spec["containers"]
            ]
            self.wait_ready([name for name, _ in started])
            self.started += started

    def probes_pass(self) -> None:
        """Every startup, readiness and liveness probe of every running container passes
        (each distinct probe command once per container, a few containers at a time)."""
        checks = {
            (name, probe_command(container[kind], ports_of(container)))
            for name, container in self.started
            for kind in ("startupProbe", "readinessProbe", "livenessProbe")
            if kind in container
        }

        def failure(check: tuple[str, str]) -> str | None:
            name, command = check
            result = subprocess.run(
                ["docker", "exec", name, "sh", "-c", command],
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )
            return f"{name}: {command}: {result.stderr}" if result.returncode else None

        with ThreadPoolExecutor(max_workers=4) as pool:
            failures = [message for message in pool.map(failure, sorted(checks)) if message]
        assert not failures, "\n".join(failures)

    def target_port(self, name: str, port: dict) -> int:
        """The pods' port behind Service `name`'s port (by number or name), as kube-proxy
        forwards it: the targetPort, by number or by the selected containers' port name."""
        service = self.named("Service", name)
        (entry,) = [
            entry
            for entry in service["spec"]["ports"]
            if entry["port"] == port.get("number") or entry.get("name") == port.get("name")
        ]
        target = entry.get("targetPort", entry["port"])
        if isinstance(target, int):
            return target
        return next(
            ports_of(container)[target]
            for _, item, spec, _ in self.pod_templates()
            if selected(service["spec"]["selector"], item["spec"]["template"]["metadata"]["labels"])
            for container in spec["containers"]
            if target in ports_of(container)
        )

    def ingress(self, image: str) -> str:
        """nginx routing exactly the rendered Ingress paths; its loopback URL."""
        locations, routed = [], set()
        for ingress in self.of_kind("Ingress"):
            for rule in ingress["spec"]["rules"]:
                for path in rule["http"]["paths"]:
                    backend = path["backend"]["service"]
                    port = self.target_port(backend["name"], backend["port"])
                    exact = "= " if path["pathType"] == "Exact" else ""
                    upstream = f"http://{backend['name']}:{port}"
                    routed.add(path["path"])
                    locations.append(
                        f"    location {exact}{path['path']} {{ proxy_pass {upstream}; }}"
                    )
        config = self.files / "ingress.conf"
        config.write_text(
            "server {\n    listen 80 default_server;\n"
            "    proxy_set_header Host $http_host;\n"
            "    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
            "    proxy_set_header X-Forwarded-Proto $scheme;\n"
            + "\n".join(locations)
            + ("" if "/" in routed else "\n    location / { return 404; }")
            + "\n}\n"
        )
        config.chmod(0o644)
        volume = f"{config}:/etc/nginx/conf.d/default.conf:ro"
        return self.outside("ingress", image, publish=80, options=("-v", volume))

    def outside(self, alias: str, image: str, *, publish: int, options=()) -> str:
        """A container outside the chart on the release's network (the ingress controller,
        an external SMTP server) under `alias`; the loopback URL of its published port."""
        port = free_port()
        name = f"{self.run}-{alias}"
        network = ("--network", self.run, "--network-alias", alias)
        self.containers.append(name)
        published = ("-p", f"127.0.0.1:{port}:{publish}")
        docker("run", "--detach", "--name", name, *network, *options, *published, image)
        self.wait_ready([name])
        url = f"http://localhost:{port}"

        def answers() -> bool:  # the port is published before the server in it listens
            try:
                httpx.get(url, timeout=5)
            except httpx.TransportError:
                return False
            return True

        wait_until(answers, timeout=60, interval=0.5, what=f"{alias} answering on {url}")
        return url

    def database_url(self, name: str) -> str:
        """Database `name` of the in-chart PostgreSQL as this machine reaches it (its pod's
        address, as `kubectl port-forward` would give), with the release's credentials."""
        (server,) = [name for name, container in self.started if container["name"] == "postgresql"]
        key = f"{name.upper()}_DATABASE_URL"
        (url,) = [
            data[key]
            for secret in self.of_kind("Secret")
            for data in [self.secret_data(secret["metadata"]["name"])]
            if key in data
        ]
        return reached_in(server, url)

    def exec(self, pod: str, container: str, *command: str) -> str:
        """`kubectl exec <pod> -c <container> -- command`."""
        return docker("exec", f"{self.run}-{pod}-{container}", *command)

    def helm_test(self) -> None:
        for pod in self.of_kind("Pod"):
            if pod["metadata"].get("annotations", {}).get("helm.sh/hook") == "test":
                name, spec = pod["metadata"]["name"], pod["spec"]
                self.complete([(name, spec, container, 1) for container in spec["containers"]])

    def teardown(self) -> None:
        for name in self.containers:
            docker("rm", "--force", "--volumes", name, check=False)
        for name in self.volumes:
            docker("volume", "rm", name, check=False)
        docker("network", "rm", self.run, check=False)
        shutil.rmtree(self.files, ignore_errors=True)
