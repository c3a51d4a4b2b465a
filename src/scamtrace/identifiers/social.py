"""LINE ids and SMS sender ids.

LINE is where Thai scams move after the first SMS ("add our LINE for the refund"), so
the id in a message is an indicator. Personal ids are 4 to 20 characters of lower-case
letters, digits, ``.``, ``-`` and ``_``; official accounts are ``@`` plus their basic
or premium id; both are case-insensitive, so the canonical form is lower-case.
SMS sender ids (alphanumeric originators, at most 11 characters in GSM 03.38) are
case-folded with their punctuation removed, because ``K-Bank``, ``KBANK`` and
``kbank`` on a handset are the same registered sender to a victim.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import unquote

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers.model import Identifier

_LINE_PERSONAL = re.compile(r"[a-z0-9._-]{4,20}")
_LINE_OFFICIAL = re.compile(r"@[a-z0-9._-]{3,20}")
_LINE_URL = re.compile(
    r"(?:https?://)?(?:line\.me|lin\.ee)/(?:r/)?ti/p/(~?@?[^/?#]+)", re.IGNORECASE
)
_SENDER_DROP = str.maketrans({" ": None, "-": None, ".": None, "_": None, "'": None})
_SENDER = re.compile(r"[a-z0-9]{2,11}")


def parse_line_id(raw: str) -> Identifier:
    """Canonicalise a LINE id, also from an add-friend link.

    Args:
        raw: ``"Somchai_99"``, ``"@KBankLive"``, ``"https://line.me/ti/p/~scam.refund"``,
            ``"line.me/R/ti/p/@abc1234"``.

    Returns:
        ``Identifier("line_id", "somchai_99", {"official": False})``.

    Raises:
        InvalidIdentifier: characters LINE does not allow, or the wrong length.
    """
    text = raw.strip()
    link = _LINE_URL.match(text)
    if link is not None:
        text = unquote(link.group(1)).lstrip("~")
    text = text.lower()
    if text.startswith("@"):
        if not _LINE_OFFICIAL.fullmatch(text):
            raise InvalidIdentifier("line_id", raw, "an official id is @ and 3-20 of a-z 0-9 . - _")
        return Identifier("line_id", text, {"official": True})
    if not _LINE_PERSONAL.fullmatch(text):
        raise InvalidIdentifier("line_id", raw, "a LINE id is 4-20 of a-z 0-9 . - _")
    return Identifier("line_id", text, {"official": False})


def parse_sender_id(raw: str) -> Identifier:
    """Canonicalise an alphanumeric SMS sender id.

    Args:
        raw: ``"KBank"``, ``"K-Bank"``, ``"Thai Post"``, ``"ＴＨＡＩＰＯＳＴ"``.

    Returns:
        ``Identifier("sender_id", "kbank", {})``.

    Raises:
        InvalidIdentifier: non-ASCII letters, not 3 to 11 characters, or all digits
            (a numeric sender is a phone number or a short code).
    """
    text = unicodedata.normalize("NFKC", raw).strip().casefold().translate(_SENDER_DROP)
    if not _SENDER.fullmatch(text):
        raise InvalidIdentifier("sender_id", raw, "a sender id is 2-11 ASCII letters or digits")
    if text.isdigit():
        raise InvalidIdentifier("sender_id", raw, "all digits: parse it as phone or short_code")
    return Identifier("sender_id", text, {})
