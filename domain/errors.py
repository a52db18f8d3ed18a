"""Domain errors: each carries the public error code it maps to."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """The public error codes (the contract's `ErrorCode` enum)."""

    VALIDATION = "VALIDATION"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    NOT_FOUND = "NOT_FOUND"
    NOT_MODIFIABLE = "NOT_MODIFIABLE"
    STALE_VERSION = "STALE_VERSION"
    IDEMPOTENCY_CONFLICT = "IDEMPOTENCY_CONFLICT"
    UNKNOWN_PRODUCT = "UNKNOWN_PRODUCT"
    PROFILE_REQUIRED = "PROFILE_REQUIRED"


class DomainError(Exception):
    """An expected refusal: a rule of the domain said no. Never retried."""

    code: ErrorCode = ErrorCode.VALIDATION

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(DomainError):
    code = ErrorCode.VALIDATION

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class ForbiddenError(DomainError):
    code = ErrorCode.FORBIDDEN


class OrderNotFoundError(DomainError):
    code = ErrorCode.NOT_FOUND

    def __init__(self, order_id: str) -> None:
        # The same text whether the order is missing or someone else's: never reveal which.
        super().__init__(f"Order {order_id} was not found.")
        self.order_id = order_id


class OrderNotModifiableError(DomainError):
    code = ErrorCode.NOT_MODIFIABLE

    def __init__(self, order_id: str, status: str) -> None:
        super().__init__(f"Order {order_id} is {status} and can no longer be changed this way.")
        self.order_id = order_id
        self.status = status


class StaleVersionError(DomainError):
    code = ErrorCode.STALE_VERSION

    def __init__(self, expected_version: int, current_version: int) -> None:
        super().__init__(
            f"The order is at version {current_version}, not {expected_version}; "
            "read it again and retry."
        )
        self.expected_version = expected_version
        self.current_version = current_version


class IdempotencyConflictError(DomainError):
    code = ErrorCode.IDEMPOTENCY_CONFLICT

    def __init__(self) -> None:
        super().__init__("This idempotencyKey was already used for a different order request.")


class UnknownProductError(InvalidInputError):
    """A SKU that is not in the catalogue or is withdrawn: bad input, with its own code, at
    the line that names it (`items.2.sku`)."""

    code = ErrorCode.UNKNOWN_PRODUCT

    def __init__(self, sku: str, field: str) -> None:
        super().__init__(field, f"Product {sku!r} is not in the catalogue or is not available.")
        self.sku = sku


class ProfileRequiredError(DomainError):
    code = ErrorCode.PROFILE_REQUIRED

    def __init__(self) -> None:
        super().__init__("Register a customer profile (registerCustomer) before placing orders.")


class UnprocessableCommandError(DomainError):
    """A command that can never be applied as it was sent: the worker's decoder or the table
    refuses it. Recorded as rejected, so its issuer learns of it and the queue does not retry it."""

    code = ErrorCode.VALIDATION

    def __init__(self, reason: str) -> None:
        # The reason may quote what could not be decoded: keep it storable and printable.
        readable = reason.encode("utf-8", "backslashreplace").decode()
        super().__init__(f"This request could not be applied as sent: {readable}")


class MalformedCommandError(Exception):
    """A queue message that is not a command this code understands: a poison message.

    Retried, then parked in the dead-letter queue: a message of an unknown schema or type may
    come from a newer API mid-deploy, and can be redriven once the worker knows it.
    """


class InvalidCommandError(MalformedCommandError):
    """A command of a known type whose content breaks the rules: it never will pass them."""
