"""The Lambda bundles, built without Docker: runtime wheels for the target, our code, bytecode.

    uv run python -m infra.bundle [--function api|worker] [--platform aarch64|x86_64]
                                  [--python 3.13] [--out DIR]

Each function gets its own bundle with what it imports and nothing else: the API's holds no
reportlab, Pillow, fonts, Jinja2 or email templates (the worker's alone draws receipts and
writes mail), the worker's no Strawberry, Starlette or Mangum. Only runtime dependencies go in
(`uv export` without the dev, local and infra groups), as wheels for the Lambda's Python version
and architecture; botocore keeps the models of the services the function calls. Our packages go
in without the local harness (app/local). Bytecode is compiled by an interpreter of the target
version when the build machine has one (pyenv's, say), with the paths Lambda loads it from
(/var/task/...) rather than the checkout's, so the same sources give the same asset hash from
any clone; without one the bundle ships sources only, which works but compiles on every cold
start. Bundles are cached by the hash of their inputs under build/.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
# The Lambda runtime (python3.13, Amazon Linux 2023, glibc 2.34) and architecture.
LAMBDA_PYTHON = "3.13"
LAMBDA_PLATFORM = "aarch64"
PLATFORMS = {"aarch64": "aarch64-manylinux_2_28", "x86_64": "x86_64-manylinux_2_28"}
# Where Lambda unpacks a bundle: the path bytecode names its sources by, in tracebacks too.
LAMBDA_TASK_ROOT = "/var/task"
# botocore's credential chain loads these whatever the function calls.
_CREDENTIAL_SERVICES = frozenset({"sts", "sso", "sso-oidc"})
# Run on a developer's machine only, never imported by the handlers (an import-linter contract);
# the operations tools (redrive, cost) run from an operator's checkout.
LOCAL_ONLY = (Path("app", "local"), Path("app", "operations"))
# Distributions only one of the functions imports (`uv export` names, lower case).
RECEIPTS_AND_MAIL = frozenset(
    {
        "reportlab",
        "rl-accel",  # reportlab's C accelerator
        "pillow",
        "charset-normalizer",  # reportlab's
        "jinja2",
        "markupsafe",
        "arabic-reshaper",
        "python-bidi",
        "fontpkg-noto-sans",
        "justmytype-intl-cjk",
        "justmytype-intl-rtl",
    }
)
GRAPHQL_EDGE = frozenset({"strawberry-graphql", "graphql-core", "cross-web", "mangum", "starlette"})


# aiohttp's compiled WebSocket reader and mask: our clients speak plain HTTP to AWS, and aiohttp
# falls back to its Python versions should anything open a WebSocket.
# Its server (aiohttp.web, the Gunicorn worker) is not imported by its client either.
AIOHTTP_UNUSED = (
    "aiohttp/_websocket/reader_c.*.so",
    "aiohttp/_websocket/mask.*.so",
    "aiohttp/web*.py",
    "aiohttp/worker.py",
)
# Type stubs and the C/Cython sources wheels carry beside their compiled modules.
NOT_RUN = ("**/*.pyi", "**/*.pyx", "**/*.pxd", "**/*.c", "**/*.h")
# Strawberry's integrations with other frameworks and its developer tools: the API serves
# through its ASGI view, and the schema is exported at build time.
STRAWBERRY_UNUSED = tuple(
    f"strawberry/{name}"
    for name in (
        "aiohttp",
        "chalice",
        "channels",
        "cli",
        "codegen",
        "codemods",
        "django",
        "ext",
        "fastapi",
        "flask",
        "litestar",
        "pydantic",
        "quart",
        "sanic",
        "schema_codegen",
        "test",
    )
)
# Powertools: the functions use its Logger, Metrics (EMF) and Tracer; its REST/GraphQL
# resolvers, parsers and other utilities are left out (tests/infra/test_bundle.py runs each
# handler from its bundle, so anything still imported shows there).
POWERTOOLS_UNUSED = (
    "aws_lambda_powertools/event_handler",
    "aws_lambda_powertools/metrics/provider/datadog",
    *(
        f"aws_lambda_powertools/utilities/{name}"
        for name in (
            "auth_alpha",
            "circuit_breaker",
            "data_classes",
            "data_masking",
            "feature_flags",
            "idempotency",
            "kafka",
            "metadata",
            "parameters",
            "parser",
            "streaming",
            "validation",
        )
    ),
)
# The X-Ray SDK's recorder and patches: the functions trace through app/xray's provider, and
# Powertools' Tracer, given it, only reads the SDK's on/off switch (aws_xray_sdk.sdk_config).
XRAY_UNUSED = ("aws_xray_sdk/core", "aws_xray_sdk/ext")
# Metadata no import reads (installers' file lists), the SDK's request examples, and
# dateutil's own time-zone tarball (zoneinfo and tzdata serve time zones here).
NOT_READ = (
    "*.dist-info/RECORD",
    # Console scripts (idna, jp.py, strawberry): Lambda runs none, and their shebang names the
    # checkout's interpreter, which would make the asset differ from clone to clone.
    "bin",
    "botocore/data/*/*/examples-1.json",
    "dateutil/zoneinfo/dateutil-zoneinfo.tar.gz",
)
# Faces those packages carry that the receipt does not draw with: Simplified Chinese and Korean
# cover what Japanese and Traditional Chinese would add, and the receipt sets no italics.
UNUSED_FONTS = (
    "justmytype_intl_cjk/fonts/ofl/notosansjp",
    "justmytype_intl_cjk/fonts/ofl/notosanstc",
    "fontpkg_noto_sans/files/NotoSans-Italic[wdth,wght].ttf",
)


@dataclass(frozen=True, slots=True)
class FunctionBundle:
    """What one function's bundle holds of ours and of its dependencies."""

    name: str
    packages: tuple[str, ...]
    # Modules of ours in those packages the function never loads.
    left_out: tuple[Path, ...]
    distributions_left_out: frozenset[str]
    botocore_services: frozenset[str]
    # Files and folders of installed distributions it never loads (globs, from the bundle's root).
    unused: tuple[str, ...]


API = FunctionBundle(
    name="api",
    packages=("app", "domain", "storage", "schema", "resolvers"),
    left_out=(*LOCAL_ONLY, Path("app", "worker_lambda.py"), Path("app", "worker_runtime.py")),
    # packaging: only Strawberry's Datadog tracing imports it.
    distributions_left_out=RECEIPTS_AND_MAIL | {"packaging"},
    # Reads items, sends commands, presigns receipt links (signing only, no S3 call).
    botocore_services=frozenset({"dynamodb", "sqs", "s3"}) | _CREDENTIAL_SERVICES,
    unused=(
        *STRAWBERRY_UNUSED,
        *AIOHTTP_UNUSED,
        *POWERTOOLS_UNUSED,
        "aws_lambda_powertools/utilities/batch",
        *XRAY_UNUSED,
        *NOT_RUN,
        *NOT_READ,
    ),
)
WORKER = FunctionBundle(
    name="worker",
    packages=("app", "domain", "storage", "workers"),
    left_out=(
        *LOCAL_ONLY,
        Path("app", "api_lambda.py"),
        Path("app", "api_services.py"),
        Path("app", "asgi.py"),
        Path("app", "graphql_request.py"),
    ),
    distributions_left_out=GRAPHQL_EDGE,
    botocore_services=frozenset({"dynamodb", "s3", "sesv2"}) | _CREDENTIAL_SERVICES,
    unused=(
        *UNUSED_FONTS,
        *AIOHTTP_UNUSED,
        *POWERTOOLS_UNUSED,
        *XRAY_UNUSED,
        *NOT_RUN,
        *NOT_READ,
    ),
)
BUNDLES = {bundle.name: bundle for bundle in (API, WORKER)}
_SKIPPED_NAMES = shutil.ignore_patterns("__pycache__", "*.pyc")
# The receipt's font packages are read by path (workers/receipt_fonts.py), never imported, so
# what they depend on to be imported (fontTools alone is 24 MB) stays out of the bundle.
NOT_IMPORTED = frozenset({"fonttools", "justmytype", "fontpkg"})


def bundle_inputs_digest(bundle: FunctionBundle, platform: str, python: str) -> str:
    digest = hashlib.sha256(f"{bundle} {platform} {python} {interpreter_for(python)}".encode())
    digest.update((ROOT / "uv.lock").read_bytes())
    digest.update(Path(__file__).read_bytes())
    for package in bundle.packages:
        for path in sorted((ROOT / package).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.is_file() and "__pycache__" not in path.parts and _is_shipped(bundle, relative):
                digest.update(str(relative).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _is_shipped(bundle: FunctionBundle, relative: Path) -> bool:
    return not any(relative.is_relative_to(left_out) for left_out in bundle.left_out)


def build_bundle(
    bundle: FunctionBundle,
    platform: str = LAMBDA_PLATFORM,
    python: str = LAMBDA_PYTHON,
    out: Path | None = None,
) -> Path:
    """The bundle's directory, built unless an identical one exists."""

    def skipped(directory: str, names: list[str]) -> set[str]:
        """What copytree leaves out of `directory`: caches, and what the function never loads."""
        relative = Path(directory).resolve().relative_to(ROOT)
        return set(_SKIPPED_NAMES(directory, names)) | {
            name for name in names if not _is_shipped(bundle, relative / name)
        }

    digest = bundle_inputs_digest(bundle, platform, python)
    name = f"lambda-{bundle.name}-py{python.replace('.', '')}-{platform}-{digest}"
    target = out or BUILD / name
    if (target / ".complete").exists():
        return target
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    requirements = target.parent / f"{target.name}.requirements.txt"
    requirements.write_text(_runtime_requirements(bundle))
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
    _prune_botocore(target, bundle.botocore_services)
    _prune(target, bundle.unused)
    for package in bundle.packages:
        shutil.copytree(ROOT / package, target / package, ignore=skipped)
    compiler = interpreter_for(python)
    if compiler is None:
        print(f"no Python {python} here: the bundle ships without bytecode", file=sys.stderr)
    else:
        compile_bytecode(compiler, target)
    (target / ".complete").write_text("")
    requirements.unlink()
    return target


def compile_bytecode(compiler: str, target: Path) -> None:
    """Bytecode for every module, naming its source by where Lambda will load it from.

    unchecked-hash: CDK zips assets with a fixed 1980 timestamp, which would make
    timestamp-checked bytecode look stale in Lambda and be recompiled at every start. Stripping
    the build directory (-s) and naming /var/task instead (-p) keeps the checkout's path out of
    the files, so the asset's hash depends on the sources alone.
    """
    subprocess.run(  # noqa: S603
        [
            compiler,
            "-m",
            "compileall",
            "-q",
            "-j",
            "0",
            "--invalidation-mode",
            "unchecked-hash",
            "-s",
            str(target),
            "-p",
            LAMBDA_TASK_ROOT,
            str(target),
        ],
        check=True,
    )


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


def _runtime_requirements(bundle: FunctionBundle) -> str:
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
        if line.partition("==")[0].strip().lower()
        not in NOT_IMPORTED | bundle.distributions_left_out
    )


def _prune(target: Path, unused: tuple[str, ...]) -> None:
    for pattern in unused:
        # A name such as NotoSans-Italic[wdth,wght].ttf is itself, not a glob's character class.
        named = target / pattern
        for path in [named] if named.exists() else target.glob(pattern):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()


def _prune_botocore(target: Path, services: frozenset[str]) -> None:
    for data in (target / "botocore" / "data", target / "boto3" / "data"):
        if not data.is_dir():
            continue
        for service in data.iterdir():
            if service.is_dir() and service.name not in services:
                shutil.rmtree(service)


def directory_size(path: Path) -> int:
    return sum(file.stat().st_size for file in path.rglob("*") if file.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--function", choices=sorted(BUNDLES), default=API.name)
    parser.add_argument("--platform", choices=sorted(PLATFORMS), default=LAMBDA_PLATFORM)
    parser.add_argument("--python", default=LAMBDA_PYTHON)
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    bundle = build_bundle(
        BUNDLES[arguments.function], arguments.platform, arguments.python, arguments.out
    )
    print(f"{bundle} ({directory_size(bundle) / 1e6:.1f} MB unzipped)")


if __name__ == "__main__":
    main()
