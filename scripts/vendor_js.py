#!/usr/bin/env python3
"""Vendor the web client's third-party JavaScript into ``client_web/vendor/``.

The server serves every byte of its web client itself (no CDN: facilitators
work on closed networks), so the chart library is committed to the repository
and shipped in the package. This script is how that copy is made and checked:

    python scripts/vendor_js.py           # download the pinned tarball, verify, extract
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

VENDOR = Path(__file__).resolve().parents[1] / "client_web" / "vendor"


@dataclass(frozen=True)
class Package:
    """One npm package: where its tarball is, its integrity, and the files we keep."""

    name: str
    version: str
    integrity: str
    """The registry's ``dist.integrity``: ``sha512-<base64>`` of the tarball."""
    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Path inside the tarball -> (file name under vendor/, its sha256 hex)."""

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
)


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fetch(package: Package, dest: Path) -> list[Path]:
    """Download ``package``, check its integrity and each file's sha256, write the files."""
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


def check(package: Package, dest: Path) -> list[str]:
    """What is wrong with the committed copy of ``package`` (empty: nothing)."""
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
    parser.add_argument("--dest", type=Path, default=VENDOR, help="the vendor folder")
    args = parser.parse_args(argv)
    if args.check:
        problems = [p for package in PACKAGES for p in check(package, args.dest)]
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for package in PACKAGES:
        for path in fetch(package, args.dest):
            print(f"{package.name}@{package.version} -> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
