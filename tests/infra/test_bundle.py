"""The Lambda bundles: each function's holds its runtime packages only, its handler works from
it alone, and the same sources give the same bytes from any checkout."""

from __future__ import annotations

import json
import marshal
import platform
import shutil
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from app.settings import EnvVar
from infra.bundle import (
    API,
    LAMBDA_PLATFORM,
    LAMBDA_PYTHON,
    LAMBDA_TASK_ROOT,
    UNUSED_FONTS,
    WORKER,
    FunctionBundle,
    build_bundle,
    compile_bytecode,
    directory_size,
    interpreter_for,
)
from tests.api_requests import LAMBDA_ENVIRONMENT, api_gateway_event
from tests.infra.conftest import Synthesized
from workers.receipt_fonts import FONT_FILES

pytestmark = pytest.mark.infra

NOT_FOR_LAMBDA = (
    "moto",
    "pytest",
    "aws_cdk",
    "jsii",
    "cdk_nag",
    "uvicorn",
    "jwt",
    "playwright",
    "mypy",
    "ruff",
    "cfnlint",
    "hypothesis",
    "werkzeug",
    "flask",
    # The receipt's font packages are read by path, so what importing them needs stays out.
    "fontTools",
    "justmytype",
    "fontpkg",
)
# The environment the stack gives a Lambda, and a sample event of each kind its handlers take.
ENVIRONMENT = {
    name: value for name, value in LAMBDA_ENVIRONMENT.items() if name != EnvVar.LOG_LEVEL
}
API_GATEWAY_EVENT = api_gateway_event()
SQS_EVENT = {
    "Records": [
        {
            "messageId": "m-1",
            "receiptHandle": "r-1",
            "body": "not a command",
            "attributes": {"MessageGroupId": "g-1", "ApproximateReceiveCount": "1"},
            "messageAttributes": {},
            "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:standard.fifo",
            "awsRegion": "us-east-1",
        }
    ]
}
INVOKE = textwrap.dedent(
    """
    import importlib, json, sys
    sys.path.insert(0, sys.argv[1])
    dotted, event = sys.argv[2], json.loads(sys.argv[3])
    module, _, name = dotted.rpartition(".")

    class Context:  # what Lambda passes a handler, as far as the handlers read it
        function_name = "order-delivery"
        function_version = "1"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:order-delivery"
        memory_limit_in_mb = 1024
        aws_request_id = "request-1"
        log_group_name = "/aws/lambda/order-delivery"
        log_stream_name = "stream"

        def get_remaining_time_in_millis(self):
            return 30_000

    answer = getattr(importlib.import_module(module), name)(event, Context())
    loaded = sorted({m.split(".")[0] for m in sys.modules})
    paths = [m.__file__ for m in map(sys.modules.get, ("strawberry", "aioboto3", "reportlab")) if m]
    print(json.dumps({"answer": answer, "paths": paths, "loaded": loaded}))
    """
)
# The API's bundle, unzipped: the budget, for a fast deployment and cold start.
API_BUNDLE_BUDGET_BYTES = 30_000_000


def bundle_for_this_machine(bundle: FunctionBundle) -> Path:
    """A bundle this interpreter can import from, as Lambda would import the real one."""
    return build_bundle(
        bundle, platform.machine(), f"{sys.version_info.major}.{sys.version_info.minor}"
    )


def run_from_the_bundle_alone(
    bundle: Path, script: str, *arguments: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`script` run with the bundle first on its path: -S, no site-packages, -E, no PYTHON*
    variables, so only the standard library and the bundle can be imported; -B, so the run
    writes no bytecode into the bundle."""
    return subprocess.run(
        [sys.executable, "-S", "-E", "-B", "-c", script, str(bundle), *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("bundle", "ours", "theirs", "not_theirs"),
    [
        (
            API,
            {"app", "domain", "storage", "schema", "resolvers"},
            {"strawberry", "graphql", "mangum", "starlette", "aioboto3"},
            {"workers", "reportlab", "PIL", "jinja2", "markupsafe", "bidi", "packaging"},
        ),
        (
            WORKER,
            {"app", "domain", "storage", "workers"},
            {"reportlab", "jinja2", "bidi", "aioboto3", "tzdata"},
            {"schema", "resolvers", "strawberry", "graphql", "mangum", "starlette"},
        ),
    ],
    ids=["api", "worker"],
)
def test_each_bundle_carries_what_its_function_imports_and_nothing_else(
    bundle: FunctionBundle, ours: set[str], theirs: set[str], not_theirs: set[str]
) -> None:
    built = build_bundle(bundle, LAMBDA_PLATFORM, LAMBDA_PYTHON)
    top_level = {path.name for path in built.iterdir()}

    assert ours | theirs <= top_level
    assert not top_level & (not_theirs | set(NOT_FOR_LAMBDA))
    # The local harness (emulator, local server, dev tokens, GraphiQL and its assets) stays home.
    assert not (built / "app" / "local").exists()
    assert not list(built.glob("*/dev_tokens.py"))
    assert not (built / "botocore" / "data" / "ec2").exists()  # unused service models pruned
    assert (built / "botocore" / "data" / "dynamodb").is_dir()
    assert not list(built.glob("**/*.pyi"))


def test_the_api_bundle_is_within_its_budget_and_lacks_the_workers_modules() -> None:
    built = build_bundle(API, LAMBDA_PLATFORM, LAMBDA_PYTHON)

    assert directory_size(built) <= API_BUNDLE_BUDGET_BYTES
    assert not (built / "app" / "worker_lambda.py").exists()
    assert (built / "app" / "api_lambda.py").is_file()
    assert not (built / "strawberry" / "django").exists()
    worker = build_bundle(WORKER, LAMBDA_PLATFORM, LAMBDA_PYTHON)
    assert not (worker / "app" / "api_lambda.py").exists()
    assert (worker / "app" / "worker_lambda.py").is_file()


@pytest.mark.parametrize("bundle", [API, WORKER], ids=["api", "worker"])
def test_each_bundle_holds_bytecode_only_for_the_runtimes_python(bundle: FunctionBundle) -> None:
    built = build_bundle(bundle, LAMBDA_PLATFORM, LAMBDA_PYTHON)
    tags = {path.name.split(".")[-2] for path in built.rglob("*.pyc")}
    expected = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"

    if interpreter_for(LAMBDA_PYTHON) is not None:
        assert tags == {expected}
        # Hash-based and unchecked (flags 0b01): valid whatever timestamps the zip gives files.
        sample = next(built.rglob("*.pyc")).read_bytes()
        assert int.from_bytes(sample[4:8], "little") == 1
    else:
        assert tags <= {expected}


def test_bytecode_names_lambdas_path_so_any_checkout_gives_the_same_bytes(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "domain"
    compiled = []
    for checkout in ("one", "elsewhere/two"):
        target = tmp_path / checkout / "bundle"
        shutil.copytree(source, target / "domain", ignore=shutil.ignore_patterns("__pycache__"))
        compile_bytecode(sys.executable, target)
        compiled.append(
            {path.relative_to(target): path.read_bytes() for path in sorted(target.rglob("*.pyc"))}
        )

    assert compiled[0]
    assert compiled[0] == compiled[1]
    code = marshal.loads(next(iter(compiled[0].values()))[16:])  # noqa: S302 (our own bytecode)
    assert code.co_filename.startswith(f"{LAMBDA_TASK_ROOT}/domain/")


@pytest.mark.parametrize("bundle", [API, WORKER], ids=["api", "worker"])
def test_no_file_of_a_bundle_names_the_checkout_it_was_built_in(bundle: FunctionBundle) -> None:
    """The asset's hash is its files' contents: a checkout's path in any of them (a script's
    shebang, a source path in bytecode) would upload a new asset from every clone."""
    built = build_bundle(bundle, LAMBDA_PLATFORM, LAMBDA_PYTHON)
    checkout = str(Path(__file__).resolve().parents[2]).encode()

    naming = [
        path.relative_to(built)
        for path in built.rglob("*")
        if path.is_file() and checkout in path.read_bytes()
    ]

    assert naming == []


@pytest.mark.parametrize(
    ("bundle", "handler", "event"),
    [(API, "api", API_GATEWAY_EVENT), (WORKER, "worker", SQS_EVENT)],
    ids=["api", "worker"],
)
def test_the_handler_the_stack_names_answers_from_its_bundle_for_this_machine(
    synthesized: Synthesized,
    tmp_path: Path,
    bundle: FunctionBundle,
    handler: str,
    event: dict[str, object],
) -> None:
    handlers = {
        function["Properties"]["Handler"] for function in synthesized.service_functions().values()
    }
    dotted = next(name for name in handlers if handler in name)
    built = bundle_for_this_machine(bundle)

    run = run_from_the_bundle_alone(
        built, INVOKE, dotted, json.dumps(event), cwd=tmp_path, env=ENVIRONMENT
    )

    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert all(path.startswith(str(built)) for path in result["paths"])
    if bundle is API:
        answer = result["answer"]
        assert answer["statusCode"] == 200, answer
        assert json.loads(answer["body"]) == {"data": {"__typename": "Query"}}
        assert "reportlab" not in result["loaded"]
    else:
        assert result["answer"] == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
        assert "strawberry" not in result["loaded"]


def test_the_worker_bundle_ships_the_receipt_fonts_and_the_time_zone_database() -> None:
    bundle = build_bundle(WORKER, LAMBDA_PLATFORM, LAMBDA_PYTHON)
    installed = Path(sysconfig.get_paths()["purelib"])

    assert FONT_FILES
    for font in FONT_FILES:
        assert (bundle / font.package / font.path).is_file(), font
    assert UNUSED_FONTS
    for unused in UNUSED_FONTS:
        # Installed with the font packages, so its absence from the bundle is the pruning's.
        assert (installed / unused).exists(), unused
        assert not (bundle / unused).exists(), unused
    # Lambda's Amazon Linux has no /usr/share/zoneinfo: zoneinfo falls back to this package.
    assert (bundle / "tzdata" / "zoneinfo" / "America" / "New_York").is_file()


def test_a_receipt_in_any_script_draws_from_the_bundle_alone(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import json, sys
        sys.path.insert(0, sys.argv[1])
        from workers.receipt_fonts import font_runs
        print(json.dumps(sorted({face for face, _ in font_runs("Zoë 李 Пётр שרה محمد 김")})))
        """
    )

    # The fonts and bidi come from the bundle, or the import fails.
    run = run_from_the_bundle_alone(bundle_for_this_machine(WORKER), script, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [
        "NotoSans",
        "NotoSansArabic",
        "NotoSansHebrew",
        "NotoSansKR",
        "NotoSansSC",
    ]
