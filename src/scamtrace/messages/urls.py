"""Judge a link without fetching it: phishing, suspicious or benign, with reasons and brand.

Rules come first because they explain themselves: an official domain of a protected
brand is benign; a host imitating a brand (homoglyph or punycode, typosquat, combosquat,
brand in someone else's subdomain) is phishing; an IP host, ``user@host`` trick, risky
TLD or shortener raises suspicion. The lexical model (trained on the URL strings of
Hannousse & Yahiouche 2021, see model/PROVENANCE.json) scores everything else, and the
final score is the larger of the rule score and the model's probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from scamtrace.errors import InvalidIdentifier
from scamtrace.identifiers import parse
from scamtrace.identifiers.hosts import canonical_host
from scamtrace.messages.brands import find_imitation, official_brand
from scamtrace.messages.model_store import load_url_model
from scamtrace.messages.url_lexical import RISKY_TLDS

PHISHING_FROM = 0.8
SUSPICIOUS_FROM = 0.5
# Government and academic second-level domains are registered only through vetting.
_VETTED_SUFFIXES = ("go.th", "mi.th", "ac.th")
_TECHNIQUE_SCORE = {"homoglyph": 0.98, "typosquat": 0.95, "subdomain": 0.95, "combosquat": 0.9}


@dataclass
class UrlVerdict:
    """The judgement of one link.

    Attributes:
        url: the canonical URL (or the input when it could not be parsed).
        verdict: ``phishing``, ``suspicious`` or ``benign``.
        score: probability-like risk in [0, 1].
        brand: the protected brand imitated (or owning an official domain), or None.
        reasons: short phrases saying why, most important first.
    """

    url: str
    verdict: str
    score: float
    brand: str | None
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The mapping used in command output and the API."""
        return {"url": self.url, "verdict": self.verdict, "score": round(self.score, 4),
                "brand": self.brand, "reasons": self.reasons}


def _verdict_of(score: float) -> str:
    if score >= PHISHING_FROM:
        return "phishing"
    return "suspicious" if score >= SUSPICIOUS_FROM else "benign"


def _rules(raw: str) -> tuple[str, float, str | None, list[str], bool]:
    """Rule findings: (canonical url, rule score, brand, reasons, is_official)."""
    try:
        ident = parse("url", raw)
    except InvalidIdentifier as exc:
        return raw, 0.6, None, [f"not a valid URL ({exc.reason})"], False
    facts = ident.facts
    host = str(facts["host"])
    registered = facts.get("registered_domain")
    official = official_brand(str(registered) if registered else None, host)
    if official is not None:
        return ident.value, 0.0, official.name, [f"official domain of {official.name}"], True
    reasons: list[str] = []
    score = 0.0
    if facts.get("ip"):
        score, reasons = 0.7, ["IP address instead of a host name"]
    if facts.get("userinfo"):
        score = max(score, 0.85)
        reasons.append(f"'{facts['userinfo']}@' before the real host hides it")
    if host.endswith(_VETTED_SUFFIXES) or any(host.endswith("." + s) for s in _VETTED_SUFFIXES):
        return ident.value, score, None, reasons or ["government or academic domain"], False
    suffix = None if facts.get("ip") else canonical_host("url", raw, host).public_suffix
    imitation = None if facts.get("ip") else find_imitation(
        host, str(registered) if registered else None, suffix,
        str(facts["host_unicode"]) if facts.get("idn") else None)
    brand = None
    if imitation is not None:
        brand = imitation.brand.name
        score = max(score, _TECHNIQUE_SCORE[imitation.technique])
        reasons.insert(0, f"{imitation.technique} of {brand}: {imitation.detail}")
    elif facts.get("idn"):
        score = max(score, 0.55)
        reasons.append(f"internationalised host {facts.get('host_unicode')}")
    tld = host.rsplit(".", 1)[-1]
    if tld in RISKY_TLDS:
        score = min(1.0, score + 0.1) if imitation else max(score, 0.3)
        reasons.append(f"risky TLD .{tld}")
    if facts.get("shortener"):
        score = max(score, 0.5)
        reasons.append("link shortener hides the destination")
    return ident.value, score, brand, reasons, False


def judge_urls(urls: Sequence[str]) -> list[UrlVerdict]:
    """Judge many links at once (the lexical model runs as one batch).

    Args:
        urls: links as written (scheme optional).

    Returns:
        One :class:`UrlVerdict` per input, in order.
    """
    probabilities = load_url_model().probabilities(urls)
    verdicts = []
    for raw, probability in zip(urls, probabilities):
        canonical, score, brand, reasons, is_official = _rules(raw)
        if is_official:
            verdicts.append(UrlVerdict(canonical, "benign", 0.0, brand, reasons))
            continue
        if probability >= SUSPICIOUS_FROM:
            reasons.append(f"lexical model: phishing-like URL ({probability:.2f})")
        final = max(score, float(probability))
        verdicts.append(UrlVerdict(canonical, _verdict_of(final), final, brand, reasons))
    return verdicts


def judge_url(url: str) -> UrlVerdict:
    """Judge one link.

    Args:
        url: a link as written (scheme optional).

    Returns:
        The :class:`UrlVerdict`.

    Examples:
        >>> judge_url("scb-secure-login.xyz").brand
        'SCB'
    """
    return judge_urls([url])[0]
