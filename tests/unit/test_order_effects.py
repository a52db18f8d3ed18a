"""An order change's effects on fakes: the emails together after the receipt, every effect done
recorded in one write (even beside a failure), and a retry that redoes none of them."""

from __future__ import annotations

import pytest

from domain.commands import CommandState
from domain.notifications import Effect
from tests.factories import a_business, a_place_order_command
from tests.fakes import FakeWorker
from workers import order_effects
from workers.order_effects import RECORD_ATTEMPTS, EffectsUnrecordedError

BUSINESS = a_business()
ALL_EFFECTS = {Effect.RECEIPT, Effect.EMAIL_CUSTOMER, Effect.EMAIL_BUSINESS}


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(order_effects, "RECORD_BACKOFF_SECONDS", 0)


async def test_a_placement_records_its_receipt_and_both_emails_in_one_write() -> None:
    worker = FakeWorker().with_profile()

    await worker.handlers.handle(a_place_order_command())

    assert worker.store.calls["record_effects"] == 1
    assert worker.performed() == ALL_EFFECTS
    assert len(worker.mailer.sent) == 2
    assert len(worker.store.receipts) == 1


async def test_an_email_that_fails_leaves_the_others_done_and_recorded_then_fails_the_message() -> (
    None
):
    worker = FakeWorker().with_profile()
    worker.mailer.failures = 1  # the first send: the customer's email

    with pytest.raises(ConnectionError):
        await worker.handlers.handle(a_place_order_command())

    assert worker.performed() == {Effect.RECEIPT, Effect.EMAIL_BUSINESS}
    assert worker.metrics.counted == [("EffectFailures", Effect.EMAIL_CUSTOMER.value)]


async def test_when_both_emails_fail_the_receipt_is_recorded_and_both_are_counted() -> None:
    worker = FakeWorker().with_profile()
    worker.mailer.failures = 2
    command = a_place_order_command()

    with pytest.raises(ConnectionError):
        await worker.handlers.handle(command)
    assert worker.performed() == {Effect.RECEIPT}
    assert {effect for _, effect in worker.metrics.counted} == {
        Effect.EMAIL_CUSTOMER.value,
        Effect.EMAIL_BUSINESS.value,
    }
    outcome = await worker.handlers.handle(command)

    assert outcome.state is CommandState.APPLIED
    assert len(worker.receipts.writes) == 1
    assert len(worker.mailer.sent) == 2
    assert worker.performed() == ALL_EFFECTS


async def test_a_failed_receipt_sends_no_email_and_records_nothing() -> None:
    worker = FakeWorker().with_profile()
    worker.receipts.failures = 1

    with pytest.raises(ConnectionError):
        await worker.handlers.handle(a_place_order_command())

    assert worker.mailer.sent == []
    assert worker.store.calls["record_effects"] == 0
    assert worker.metrics.counted == [("EffectFailures", Effect.RECEIPT.value)]


async def test_a_record_that_fails_is_written_again_in_place_and_no_effect_is_redone() -> None:
    worker = FakeWorker().with_profile()
    worker.store.record_failures = RECORD_ATTEMPTS - 1

    await worker.handlers.handle(a_place_order_command())

    assert worker.store.calls["record_effects"] == RECORD_ATTEMPTS
    assert worker.performed() == ALL_EFFECTS
    assert len(worker.mailer.sent) == 2
    assert len(worker.receipts.writes) == 1


async def test_effects_a_busy_table_left_unprocessed_are_written_again() -> None:
    worker = FakeWorker().with_profile()
    worker.store.busy = 1

    await worker.handlers.handle(a_place_order_command())

    assert worker.store.calls["record_effects"] == 2
    assert worker.performed() == ALL_EFFECTS


async def test_effects_still_unprocessed_after_every_attempt_fail_the_message() -> None:
    worker = FakeWorker().with_profile()
    worker.store.busy = RECORD_ATTEMPTS

    with pytest.raises(EffectsUnrecordedError):
        await worker.handlers.handle(a_place_order_command())

    assert worker.store.calls["record_effects"] == RECORD_ATTEMPTS
    assert not any(worker.store.performed.values())


async def test_a_failure_to_record_names_the_email_failure_it_follows() -> None:
    worker = FakeWorker().with_profile()
    worker.mailer.failures = 1
    worker.store.busy = RECORD_ATTEMPTS

    with pytest.raises(EffectsUnrecordedError) as raised:
        await worker.handlers.handle(a_place_order_command())

    assert isinstance(raised.value.__cause__, ConnectionError)  # the email's, not lost
