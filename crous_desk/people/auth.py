"""Signing in: a username and a passphrase, hashed with scrypt and a salt of its own.

The passphrase is never stored: ``passphrase_hash`` holds ``scrypt$N$r$p$salt$hash`` (salt and
hash in base64). Five failed attempts in a row from one source (a terminal, an SSH client)
make that source wait, a minute then doubling up to 15 minutes; meanwhile even the right
passphrase is refused *from there*, while the owner signs in from anywhere else. Over SSH, a
configuration may trust the operating-system login instead (sshd has authenticated it), mapped
to an account by ``os_user``.

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
from crous_desk.store.throttle import SignInFailure

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


# Passphrases people reach for first: refused whatever digits or signs surround them.
COMMON = frozenset(
    {
        "password", "passw0rd", "motdepasse", "mot de passe", "azerty", "azertyuiop", "qwerty",
        "qwertyuiop", "qwertz", "admin", "administrator", "administrateur", "bienvenue",
        "welcome", "letmein", "iloveyou", "jetaime", "soleil", "crous", "crousdesk",
        "crous-desk", "accueil", "changeme", "secret", "marseille", "etudiant", "student",
    }
)  # fmt: skip
_SEQUENCES = ("01234567890", "abcdefghijklmnopqrstuvwxyz", "azertyuiopqsdfghjklmwxcvbn",
              "qwertyuiopasdfghjklzxcvbnm")  # fmt: skip
MIN_DISTINCT = 5


def passphrase_problem(passphrase: str, username: str = "") -> Problem | None:
    """Why a new passphrase is refused (None when it is fine): too short, control
    characters, too few different characters (ten spaces, ``aaaaaaaaaa``), a sequence
    (``1234567890``), a common word with digits around it (``password12``), or the username."""
    if len(passphrase) < MIN_LENGTH:
        return Problem(
            "passphrase_too_short",
            _("a passphrase has at least {n} characters").format(n=MIN_LENGTH),
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in passphrase):
        return Problem(
            "text_control_characters", _("a passphrase cannot contain control characters")
        )
    text = passphrase.strip().lower()
    stem = text.strip("0123456789 !?.,;:-_*#@$%&+=/'\"")
    if len(set(text.replace(" ", ""))) < MIN_DISTINCT or any(
        text in sequence or sequence.startswith(text) for sequence in _SEQUENCES
    ):
        return Problem(
            "passphrase_too_simple",
            _(
                "this passphrase is too simple to guess: use several different characters "
                "(a few words you remember work well)"
            ),
        )
    if (
        stem in COMMON
        or text in COMMON
        or (stem and _repeats(stem) in COMMON)
        or (username and username.strip().lower() in text)
    ):
        return Problem(
            "passphrase_common",
            _(
                "this passphrase is among the first ones tried (a common word, or the "
                "username): choose another"
            ),
        )
    return None


def _repeats(text: str) -> str:
    """``text`` without its repetition: "azertyazerty" → "azerty"."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


# -- failed sign-ins: a wait for the source that failed, never a lock of the account -------------
# Five failures in a row lock nobody out: the *source* of the failures (this terminal, this SSH
# client) waits one minute, then twice as long after each further failure (at most 15 minutes),
# even for the right passphrase. The account's owner signing in from their own desk is not
# held up by someone typing wrong passphrases elsewhere — an administrator cannot be locked out
# of the desk by anyone else's typing. A new passphrase (``staff passwd``) ends every wait.

FIRST_WAIT = timedelta(minutes=1)


def current_source() -> str:
    """Where this sign-in comes from: the SSH client's address, else this terminal, and the
    machine (sshd sets SSH_CONNECTION after authenticating the connection)."""
    import socket

    connection = os.environ.get("SSH_CONNECTION", "").split()
    if connection:
        return f"ssh:{connection[0]}"
    host = socket.gethostname()
    for fd in (0, 1, 2):
        try:
            return f"tty:{os.ttyname(fd)}@{host}"
        except OSError:
            continue
    return f"local@{host}"


def wait_after(failures: int) -> timedelta:
    """The wait a source gets after ``failures`` failures in a row (none before the fifth)."""
    if failures < MAX_FAILURES:
        return timedelta(0)
    return min(LOCKOUT, FIRST_WAIT * 2 ** (failures - MAX_FAILURES))


def locked(staff: Staff, now: datetime) -> bool:
    """A lock set by an older crous-desk (``locked_until``), honoured until it ends."""
    return staff.locked_until is not None and now < staff.locked_until


def locked_message(staff: Staff) -> Problem:
    return Problem(
        "account_locked",
        _("this account is locked after {n} failed sign-ins, until {when} (Paris time)").format(
            n=MAX_FAILURES, when=format_instant(staff.locked_until)
        ),
    )


def waiting_message(until: datetime) -> Problem:
    return Problem(
        "sign_in_wait",
        _(
            "too many failed sign-ins from this terminal: wait until {when} (Paris time); "
            "the account's owner can sign in from another desk meanwhile"
        ).format(when=format_instant(until)),
    )


def sign_in(username: str, passphrase: str, now: datetime, *, source: str | None = None) -> Staff:
    """The account, if ``passphrase`` is its passphrase; else Refused, and the failure counts
    against ``source`` (this terminal, by default).

    An unknown name, a disabled account and a wrong passphrase all get the same answer, so
    the screen does not tell which usernames exist."""
    wrong = Problem("wrong_passphrase", _("wrong username or passphrase"))
    staff = Staff.get_or_none(Staff.username == username.strip())
    if staff is None or staff.username.startswith(OPERATOR_PREFIX):
        check_passphrase(None, passphrase)
        raise Refused(wrong)
    return confirm(staff, passphrase, now, wrong=wrong, source=source)


def confirm(
    staff: Staff,
    passphrase: str,
    now: datetime,
    *,
    wrong: str | None = None,
    source: str | None = None,
) -> Staff:
    """Check the passphrase of an account that is already known (sign-in, the idle lock)."""
    wrong = wrong or Problem("wrong_passphrase", _("wrong passphrase"))
    source = (source or current_source())[:200]
    with write_transaction():
        staff = Staff.get_by_id(staff.id)
        if locked(staff, now):
            raise Refused(locked_message(staff))
        record = SignInFailure.get_or_none(
            SignInFailure.staff_id == staff.id, SignInFailure.source == source
        )
        if record is not None and record.wait_until is not None and now < record.wait_until:
            raise Refused(waiting_message(record.wait_until))
        if not staff.active:
            check_passphrase(None, passphrase)
            raise Refused(wrong)
        if check_passphrase(staff.passphrase_hash, passphrase):
            SignInFailure.delete().where(
                SignInFailure.staff_id == staff.id, SignInFailure.source == source
            ).execute()
            Staff.update(failed_sign_ins=0, last_sign_in_at=now).where(
                Staff.id == staff.id
            ).execute()
            audit.record(staff.username, now, "auth.sign_in", "staff", staff.id)
            return Staff.get_by_id(staff.id)
        failures = (record.failures if record is not None else 0) + 1
        wait = wait_after(failures)
        until = now + wait if wait else None
        if record is None:
            SignInFailure.create(
                staff_id=staff.id, source=source, failures=failures, wait_until=until
            )
        else:
            SignInFailure.update(failures=failures, wait_until=until).where(
                SignInFailure.id == record.id
            ).execute()
        Staff.update(failed_sign_ins=failures).where(Staff.id == staff.id).execute()
        audit.record(
            staff.username,
            now,
            "auth.wait" if until else "auth.failure",
            "staff",
            staff.id,
            after={"failures": failures, "source": source}
            | ({"wait_until": until.isoformat()} if until else {}),
        )
        error = Refused(waiting_message(until) if until else wrong)
    # the failure is committed (the with block ended normally) before it is reported
    raise error


def end_waits(staff_id: int) -> int:
    """A new passphrase ends every source's wait for the account; returns how many."""
    return int(SignInFailure.delete().where(SignInFailure.staff_id == staff_id).execute())


def current_os_user() -> str:
    """The operating-system login running this process (from its uid, not the environment)."""
    import pwd

    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:  # a uid without an entry (a container): named by its number
        return f"uid{os.getuid()}"


def trusted_login(database_owner: int | None) -> str:
    """The login to trust: this process's own, or — when it runs as the account that owns the
    database (the service account) through sudo — the login sudo authenticated (SUDO_USER):
    the SSH wrapper reaches the desk that way. Nobody else can run as the owner: it owns the
    file, so it could do anything to it already."""
    login = current_os_user()
    invoker = os.environ.get("SUDO_USER", "")
    uid = os.getuid()
    if invoker and database_owner is not None and uid == database_owner and uid != 0:
        return invoker
    return login


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
