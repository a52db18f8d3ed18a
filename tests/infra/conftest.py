"""The stack, synthesized once for the session (with cdk-nag), and its template."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infra.app import build_app
from infra.functions import API_HANDLER, WORKER_HANDLER
from infra.stack import OrderDeliveryStack


@dataclass(frozen=True)
class Synthesized:
    stack: OrderDeliveryStack
    template: Any  # aws_cdk.assertions.Template
    template_path: Path
    outdir: Path

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        body = json.loads(self.template_path.read_text())
        return {key: value for key, value in body["Resources"].items() if value["Type"] == kind}

    def service_functions(self) -> dict[str, dict[str, Any]]:
        """The API and the worker, without CDK's own helpers (the site's deployment)."""
        return {
            key: function
            for key, function in self.resources("AWS::Lambda::Function").items()
            if function["Properties"]["Handler"] in {API_HANDLER, WORKER_HANDLER}
        }


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Synthesized:
    from aws_cdk.assertions import Template

    outdir = tmp_path_factory.mktemp("cdk.out")
    app, stack = build_app(outdir=str(outdir))
    # Synthesis runs cdk-nag's AwsSolutions pack and fails on any unacknowledged finding.
    assembly = app.synth()
    artifact = assembly.get_stack_by_name(stack.stack_name)
    return Synthesized(
        stack=stack,
        template=Template.from_stack(stack),
        template_path=Path(artifact.template_full_path),
        outdir=outdir,
    )
