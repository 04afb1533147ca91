"""The storefront's build (``frontend/dist``), made when its sources changed.

``make run``, ``make test``, ``make lint`` and the local topology call :func:`ensure_built`:
``npm ci`` when ``package-lock.json`` changed since the last install, ``npm run build``
when any source changed since the last build, nothing otherwise, so a test run builds at
most once. ``python -m deploy.local.storefront`` does the same from the command line.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
DIST = FRONTEND / "dist"
SOURCES = ("package-lock.json", "index.html", "vite.config.ts", "tsconfig.json", "src", "public")
INSTALLED_STAMP = FRONTEND / "node_modules" / ".installed-lock"
BUILT_STAMP = DIST / ".sources"


class StorefrontError(RuntimeError):
    """The shop could not be built; the message says what to do."""


def fingerprint(*names: str) -> str:
    digest = hashlib.sha256()
    for name in names:
        path = FRONTEND / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in (f for f in files if f.is_file()):
            digest.update(str(file.relative_to(FRONTEND)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def npm(*args: str) -> None:
    if not shutil.which("npm"):
        raise StorefrontError("npm not found: the storefront needs Node.js 20.19+ with npm.")
    result = subprocess.run(["npm", *args], cwd=FRONTEND, check=False)
    if result.returncode:
        raise StorefrontError(f"npm {' '.join(args)} failed (exit {result.returncode}).")


def stamped(stamp: Path, value: str) -> bool:
    return stamp.is_file() and stamp.read_text() == value


def ensure_dependencies() -> None:
    lock = fingerprint("package-lock.json")
    if not stamped(INSTALLED_STAMP, lock):
        npm("ci", "--no-audit", "--no-fund", "--loglevel=error")
        INSTALLED_STAMP.write_text(lock)


def ensure_built() -> Path:
    """``frontend/dist`` up to date with the sources; returns it."""
    ensure_dependencies()
    sources = fingerprint(*SOURCES)
    if not stamped(BUILT_STAMP, sources):
        npm("run", "build", "--silent")
        BUILT_STAMP.write_text(sources)
    return DIST


if __name__ == "__main__":
    try:
        ensure_built()
    except StorefrontError as exc:
        sys.exit(f"error: {exc}")
