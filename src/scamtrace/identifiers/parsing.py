"""The kind -> parser table behind :func:`scamtrace.identifiers.parse`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.banking import parse_bank_account, parse_national_id, parse_promptpay
from scamtrace.identifiers.crypto import parse_wallet
from scamtrace.identifiers.devices import parse_imei, parse_imsi
from scamtrace.identifiers.model import Identifier
from scamtrace.identifiers.phone import parse_phone
from scamtrace.identifiers.shortcodes import parse_short_code, parse_ussd
from scamtrace.identifiers.social import parse_line_id, parse_sender_id
from scamtrace.identifiers.web import parse_domain, parse_email, parse_url

#: Longest raw value accepted (browsers cap URLs near 2 kB; nothing else comes close).
MAX_RAW_LENGTH = 2048

_PARSERS: dict[str, Callable[..., Identifier]] = {
    "phone": parse_phone,
    "short_code": parse_short_code,
    "ussd": parse_ussd,
    "sender_id": parse_sender_id,
    "url": parse_url,
    "domain": parse_domain,
    "email": parse_email,
    "bank_account": parse_bank_account,
    "promptpay": parse_promptpay,
    "national_id": parse_national_id,
    "line_id": parse_line_id,
    "wallet": parse_wallet,
    "imei": parse_imei,
    "imsi": parse_imsi,
}

#: Every identifier kind, in the order of DESIGN.md section 6.
KINDS: tuple[str, ...] = tuple(_PARSERS)

#: The keyword hints each kind accepts.
_HINTS = {"bank_account": frozenset({"bank"}), "wallet": frozenset({"chain"})}


def parse(kind: str, raw: str, **hints: Any) -> Identifier:
    """Put ``raw`` into the canonical form of ``kind``.

    Args:
        kind: one of :data:`KINDS`.
        raw: the value as written by a person or exported by a system.
        **hints: ``bank=`` for ``bank_account`` (code or name, when ``raw`` is digits
            only), ``chain=`` for ``wallet`` (``btc``, ``eth``, ``tron``).

    Returns:
        The :class:`Identifier` with its canonical ``value`` and ``facts``.

    Raises:
        InvalidIdentifier: unknown kind, unsupported hint, or a value that is not a
            valid identifier of that kind (the message says why).

    Examples:
        >>> parse("bank_account", "123-4-56789-0", bank="KBANK").value
        '004:1234567890'
    """
    parser = _PARSERS.get(kind)
    if parser is None:
        raise InvalidIdentifier(kind, raw, f"unknown kind; one of {', '.join(KINDS)}")
    if not isinstance(raw, str):
        raise InvalidIdentifier(kind, raw, "expected text")
    if len(raw) > MAX_RAW_LENGTH:
        raise InvalidIdentifier(kind, raw, f"longer than {MAX_RAW_LENGTH} characters")
    if not hints:  # the batch path: no per-call allocation beyond the result
        return parser(raw)
    unknown = set(hints) - _HINTS.get(kind, frozenset())
    if unknown:
        raise InvalidIdentifier(kind, raw, f"unsupported hint {', '.join(sorted(unknown))}")
    given = {name: value for name, value in hints.items() if value is not None}
    return parser(raw, **given)
