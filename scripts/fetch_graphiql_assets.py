#!/usr/bin/env python3
"""Fetch the npm files behind the GraphiQL page into app/local/graphiql_assets/.

Reads app/local/graphiql_assets.json, fetches each package's tarball with `npm pack`
(the tarball only, no dependencies, no install scripts), checks it against the
sha512 integrity recorded there, and extracts only the listed files, each
checked against its recorded sha384. A no-op when every file is already present
with the right hash. Python standard library only: it runs before anything else
is installed.

Usage: python3 scripts/fetch_graphiql_assets.py [--check] [--dest DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[1]
MANIFEST = ROOT / "app" / "local" / "graphiql_assets.json"
DEFAULT_DEST = ROOT / "app" / "local" / "graphiql_assets"
NPM_TIMEOUT_S = 300


class FetchError(Exception):
    """A failure with a message meant for the person running the script."""


@dataclass(frozen=True)
class AssetFile:
    source: str  # inside the tarball: "package/umd/react.production.min.js"
    target: str  # under the assets dir: "react-18.2.0/react.production.min.js"
    sha384: str  # "sha384-<base64>"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # "sha512-<base64>" of the npm tarball
    files: tuple[AssetFile, ...]

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"


def sri(data: bytes, algorithm: str) -> str:
    """Subresource-integrity style digest: '<algorithm>-<base64 digest>'."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def _safe_relative(path: str, what: str) -> str:
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or ".." in pure.parts or "\\" in path:
        raise FetchError(f"manifest: unsafe {what} path {path!r}")
    return str(pure)


def load_manifest(path: Path) -> list[Package]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        packages = []
        for entry in doc["packages"]:
            integrity = str(entry["integrity"])
            if not integrity.startswith("sha512-"):
                raise FetchError(f"manifest: {entry['name']}: integrity must be sha512-…")
            files = []
            for f in entry["files"]:
                digest = str(f["sha384"])
                if not digest.startswith("sha384-"):
                    raise FetchError(f"manifest: {f['to']}: sha384 must be sha384-…")
                files.append(
                    AssetFile(
                        source=_safe_relative(str(f["from"]), "source"),
                        target=_safe_relative(str(f["to"]), "target"),
                        sha384=digest,
                    )
                )
            packages.append(
                Package(
                    name=str(entry["name"]),
                    version=str(entry["version"]),
                    integrity=integrity,
                    files=tuple(files),
                )
            )
    except FetchError:
        raise
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise FetchError(f"cannot read manifest {path}: {exc!r}") from exc
    if not packages:
        raise FetchError(f"manifest {path} lists no packages")
    return packages


def file_is_current(dest: Path, asset: AssetFile) -> bool:
    path = dest / asset.target
    try:
        return sri(path.read_bytes(), "sha384") == asset.sha384
    except OSError:
        return False


def npm_pack(packages: list[Package], workdir: Path) -> dict[str, Path]:
    """Download the packages' tarballs into workdir; return spec -> tarball path."""
    npm = shutil.which("npm")
    if npm is None:
        raise FetchError(
            "`npm` not found on PATH (install Node.js and npm, e.g. `apt-get install -y npm`)"
        )
    env = dict(os.environ)
    env.update(
        NPM_CONFIG_UPDATE_NOTIFIER="false",
        NPM_CONFIG_FUND="false",
        NPM_CONFIG_AUDIT="false",
    )
    cmd = [
        npm,
        "pack",
        "--json",
        "--ignore-scripts",
        "--pack-destination",
        str(workdir),
        *(p.spec for p in packages),
    ]
    try:
        proc = subprocess.run(
            cmd,
            check=False,
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=NPM_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired as exc:
        raise FetchError(f"`npm pack` did not finish in {NPM_TIMEOUT_S}s") from exc
    if proc.returncode != 0:
        tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-20:])
        raise FetchError(f"`npm pack` failed (exit {proc.returncode}):\n{tail}")
    try:
        reported = json.loads(proc.stdout)
        by_spec = {
            f"{item['name']}@{item['version']}": workdir / str(item["filename"])
            for item in reported
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise FetchError(f"cannot parse `npm pack --json` output: {proc.stdout[:500]!r}") from exc
    for p in packages:
        if p.spec not in by_spec or not by_spec[p.spec].is_file():
            raise FetchError(f"`npm pack` did not produce a tarball for {p.spec}")
    return by_spec


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def extract(package: Package, tarball: Path, dest: Path) -> None:
    blob = tarball.read_bytes()
    actual = sri(blob, "sha512")
    if actual != package.integrity:
        raise FetchError(
            f"integrity mismatch for {package.spec} tarball:\n"
            f"  expected {package.integrity}\n  got      {actual}"
        )
    with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
        for asset in package.files:
            try:
                member = tar.getmember(asset.source)
            except KeyError as exc:
                raise FetchError(f"{package.spec}: no {asset.source} in tarball") from exc
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None:
                raise FetchError(f"{package.spec}: {asset.source} is not a regular file")
            data = handle.read()
            digest = sri(data, "sha384")
            if digest != asset.sha384:
                raise FetchError(
                    f"{package.spec}: {asset.source} hash mismatch:\n"
                    f"  expected {asset.sha384}\n  got      {digest}"
                )
            _write_atomic(dest / asset.target, data)


def run(dest: Path, check_only: bool) -> int:
    started = time.monotonic()
    packages = load_manifest(MANIFEST)
    stale = [p for p in packages if not all(file_is_current(dest, f) for f in p.files)]
    total = sum(len(p.files) for p in packages)
    if not stale:
        print(f"graphiql assets: up to date ({total} files in {dest})")
        return 0
    if check_only:
        for p in stale:
            for f in p.files:
                if not file_is_current(dest, f):
                    print(
                        f"graphiql assets: missing or wrong: {f.target}",
                        file=sys.stderr,
                    )
        print(
            "graphiql assets: run `python3 scripts/fetch_graphiql_assets.py`",
            file=sys.stderr,
        )
        return 1
    print(f"graphiql assets: fetching {', '.join(p.spec for p in stale)}")
    with tempfile.TemporaryDirectory(prefix="graphiql-assets-") as tmp:
        tarballs = npm_pack(stale, Path(tmp))
        for p in stale:
            extract(p, tarballs[p.spec], dest)
    bad = [f.target for p in packages for f in p.files if not file_is_current(dest, f)]
    if bad:
        raise FetchError(f"files still missing or wrong after fetch: {bad}")
    elapsed = time.monotonic() - started
    print(f"graphiql assets: ready ({total} files in {dest}, {elapsed:.1f}s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--check",
        action="store_true",
        help="only verify; exit 1 if anything is missing or wrong",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEFAULT_DEST,
        help=f"target directory (default {DEFAULT_DEST})",
    )
    args = parser.parse_args(argv)
    try:
        return run(args.dest.resolve(), args.check)
    except FetchError as exc:
        print(f"error: graphiql assets: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
