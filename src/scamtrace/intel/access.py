"""Who may see which evidence: TLP 2.0 and sharing groups, applied on every read path.

How the hub reads TLP 2.0 (FIRST, 2022) for an alliance of organisations:

============== ======================================================================
CLEAR          any member; the public sees only the tier it contributes to
GREEN          any member (the alliance is the community)
AMBER          members of the evidence's sharing group; without a group, members of
               the source's sector (AMBER's "organisation and its clients")
AMBER+STRICT   the source member only (and alliance admins, who moderate)
RED            the source member only
============== ======================================================================

The public role never sees evidence, reporters or scores: only a tier for a single
lookup, computed from CLEAR evidence alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from scamtrace.intel.lookup_index import ALLIANCE

TLP_ORDER = ("clear", "green", "amber", "amber+strict", "red")
#: Roles that read the hub as a member (everything but the public).
MEMBER_ROLES = ("telco", "bank", "police", "regulator", "admin")
#: Roles that may decide appeals and review held evidence.
ANALYST_ROLES = ("police", "regulator", "admin")


def normalise_tlp(value: str | None) -> str:
    """Return a stored TLP level from any common spelling (``TLP:AMBER+STRICT``)."""
    text = (value or "green").strip().lower().removeprefix("tlp:")
    if text == "white":  # TLP 1.0's WHITE became CLEAR in TLP 2.0
        text = "clear"
    if text not in TLP_ORDER:
        from scamtrace.errors import InvalidInput

        raise InvalidInput(f"unknown TLP {value!r}; expected one of {', '.join(TLP_ORDER)}")
    return text


def can_see_evidence(
    principal,
    *,
    tlp: str,
    sharing_group: str | None,
    source_member_id: int | None,
    source_sector: str | None,
) -> bool:
    """Whether a caller may read one piece of evidence.

    Args:
        principal: the caller (:class:`scamtrace.orgs.service.Principal`).
        tlp: the evidence's TLP level.
        sharing_group: its sharing group, if any.
        source_member_id: the member that supplied it (``None`` for citizen reports).
        source_sector: that member's sector.

    Returns:
        True when TLP and groups allow it.
    """
    if principal.role not in MEMBER_ROLES:
        return False
    own = source_member_id is not None and principal.member_id == source_member_id
    if own:
        return True
    if tlp in ("clear", "green"):
        return sharing_group is None or sharing_group in principal.sharing_groups
    if tlp == "amber":
        if principal.role == "admin":
            return True
        if sharing_group is not None:
            return sharing_group in principal.sharing_groups
        return source_sector is not None and source_sector == principal.sector
    if tlp == "amber+strict":
        return principal.role == "admin"
    return False


def audience_of(
    *,
    tlp: str,
    sharing_group: str | None,
    source_member_id: int | None,
    source_sector: str | None,
) -> str:
    """Return the lookup-index audience whose score a piece of evidence counts towards.

    Args:
        tlp: the evidence's TLP level.
        sharing_group: its sharing group.
        source_member_id: the supplying member.
        source_sector: the supplying member's sector.

    Returns:
        ``*`` (every member), ``g:<group>``, ``s:<sector>`` or ``m:<member id>``.
    """
    if tlp in ("amber+strict", "red") and source_member_id is not None:
        return f"m:{source_member_id}"
    if sharing_group:
        return f"g:{sharing_group}"
    if tlp == "amber" and source_sector:
        return f"s:{source_sector}"
    return ALLIANCE


def audiences_of(principal) -> list[str]:
    """Return every index audience a caller belongs to, widest first."""
    if principal.role not in MEMBER_ROLES:
        return []
    out = [ALLIANCE]
    out.extend(f"g:{group}" for group in principal.sharing_groups)
    out.append(f"s:{principal.sector}")
    if principal.member_id is not None:
        out.append(f"m:{principal.member_id}")
    return out


def visible_audiences(audiences: Iterable[str], principal) -> set[str]:
    """Return the audiences among ``audiences`` that the caller belongs to."""
    return set(audiences) & set(audiences_of(principal))
