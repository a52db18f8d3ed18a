"""The Lambda bundle, built without Docker: runtime wheels for the target, our code, bytecode.

    uv run python -m infra.bundle [--platform aarch64|x86_64] [--python 3.13] [--out DIR]

Only the runtime dependencies go in (`uv export` without the dev, local and infra groups), as
wheels for the Lambda's Python version and architecture; botocore keeps the service models of
the services the code calls and nothing else. Our packages go in without the local harness
(app/local: the emulator, the local server, dev tokens, GraphiQL). Bytecode is compiled by an
interpreter of the target version when the build machine has one (pyenv's, say); without one
the bundle ships sources only, which works but compiles on every cold start. Bundles are
cached by the hash of their inputs under build/.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
PACKAGES = ("app", "domain", "storage", "schema", "resolvers", "workers")
# The Lambda runtime (python3.13, Amazon Linux 2023, glibc 2.34) and architecture.
LAMBDA_PYTHON = "3.13"
LAMBDA_PLATFORM = "aarch64"
PLATFORMS = {"aarch64": "aarch64-manylinux_2_28", "x86_64": "x86_64-manylinux_2_28"}
# botocore ships every AWS service's model (most of its size); the code calls only these.
BOTOCORE_SERVICES = frozenset({"dynamodb", "sqs", "s3", "sesv2", "sts", "sso", "sso-oidc"})
# Run on a developer's machine only, never imported by the handlers (an import-linter contract).
LOCAL_ONLY = (Path("app", "local"),)
_SKIPPED_NAMES = shutil.ignore_patterns("__pycache__", "*.pyc")
# The receipt's font packages are read by path (workers/receipt_fonts.py), never imported, so
# what they depend on to be imported (fontTools alone is 24 MB) stays out of the bundle.
NOT_IMPORTED = frozenset({"fonttools", "justmytype", "fontpkg"})
# Faces those packages carry that the receipt does not draw with: Simplified Chinese and Korean
# cover what Japanese and Traditional Chinese would add, and the receipt sets no italics.
UNUSED_FONTS = (
    "justmytype_intl_cjk/fonts/ofl/notosansjp",
    "justmytype_intl_cjk/fonts/ofl/notosanstc",
    "fontpkg_noto_sans/files/NotoSans-Italic[wdth,wght].ttf",
)


def bundle_inputs_digest(platform: str, python: str) -> str:
    digest = hashlib.sha256(f"{platform} {python} {interpreter_for(python)}".encode())
    digest.update((ROOT / "uv.lock").read_bytes())
    digest.update(Path(__file__).read_bytes())
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in path.parts and _is_shipped(relative):
                digest.update(str(relative).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _is_shipped(relative: Path) -> bool:
    return not any(relative.is_relative_to(local) for local in LOCAL_ONLY)


def _skipped(directory: str, names: list[str]) -> set[str]:
    """What copytree leaves out of `directory`: caches, and the local harness."""
    relative = Path(directory).resolve().relative_to(ROOT)
    return set(_SKIPPED_NAMES(directory, names)) | {
        name for name in names if not _is_shipped(relative / name)
    }


def build_bundle(
    platform: str = LAMBDA_PLATFORM, python: str = LAMBDA_PYTHON, out: Path | None = None
) -> Path:
    """The bundle's directory, built unless an identical one exists."""
    digest = bundle_inputs_digest(platform, python)
    target = out or BUILD / f"lambda-py{python.replace('.', '')}-{platform}-{digest}"
    if (target / ".complete").exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    requirements = target.parent / f"{target.name}.requirements.txt"
    requirements.write_text(_runtime_requirements())
    subprocess.run(  # noqa: S603
        [  # noqa: S607 (uv is the project's installer, on PATH wherever `make install` ran)
            "uv",
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "--python-version",
            python,
            "--python-platform",
            PLATFORMS[platform],
            "--only-binary",
            ":all:",
            "--no-deps",  # the export is complete and pinned
            "-r",
            str(requirements),
        ],
        check=True,
        cwd=ROOT,
    )
    _prune_botocore(target)
    _prune_unused_fonts(target)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=_skipped)
    compiler = interpreter_for(python)
    if compiler is None:
        print(f"no Python {python} here: the bundle ships without bytecode", file=sys.stderr)
    else:
        subprocess.run(  # noqa: S603
            # unchecked-hash: CDK zips assets with a fixed 1980 timestamp, which would make
            # timestamp-checked bytecode look stale in Lambda and be recompiled at every start.
            [
                compiler,
                "-m",
                "compileall",
                "-q",
                "-j",
                "0",
                "--invalidation-mode",
                "unchecked-hash",
                str(target),
            ],
            check=True,
        )
    (target / ".complete").write_text("")
    requirements.unlink()
    return target


def interpreter_for(version: str) -> str | None:
    """An interpreter of exactly this version on the build machine, if it has one."""
    candidates = [
        shutil.which(f"python{version}"),
        sys.executable,
        *sorted(str(path) for path in Path.home().glob(f".pyenv/versions/{version}*/bin/python3")),
    ]
    for candidate in candidates:
        if candidate and _version_of(candidate) == version:
            return candidate
    return None


def _version_of(executable: str) -> str | None:
    try:
        answer = subprocess.run(  # noqa: S603
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return answer.stdout.strip()


def _runtime_requirements() -> str:
    exported = subprocess.run(
        [  # noqa: S607 (uv is the project's installer, on PATH wherever `make install` ran)
            "uv",
            "export",
            "--frozen",
            "--no-dev",
            "--no-default-groups",
            "--no-emit-project",
            "--no-hashes",
            "--format",
            "requirements-txt",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout
    return "".join(
        line
        for line in exported.splitlines(keepends=True)
        if line.partition("==")[0].strip().lower() not in NOT_IMPORTED
    )


def _prune_unused_fonts(target: Path) -> None:
    for unused in UNUSED_FONTS:
        path = target / unused
        if path.is_dir():
            shutil.rmtree(path)
        elif path.is_file():
            path.unlink()


def _prune_botocore(target: Path) -> None:
    for data in (target / "botocore" / "data", target / "boto3" / "data"):
        if not data.is_dir():
            continue
        for service in data.iterdir():
            if service.is_dir() and service.name not in BOTOCORE_SERVICES:
                shutil.rmtree(service)


def directory_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--platform", choices=sorted(PLATFORMS), default=LAMBDA_PLATFORM)
    parser.add_argument("--python", default=LAMBDA_PYTHON)
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    bundle = build_bundle(arguments.platform, arguments.python, arguments.out)
    print(f"{bundle} ({directory_size(bundle) / 1e6:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
