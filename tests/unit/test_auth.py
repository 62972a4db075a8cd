"""Signing in: scrypt with a salt per account, never the passphrase in clear; five failures
lock the account for 15 minutes (time fixed with time-machine); a trusted OS login."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from crous_desk.base.clock import SystemClock
from crous_desk.base.errors import Refused
from crous_desk.people import auth
from crous_desk.store.models import AuditLog, Staff
from tests import factories
from tests.factories import MONDAY_10H

PASSPHRASE = "correct horse battery"


@pytest.fixture
def account(database) -> Staff:
    member = factories.staff("m.durand")
    Staff.update(passphrase_hash=auth.hash_passphrase(PASSPHRASE)).where(
        Staff.id == member.id
    ).execute()
    return Staff.get_by_id(member.id)


def test_the_hash_is_scrypt_with_its_own_salt_and_never_the_passphrase() -> None:
    first, second = auth.hash_passphrase(PASSPHRASE), auth.hash_passphrase(PASSPHRASE)
    assert first != second  # a salt per hash
    assert first.startswith("scrypt$16384$8$1$")
    assert PASSPHRASE not in first
    assert auth.check_passphrase(first, PASSPHRASE)
    assert auth.check_passphrase(second, PASSPHRASE)
    assert not auth.check_passphrase(first, PASSPHRASE + " ")
    assert not auth.check_passphrase(None, PASSPHRASE)
    assert not auth.check_passphrase("md5$nonsense", PASSPHRASE)


def test_the_same_salt_gives_the_same_hash() -> None:
    salt = b"0123456789abcdef"
    assert auth.hash_passphrase("x" * 12, salt) == auth.hash_passphrase("x" * 12, salt)


def test_a_short_passphrase_is_refused() -> None:
    assert auth.passphrase_problem("short") == "a passphrase has at least 10 characters"
    assert auth.passphrase_problem("tab\tinside ok") is not None
    assert auth.passphrase_problem("long enough passphrase") is None


@pytest.mark.sqlite_only  # reads the SQLite file (a server: no file to read)
def test_the_file_never_holds_the_passphrase(account: Staff, db_path: Path) -> None:
    dump = "\n".join(sqlite3.connect(db_path).iterdump())
    assert PASSPHRASE not in dump


def test_sign_in_with_the_right_passphrase(account: Staff) -> None:
    signed = auth.sign_in(" m.durand ", PASSPHRASE, MONDAY_10H)
    assert signed.id == account.id and signed.last_sign_in_at == MONDAY_10H
    assert AuditLog.select().order_by(AuditLog.id.desc()).get().action == "auth.sign_in"


def test_unknown_disabled_and_wrong_get_the_same_answer(account: Staff) -> None:
    for username, passphrase in (("nobody", PASSPHRASE), ("m.durand", "wrong wrong wrong")):
        with pytest.raises(Refused, match=r"^wrong username or passphrase$"):
            auth.sign_in(username, passphrase, MONDAY_10H)
    Staff.update(active=False).where(Staff.id == account.id).execute()
    with pytest.raises(Refused, match=r"^wrong username or passphrase$"):
        auth.sign_in("m.durand", PASSPHRASE, MONDAY_10H)


def test_five_failures_make_that_terminal_wait_not_the_account(account: Staff) -> None:
    """Issue 13, point 10: failures lock nobody out. The terminal that failed five times waits
    (a minute, then doubling), even for the right passphrase; the owner elsewhere signs in."""
    with time_machine.travel(MONDAY_10H, tick=False) as traveller:
        clock = SystemClock()
        for _ in range(4):
            with pytest.raises(Refused, match="wrong username or passphrase"):
                auth.sign_in("m.durand", "not the passphrase", clock.now(), source="tty:evil")
        with pytest.raises(Refused, match=r"from this terminal: wait until 23/11/2026 10:01"):
            auth.sign_in("m.durand", "not the passphrase", clock.now(), source="tty:evil")
        # the account's owner, at their own desk, is not held up
        assert auth.sign_in("m.durand", PASSPHRASE, clock.now(), source="tty:own").id == account.id
        # the terminal that failed waits, even with the right passphrase, which does not count
        with pytest.raises(Refused) as waiting:
            auth.sign_in("m.durand", PASSPHRASE, clock.now(), source="tty:evil")
        assert waiting.value.codes == ("sign_in_wait",)
        traveller.shift(timedelta(minutes=1))
        with pytest.raises(Refused, match=r"wait until 23/11/2026 10:03"):  # twice as long
            auth.sign_in("m.durand", "not the passphrase", clock.now(), source="tty:evil")
        traveller.shift(timedelta(minutes=2))
        assert auth.sign_in("m.durand", PASSPHRASE, clock.now(), source="tty:evil").id == account.id
    assert Staff.get_by_id(account.id).locked_until is None
    waited = AuditLog.get(AuditLog.action == "auth.wait")
    assert json.loads(waited.after) | {"wait_until": ""} == {
        "failures": 5,
        "source": "tty:evil",
        "wait_until": "",
    }
    assert auth.wait_after(4) == timedelta(0) and auth.wait_after(30) == timedelta(minutes=15)


def test_an_older_lock_is_honoured_until_it_ends(account: Staff) -> None:
    Staff.update(locked_until=MONDAY_10H + timedelta(minutes=5)).where(
        Staff.id == account.id
    ).execute()
    with pytest.raises(Refused) as refused:
        auth.sign_in("m.durand", PASSPHRASE, MONDAY_10H)
    assert refused.value.codes == ("account_locked",)
    assert auth.sign_in("m.durand", PASSPHRASE, MONDAY_10H + timedelta(minutes=5)).id == account.id


def test_a_success_resets_the_count(account: Staff) -> None:
    for _ in range(4):
        with pytest.raises(Refused):
            auth.sign_in("m.durand", "not the passphrase", MONDAY_10H)
    auth.sign_in("m.durand", PASSPHRASE, MONDAY_10H)
    with pytest.raises(Refused, match="wrong username"):  # one more failure does not lock
        auth.sign_in("m.durand", "not the passphrase", MONDAY_10H)
    assert Staff.get_by_id(account.id).locked_until is None


def test_the_command_line_account_cannot_sign_in(database) -> None:
    from crous_desk.people.staff import operator

    operator("root", MONDAY_10H)
    with pytest.raises(Refused, match="wrong username"):
        auth.sign_in("os:root", "", MONDAY_10H)


def test_a_trusted_os_login_maps_to_its_account(account: Staff) -> None:
    Staff.update(os_user="mdurand").where(Staff.id == account.id).execute()
    assert auth.trusted_sign_in("mdurand", MONDAY_10H).id == account.id
    with pytest.raises(Refused, match="no active staff account is mapped to the login 'root'"):
        auth.trusted_sign_in("root", MONDAY_10H)
    Staff.update(active=False).where(Staff.id == account.id).execute()
    with pytest.raises(Refused, match="no active staff account"):
        auth.trusted_sign_in("mdurand", MONDAY_10H)
