"""What kind of link a message carries, as a token the classifier may learn from.

"Has a link" must not read as "scam": a bank's notice links to its own domain, a
promotion to a shortener, a phishing text to a throw-away host. The classifier therefore
sees every link replaced by one of four tokens, never the link itself:

* ``⟦url+⟧``: an official domain of a protected brand (``data/brands.json``) or a
  vetted Thai government or academic host (``go.th``, ``mi.th``, ``ac.th``, ``or.th``);
* ``⟦url~⟧``: a known URL shortener (the destination is hidden);
* ``⟦url!⟧``: a host under a TLD that scam links favour (``.xyz``, ``.top`` ...);
* ``⟦url⟧``: any other link.

Only the Latin letters ``url`` appear in each, so language detection counts them alike.
"""

from __future__ import annotations

from functools import lru_cache

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.messages.brands import official_brand
from scamtrace.messages.normalise import URL_TOKEN, mask_for_model
from scamtrace.messages.url_lexical import RISKY_TLDS

OFFICIAL_TOKEN = " ⟦url+⟧ "
SHORTENER_TOKEN = " ⟦url~⟧ "
RISKY_TOKEN = " ⟦url!⟧ "
_VETTED = ("go.th", "mi.th", "ac.th", "or.th")


@lru_cache(maxsize=65536)
def link_token(link: str) -> str:
    """The token that stands for one link in the classifier's text.

    Args:
        link: a link as found in the text (scheme optional).

    Returns:
        One of :data:`OFFICIAL_TOKEN`, :data:`SHORTENER_TOKEN`, :data:`RISKY_TOKEN` or
        :data:`scamtrace.messages.normalise.URL_TOKEN`.

    Examples:
        >>> link_token("https://www.kasikornbank.com/th")
        ' ⟦url+⟧ '
        >>> link_token("bit.ly/3abc")
        ' ⟦url~⟧ '
    """
    try:
        facts = parse("url", link).facts
    except InvalidIdentifier:
        return URL_TOKEN
    host = str(facts["host"])
    registered = facts.get("registered_domain")
    if facts.get("shortener"):
        return SHORTENER_TOKEN
    if official_brand(str(registered) if registered else None, host) is not None or any(
            host == suffix or host.endswith("." + suffix) for suffix in _VETTED):
        return OFFICIAL_TOKEN
    if not facts.get("ip") and host.rsplit(".", 1)[-1] in RISKY_TLDS:
        return RISKY_TOKEN
    return URL_TOKEN


def model_text(text: str) -> str:
    """The text the label model reads: :func:`mask_for_model` with link-kind tokens."""
    return mask_for_model(text, link_token=link_token)
