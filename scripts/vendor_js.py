#!/usr/bin/env python3
"""Vendor third-party JavaScript: the web client's and the browser tests'.

The server serves every byte of its web client itself (no CDN: facilitators
work on closed networks), so the chart library and the pages' rendering library
(Preact with htm: a view is a function of the state, and there is no build step)
are committed to the repository and shipped in the package (``client_web/vendor/``).
The accessibility checker the browser tests inject (axe-core) is committed the same
way but under ``tests/browser/vendor/``: outside ``client_web/``, so it is neither
served to participants nor packaged. This script is how those copies are made and checked:

    python scripts/vendor_js.py           # download the pinned tarballs, verify, extract
    python scripts/vendor_js.py --check   # offline: the committed files are the pinned ones

The tarball is pinned by the npm registry's own integrity string (sha512), and
each extracted file by its sha256, so ``--check`` needs no network and a
changed or truncated vendored file fails the test suite.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENT = Path("client_web/vendor")
"""Served at ``/static/vendor/`` and shipped in the package."""
TESTS = Path("tests/browser/vendor")
"""Used by the browser tests only: never served, never packaged."""


@dataclass(frozen=True)
class Package:
    """One npm package: where its tarball is, its integrity, the files we keep and where."""

    name: str
    version: str
    integrity: str
    """The registry's ``dist.integrity``: ``sha512-<base64>`` of the tarball."""
    dest: Path
    """The folder its files go to, relative to the repository's root."""
    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Path inside the tarball -> (file name under ``dest``, its sha256 hex)."""

    @property
    def url(self) -> str:
        return f"https://registry.npmjs.org/{self.name}/-/{self.name}-{self.version}.tgz"


PACKAGES = (
    Package(
        name="chart.js",
        version="4.6.1",
        integrity=(
            "sha512-hJyniucsFmq//EvXYvJ6c6mahPoI3kaxdjVH8awTaJ/fDNWeSqqqArixMJWkWNN6fcYvPU3HneSANFNYtRi61g=="
        ),
        dest=CLIENT,
        files={
            "package/dist/chart.umd.min.js": (
                "chart.umd.min.js",
                "87364cc2b2a76a6684929e7d6b80b18a897794db38400caff1fcf1791c6925d2",
            ),
            "package/LICENSE.md": (
                "chart.js-LICENSE.md",
                "41a84aa2caba645f966a18d9c2056b73e6d3a81d80bc0046bc0011a2634d4cce",
            ),
        },
    ),
    Package(
        name="preact",
        version="11.2.0",
        integrity=(
            "sha512-/HfHI/7N84e6GrWBJ3J280z3mLaRJiDcSvj/A+y/4AbLnND/1UlGHe1sR6oYuTGwId0nP7dqDU9OnLxMPZ7xBg=="
        ),
        dest=CLIENT,
        files={
            "package/dist/preact.mjs": (
                "preact.mjs",
                "bdcbd9abdf2c77c5c45326eab42191e949222d479d0d5f69467387a77040cb55",
            ),
            "package/LICENSE": (
                "preact-LICENSE",
                "1fe6958409c8c257a70c587a18b6f7f412b179b456630790d30b2ec9a8e4b7d4",
            ),
        },
    ),
    Package(
        name="htm",
        version="3.1.1",
        integrity=(
            "sha512-983Vyg8NwUE7JkZ6NmOqpCZ+sh1bKv2iYTlUkzlWmA5JD2acKoxd4KVxbMmxX/85mtfdnDmTFoNKcg5DGAvxNQ=="
        ),
        dest=CLIENT,
        files={
            "package/dist/htm.mjs": (
                "htm.mjs",
                "ab33dd3f38059b9be4d5f5350128eefb2356639c4e0bbe9d9e8b3ba75847e9e4",
            ),
            "package/LICENSE": (
                "htm-LICENSE",
                "740725f7252e750af735d0028cc534970772f513331e9f68150fede8fb3ce00f",
            ),
        },
    ),
    Package(
        name="axe-core",
        version="4.14.1",
        integrity=(
            "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
        ),
        dest=TESTS,
        files={
            "package/axe.min.js": (
                "axe.min.js",
                "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c",
            ),
            "package/LICENSE": (
                "axe-core-LICENSE",
                "af175b9d96ee93c21a036152e1b905b0b95304d4ae8c2c921c7609100ba8df7e",
            ),
            # axe.min.js bundles these libraries; their licences travel with it.
            "package/LICENSE-3RD-PARTY.txt": (
                "axe-core-LICENSE-3RD-PARTY.txt",
                "4f8563870d0fca38bbc3e00b6f670cb7fa9f380ba9f26a7f7d1184a6b18b1653",
            ),
        },
    ),
)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(package: Package, root: Path) -> list[Path]:
    """Download ``package``, check its integrity and each file's sha256, write the files
    into its folder under ``root``."""
    dest = root / package.dest
    with urllib.request.urlopen(package.url, timeout=60) as response:
        tarball = response.read()
    if _integrity(tarball) != package.integrity:
        raise SystemExit(f"{package.url}: integrity mismatch, refusing to extract")
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member, (name, sha256) in package.files.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                raise SystemExit(f"{package.url}: {member} is not a file")
            data = extracted.read()
            if (actual := _sha256(data)) != sha256:
                raise SystemExit(f"{package.url}: {member} has sha256 {actual}, not {sha256}")
            (dest / name).write_bytes(data)
            written.append(dest / name)
    return written


def check(package: Package, root: Path) -> list[str]:
    """What is wrong with the copy of ``package`` under ``root`` (empty: nothing)."""
    dest = root / package.dest
    problems = []
    for name, sha256 in package.files.values():
        path = dest / name
        if not path.is_file():
            problems.append(f"{path} is missing: run scripts/vendor_js.py")
        elif (actual := _sha256(path.read_bytes())) != sha256:
            problems.append(f"{path} has sha256 {actual}, the pin is {sha256}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="verify the committed files offline (no download)"
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the tree each package's folder is under"
    )
    args = parser.parse_args(argv)
    if args.check:
        problems = [p for package in PACKAGES for p in check(package, args.root)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for package in PACKAGES:
        for path in fetch(package, args.root):
            print(f"{package.name}@{package.version} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
