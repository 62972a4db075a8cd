"""Signing in: a username and a passphrase, hashed with scrypt and a salt of its own.

The passphrase is never stored: ``passphrase_hash`` holds ``scrypt$N$r$p$salt$hash`` (salt and
hash in base64). Five failed attempts in a row lock the account for 15 minutes; while it is
locked even the right passphrase is refused. Over SSH, a configuration may trust the operating-
system login instead (sshd has authenticated it), mapped to an account by ``os_user``.

Signing in is not a desk action: nobody acts yet (the account is what is being found), a failed
attempt is kept (counted and audited) while it is refused, where an action rolls a refusal back,
and an unknown or disabled account gets the same answer as a wrong passphrase. Its writes go
through the actions' write transaction and the one audit chain all the same.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from datetime import datetime, timedelta

from crous_desk.base.errors import Problem, Refused
from crous_desk.base.i18n import _
from crous_desk.desk.action import write_transaction
from crous_desk.people.accounts import OPERATOR_PREFIX
from crous_desk.rules.proposal import format_instant
from crous_desk.store import audit
from crous_desk.store.models import Staff

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
KEY_BYTES = 32
SALT_BYTES = 16
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)
MIN_LENGTH = 10
_DUMMY = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$" + "A" * 43 + "="


def hash_passphrase(passphrase: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    key = _scrypt(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return "$".join(
        [
            "scrypt",
            str(SCRYPT_N),
            str(SCRYPT_R),
            str(SCRYPT_P),
            base64.b64encode(salt).decode(),
            base64.b64encode(key).decode(),
        ]
    )


def check_passphrase(stored: str | None, passphrase: str) -> bool:
    """Whether ``passphrase`` matches ``stored`` (always False for an account without one).
    The comparison takes the same time wherever the bytes differ."""
    if not stored:
        _scrypt_stored(_DUMMY, passphrase)  # the same work, so timing says nothing
        return False
    return _scrypt_stored(stored, passphrase)


def _scrypt_stored(stored: str, passphrase: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(key)
        got = _scrypt(passphrase, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int, length: int = KEY_BYTES) -> bytes:
    return hashlib.scrypt(
        passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=2**26, dklen=length
    )


def passphrase_problem(passphrase: str) -> Problem | None:
    """Why a new passphrase is refused (None when it is fine)."""
    if len(passphrase) < MIN_LENGTH:
        return Problem(
            "passphrase_too_short",
            _("a passphrase has at least {n} characters").format(n=MIN_LENGTH),
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in passphrase):
        return Problem(
            "text_control_characters", _("a passphrase cannot contain control characters")
        )
    return None


def locked(staff: Staff, now: datetime) -> bool:
    return staff.locked_until is not None and now < staff.locked_until


def locked_message(staff: Staff) -> Problem:
    return Problem(
        "account_locked",
        _("this account is locked after {n} failed sign-ins, until {when} (Paris time)").format(
            n=MAX_FAILURES, when=format_instant(staff.locked_until)
        ),
    )


def sign_in(username: str, passphrase: str, now: datetime) -> Staff:
    """The account, if ``passphrase`` is its passphrase; else Refused, and the failure counts.

    An unknown name, a disabled account and a wrong passphrase all get the same answer, so
    the screen does not tell which usernames exist."""
    wrong = Problem("wrong_passphrase", _("wrong username or passphrase"))
    staff = Staff.get_or_none(Staff.username == username.strip())
    if staff is None or staff.username.startswith(OPERATOR_PREFIX):
        check_passphrase(None, passphrase)
        raise Refused(wrong)
    return confirm(staff, passphrase, now, wrong=wrong)


def confirm(staff: Staff, passphrase: str, now: datetime, *, wrong: str | None = None) -> Staff:
    """Check the passphrase of an account that is already known (sign-in, the idle lock)."""
    wrong = wrong or Problem("wrong_passphrase", _("wrong passphrase"))
    with write_transaction():
        staff = Staff.get_by_id(staff.id)
        if locked(staff, now):
            raise Refused(locked_message(staff))
        if not staff.active:
            check_passphrase(None, passphrase)
            raise Refused(wrong)
        if check_passphrase(staff.passphrase_hash, passphrase):
            Staff.update(failed_sign_ins=0, locked_until=None, last_sign_in_at=now).where(
                Staff.id == staff.id
            ).execute()
            audit.record(staff.username, now, "auth.sign_in", "staff", staff.id)
            return Staff.get_by_id(staff.id)
        failures = staff.failed_sign_ins + 1
        if failures >= MAX_FAILURES:
            until = now + LOCKOUT
            Staff.update(failed_sign_ins=0, locked_until=until).where(
                Staff.id == staff.id
            ).execute()
            audit.record(
                staff.username,
                now,
                "auth.locked",
                "staff",
                staff.id,
                after={"failures": failures, "locked_until": until.isoformat()},
            )
            error = Refused(locked_message(Staff.get_by_id(staff.id)))
        else:
            Staff.update(failed_sign_ins=failures).where(Staff.id == staff.id).execute()
            audit.record(
                staff.username,
                now,
                "auth.failure",
                "staff",
                staff.id,
                after={"failures": failures},
            )
            error = Refused(wrong)
    # the failure is committed (the with block ended normally) before it is reported
    raise error


def current_os_user() -> str:
    """The operating-system login running this process (from its uid, not the environment)."""
    import pwd

    return pwd.getpwuid(os.getuid()).pw_name


def os_user_account(login: str) -> Staff | None:
    """The active account an operating-system login is mapped to (``os_user``), if any."""
    staff = Staff.get_or_none(Staff.os_user == login)
    if staff is None or not staff.active:
        return None
    return staff


def trusted_sign_in(login: str, now: datetime) -> Staff:
    """Sign in the account mapped to an operating-system login that sshd authenticated."""
    staff = os_user_account(login)
    if staff is None:
        raise Refused(
            Problem(
                "no_account_for_login",
                _("no active staff account is mapped to the login {login!r}").format(login=login),
            )
        )
    if locked(staff, now):
        raise Refused(locked_message(staff))
    with write_transaction():
        Staff.update(last_sign_in_at=now).where(Staff.id == staff.id).execute()
        audit.record(
            staff.username, now, "auth.sign_in", "staff", staff.id, after={"os_user": login}
        )
    return Staff.get_by_id(staff.id)
