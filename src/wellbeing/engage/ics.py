"""An event as an iCalendar file (RFC 5545), written by hand.

Times are written in UTC (``...Z``), converted from the event's own time zone,
so every calendar shows the right local time without a VTIMEZONE block.
"""

from datetime import UTC, datetime

from wellbeing.engage.models import Event


def escape(text: str) -> str:
    """RFC 5545 3.3.11: backslash, semicolon and comma are escaped; newlines become \\n."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """RFC 5545 3.1: lines longer than 75 octets continue on lines starting with a space."""
    out: list[str] = []
    current = b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_ics(event: Event, *, domain: str, url: str, now: datetime) -> str:
    location = event.venue or ("Online" if event.format == Event.Format.VIRTUAL else "")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//workforce-wellbeing//engage events//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{domain}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(event.starts_at)}",
        f"DTEND:{_utc(event.ends_at)}",
        f"SUMMARY:{escape(event.title)}",
        f"DESCRIPTION:{escape(event.summary + chr(10) + chr(10) + url)}",
        f"URL:{url}",
    ]
    if location:
        lines.append(f"LOCATION:{escape(location)}")
    lines += [
        f"ORGANIZER;CN={_param(event.host)}:mailto:noreply@{domain}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(fold(line) for line in lines) + "\r\n"


def _param(value: str) -> str:
    # Parameter values may not hold a double quote; quoting makes ; , : safe.
    return '"' + value.replace('"', "'") + '"'
