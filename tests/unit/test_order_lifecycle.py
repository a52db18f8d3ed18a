"""The order state machine: which changes are allowed from which status, by whom, when."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.errors import (
    ForbiddenError,
    OrderNotFoundError,
    OrderNotModifiableError,
    StaleVersionError,
)
from domain.orders import (
    TRANSITIONS,
    Actor,
    EventKind,
    Order,
    OrderChange,
    OrderStatus,
    cancel_order,
    check_modify,
    check_transition,
    complete_delivery,
    dispatch_order,
    ensure_visible,
    modify_order,
)
from tests.factories import (
    MUG,
    NOW,
    OTHER_CUSTOMER_SUB,
    a_catalogue,
    a_customer,
    a_line,
    a_staff_member,
    an_order,
)

LATER = NOW + timedelta(minutes=5)

Change = Callable[[Order], OrderChange]


def _cancel(order: Order) -> OrderChange:
    return cancel_order(order, reason=None, expected_version=None, now=LATER)


def _dispatch(order: Order) -> OrderChange:
    return dispatch_order(order, actor=a_staff_member(), expected_version=None, now=LATER)


def _complete(order: Order) -> OrderChange:
    return complete_delivery(order, actor=a_staff_member(), expected_version=None, now=LATER)


def _modify(order: Order) -> OrderChange:
    return modify_order(
        order,
        requested=[a_line(MUG, 1)],
        delivery_address=None,
        notes=None,
        catalogue=a_catalogue(),
        expected_version=None,
        now=LATER,
    )


PLACED = OrderStatus.PLACED
OUT = OrderStatus.OUT_FOR_DELIVERY
DELIVERED = OrderStatus.DELIVERED
CANCELLED = OrderStatus.CANCELLED

# The lifecycle, spelled out independently of TRANSITIONS: (from, change, to).
LEGAL = [
    pytest.param(PLACED, _dispatch, OUT, id="dispatch-placed"),
    pytest.param(PLACED, _cancel, CANCELLED, id="cancel-placed"),
    pytest.param(OUT, _complete, DELIVERED, id="complete-out-for-delivery"),
]
ILLEGAL = [
    pytest.param(PLACED, _complete, id="complete-before-dispatch"),
    pytest.param(OUT, _dispatch, id="dispatch-twice"),
    pytest.param(OUT, _cancel, id="cancel-after-dispatch"),
    pytest.param(DELIVERED, _dispatch, id="dispatch-delivered"),
    pytest.param(DELIVERED, _complete, id="complete-twice"),
    pytest.param(DELIVERED, _cancel, id="cancel-delivered"),
    pytest.param(CANCELLED, _dispatch, id="dispatch-cancelled"),
    pytest.param(CANCELLED, _complete, id="complete-cancelled"),
    pytest.param(CANCELLED, _cancel, id="cancel-twice"),
]


def test_transition_table_is_the_documented_lifecycle() -> None:
    assert {
        PLACED: {OUT, CANCELLED},
        OUT: {DELIVERED},
        DELIVERED: set(),
        CANCELLED: set(),
    } == TRANSITIONS


@pytest.mark.parametrize(("start", "change", "end"), LEGAL)
def test_legal_transition_moves_the_order_on_one_version(
    start: OrderStatus, change: Change, end: OrderStatus
) -> None:
    order = an_order(status=start, version=3)

    result = change(order)

    assert result.previous == order
    assert result.order.status is end
    assert result.order.version == 4
    assert result.order.updated_at == LATER
    assert result.order.created_at == order.created_at


@pytest.mark.parametrize(("start", "change"), ILLEGAL)
def test_illegal_transition_is_refused_as_not_modifiable(
    start: OrderStatus, change: Change
) -> None:
    order = an_order(status=start)

    with pytest.raises(OrderNotModifiableError) as refusal:
        change(order)

    assert refusal.value.order_id == order.id
    assert refusal.value.status == start.value


def test_cancel_after_dispatch_is_refused() -> None:
    dispatched = _dispatch(an_order()).order

    with pytest.raises(OrderNotModifiableError):
        _cancel(dispatched)


def test_a_full_delivery_walks_placed_dispatched_delivered() -> None:
    dispatched = _dispatch(an_order(version=1))
    delivered = _complete(dispatched.order)

    assert [dispatched.event.kind, delivered.event.kind] == [
        EventKind.DISPATCHED,
        EventKind.DELIVERED,
    ]
    assert delivered.order.status is DELIVERED
    assert delivered.order.version == 3


@pytest.mark.parametrize(
    ("status", "can_modify", "can_cancel"),
    [
        (PLACED, True, True),
        (OUT, False, False),
        (DELIVERED, False, False),
        (CANCELLED, False, False),
    ],
)
def test_only_a_placed_order_can_be_modified_or_cancelled(
    status: OrderStatus, can_modify: bool, can_cancel: bool
) -> None:
    order = an_order(status=status)

    assert order.can_modify is can_modify
    assert order.can_cancel is can_cancel


def test_modifying_a_placed_order_is_allowed() -> None:
    assert _modify(an_order(status=PLACED, version=2)).order.version == 3


@pytest.mark.parametrize("status", [OUT, DELIVERED, CANCELLED])
def test_modifying_after_placement_is_refused(status: OrderStatus) -> None:
    order = an_order(status=status)

    with pytest.raises(OrderNotModifiableError) as refusal:
        _modify(order)
    with pytest.raises(OrderNotModifiableError):
        check_modify(order, expected_version=None)

    assert refusal.value.status == status.value


# --- staff-only steps --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("advance", "status"),
    [
        pytest.param(dispatch_order, PLACED, id="dispatch"),
        pytest.param(complete_delivery, OUT, id="complete"),
    ],
)
def test_a_customer_cannot_move_their_own_order_along(
    advance: Callable[..., OrderChange], status: OrderStatus
) -> None:
    order = an_order(status=status)

    with pytest.raises(ForbiddenError):
        advance(order, actor=a_customer(order.customer_id), expected_version=None, now=LATER)


def test_dispatch_and_delivery_book_no_money() -> None:
    dispatched = _dispatch(an_order())
    delivered = _complete(dispatched.order)

    assert dispatched.ledger_entry is None
    assert delivered.ledger_entry is None
    assert delivered.order.total == an_order().total


# --- expected versions -------------------------------------------------------------------


def _modify_at(order: Order, version: int | None) -> OrderChange:
    return modify_order(
        order,
        requested=None,
        delivery_address=None,
        notes="ring twice",
        catalogue=a_catalogue(),
        expected_version=version,
        now=LATER,
    )


VERSIONED_CHANGES = [
    pytest.param(PLACED, _modify_at, id="modify"),
    pytest.param(
        PLACED,
        lambda order, version: cancel_order(
            order, reason=None, expected_version=version, now=LATER
        ),
        id="cancel",
    ),
    pytest.param(
        PLACED,
        lambda order, version: dispatch_order(
            order, actor=a_staff_member(), expected_version=version, now=LATER
        ),
        id="dispatch",
    ),
    pytest.param(
        OUT,
        lambda order, version: complete_delivery(
            order, actor=a_staff_member(), expected_version=version, now=LATER
        ),
        id="complete",
    ),
]


@pytest.mark.parametrize(("status", "change"), VERSIONED_CHANGES)
def test_a_stale_expected_version_is_refused_with_the_current_version(
    status: OrderStatus, change: Callable[[Order, int | None], OrderChange]
) -> None:
    order = an_order(status=status, version=4)

    with pytest.raises(StaleVersionError) as refusal:
        change(order, 3)

    assert refusal.value.expected_version == 3
    assert refusal.value.current_version == 4


@pytest.mark.parametrize(("status", "change"), VERSIONED_CHANGES)
@pytest.mark.parametrize("expected_version", [4, None], ids=["current", "unchecked"])
def test_the_current_or_no_expected_version_is_accepted(
    status: OrderStatus,
    change: Callable[[Order, int | None], OrderChange],
    expected_version: int | None,
) -> None:
    order = an_order(status=status, version=4)

    assert change(order, expected_version).order.version == 5


def test_a_status_refusal_wins_over_a_stale_version() -> None:
    # The client cannot fix a delivered order by re-reading it, so say why it is final.
    order = an_order(status=DELIVERED, version=7)

    with pytest.raises(OrderNotModifiableError):
        check_transition(order, CANCELLED, expected_version=1)
    with pytest.raises(OrderNotModifiableError):
        check_modify(order, expected_version=1)


# --- visibility --------------------------------------------------------------------------


def test_a_customer_sees_their_own_order() -> None:
    order = an_order()

    assert ensure_visible(order, order.id, a_customer(order.customer_id)) is order


def test_staff_see_any_customers_order() -> None:
    order = an_order(customer_id=OTHER_CUSTOMER_SUB)

    assert ensure_visible(order, order.id, a_staff_member()) is order


def test_someone_elses_order_looks_exactly_like_a_missing_one() -> None:
    order = an_order(customer_id=OTHER_CUSTOMER_SUB)
    intruder = Actor(sub="customer-eve")

    with pytest.raises(OrderNotFoundError) as not_theirs:
        ensure_visible(order, order.id, intruder)
    with pytest.raises(OrderNotFoundError) as missing:
        ensure_visible(None, order.id, intruder)

    assert str(not_theirs.value) == str(missing.value)
    assert not_theirs.value.code == missing.value.code
    assert not_theirs.value.order_id == missing.value.order_id == order.id
