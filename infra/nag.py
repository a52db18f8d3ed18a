"""Acknowledging a cdk-nag finding: the rule, on which construct, and the reason it stands."""

from __future__ import annotations

from aws_cdk import Acknowledgment, CfnElement, Stack, Validations
from constructs import IConstruct

PACK = "AwsSolutions"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    Validations.of(construct).acknowledge(Acknowledgment(id=f"{PACK}::{rule}", reason=reason))


def logical_id(resource: IConstruct) -> str:
    """The template's name for an L2 construct's resource, as cdk-nag's findings cite it."""
    element = resource.node.default_child
    assert isinstance(element, CfnElement)
    return Stack.of(resource).get_logical_id(element)
