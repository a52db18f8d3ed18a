"""The Lambda bundle: only runtime packages, and the handlers the stack names work from it."""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

import pytest

from app.settings import EnvVar
from infra.bundle import (
    LAMBDA_PLATFORM,
    LAMBDA_PYTHON,
    UNUSED_FONTS,
    build_bundle,
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
    calls = json.loads(sys.argv[2])
    answers = {}
    for dotted, event in calls.items():
        module, _, name = dotted.rpartition(".")
        handler = getattr(importlib.import_module(module), name)
        answers[dotted] = handler(event, None)
    print(json.dumps({"answers": answers, "path": [m.__file__ for m in map(sys.modules.get,
        ("strawberry", "aioboto3", "reportlab")) if m]}))
    """
)


def bundle_for_this_machine() -> Path:
    """A bundle this interpreter can import from, as Lambda would import the real one."""
    return build_bundle(platform.machine(), f"{sys.version_info.major}.{sys.version_info.minor}")


def run_from_the_bundle_alone(
    bundle: Path, script: str, *arguments: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`script` run with the bundle first on its path: -S, no site-packages, and -E, no PYTHON*
    variables, so only the standard library and the bundle can be imported."""
    return subprocess.run(
        [sys.executable, "-S", "-E", "-c", script, str(bundle), *arguments],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_the_bundle_carries_no_dev_local_or_infra_package() -> None:
    bundle = build_bundle(LAMBDA_PLATFORM, LAMBDA_PYTHON)
    top_level = {path.name for path in bundle.iterdir()}

    assert {
        "app",
        "domain",
        "storage",
        "schema",
        "resolvers",
        "workers",
        "strawberry",
        "aioboto3",
    } <= top_level
    assert not top_level & set(NOT_FOR_LAMBDA)
    # The local harness (emulator, local server, dev tokens, GraphiQL and its assets) stays home.
    assert (bundle / "app" / "api_lambda.py").is_file()
    assert not (bundle / "app" / "local").exists()
    assert not list(bundle.glob("*/dev_tokens.py"))
    assert not (bundle / "botocore" / "data" / "ec2").exists()  # unused service models pruned
    assert (bundle / "botocore" / "data" / "dynamodb").is_dir()


def test_the_bundle_holds_bytecode_only_for_the_runtimes_python() -> None:
    bundle = build_bundle(LAMBDA_PLATFORM, LAMBDA_PYTHON)
    tags = {path.name.split(".")[-2] for path in bundle.rglob("*.pyc")}
    expected = f"cpython-{LAMBDA_PYTHON.replace('.', '')}"

    if interpreter_for(LAMBDA_PYTHON) is not None:
        assert tags == {expected}
        # Hash-based and unchecked (flags 0b01): valid whatever timestamps the zip gives files.
        sample = next(bundle.rglob("*.pyc")).read_bytes()
        assert int.from_bytes(sample[4:8], "little") == 1
    else:
        assert tags <= {expected}


def test_the_handlers_the_stack_names_answer_from_a_bundle_for_this_machine(
    synthesized: Synthesized, tmp_path: Path
) -> None:
    handlers = {
        function["Properties"]["Handler"]
        for function in synthesized.resources("AWS::Lambda::Function").values()
    }
    bundle = bundle_for_this_machine()
    api = next(handler for handler in handlers if "api" in handler)
    worker = next(handler for handler in handlers if "worker" in handler)

    run = run_from_the_bundle_alone(
        bundle,
        INVOKE,
        json.dumps({api: API_GATEWAY_EVENT, worker: SQS_EVENT}),
        cwd=tmp_path,
        env=ENVIRONMENT,
    )

    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert all(path.startswith(str(bundle)) for path in result["path"])
    answer = result["answers"][api]
    assert answer["statusCode"] == 200, answer
    assert json.loads(answer["body"]) == {"data": {"__typename": "Query"}}
    assert result["answers"][worker] == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}


def test_the_bundle_ships_the_receipt_fonts_and_the_time_zone_database() -> None:
    bundle = build_bundle(LAMBDA_PLATFORM, LAMBDA_PYTHON)
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
    run = run_from_the_bundle_alone(bundle_for_this_machine(), script, cwd=tmp_path)

    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [
        "NotoSans",
        "NotoSansArabic",
        "NotoSansHebrew",
        "NotoSansKR",
        "NotoSansSC",
    ]
