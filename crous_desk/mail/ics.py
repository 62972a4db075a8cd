"""The arrival appointment as an iCalendar invitation (RFC 5545): one event, times in UTC, the
same UID for every version of one reservation's appointment and a growing SEQUENCE, so that a
calendar moves the event rather than adding a second one."""

from __future__ import annotations

from datetime import UTC, datetime

from crous_desk.mail.letter import clean


def _escape(text: str) -> str:
    return clean(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (never inside a
    UTF-8 character)."""
    out: list[str] = []
    current = ""
    for char in line:
        limit = 75 if not out else 74
        if len((current + char).encode("utf-8")) > limit:
            out.append(current)
            current = char
        else:
            current += char
    out.append(current)
    return "\r\n ".join(out)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def invitation(
    *,
    uid: str,
    sequence: int,
    stamp: datetime,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str,
    organizer: tuple[str, str],
    attendee: tuple[str, str],
) -> bytes:
    """The .ics file (CRLF lines, UTF-8). ``organizer``, ``attendee``: (name, address)."""
    description_text = "\\n".join(_escape(line) for line in description.splitlines())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//crous-desk//arrival appointment//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{_escape(uid)}",
        f"SEQUENCE:{sequence}",
        f"DTSTAMP:{_utc(stamp)}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(end)}",
        f"SUMMARY:{_escape(summary)}",
        f"LOCATION:{_escape(location)}",
        f"DESCRIPTION:{description_text}",
        f'ORGANIZER;CN="{clean(organizer[0]).replace(chr(34), "")}":mailto:{clean(organizer[1])}',
        f'ATTENDEE;CN="{clean(attendee[0]).replace(chr(34), "")}";ROLE=REQ-PARTICIPANT;'
        f"PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{clean(attendee[1])}",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(_fold(line) for line in lines) + "\r\n").encode("utf-8")
