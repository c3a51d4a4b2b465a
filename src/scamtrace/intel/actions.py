"""From tier to action: what a member's systems do with a lookup answer.

Each member may map tiers to its own actions (a bank may delay and warn on ``medium``, an
SMS firewall only block ``very_high``); the hub keeps one rule above every policy: an
indicator that is not block eligible (see :mod:`scamtrace.intel.poisoning`) is never
answered with ``block``, whatever the member's mapping says.
"""

from __future__ import annotations

from collections.abc import Mapping

from scamtrace.errors import InvalidInput

ACTIONS = ("block", "delay_warn", "warn", "none")

DEFAULT_ACTIONS: dict[str, str] = {
    "very_high": "block",
    "high": "delay_warn",
    "medium": "warn",
    "low": "none",
    "none": "none",
}


def validate_policy(policy: Mapping[str, str]) -> dict[str, str]:
    """Return a complete tier-to-action policy, defaults filling missing tiers.

    Args:
        policy: a partial mapping such as ``{"high": "block"}``.

    Returns:
        A mapping with every tier.

    Raises:
        InvalidInput: an unknown tier or action.
    """
    merged = dict(DEFAULT_ACTIONS)
    for tier, action in policy.items():
        if tier not in DEFAULT_ACTIONS:
            raise InvalidInput(f"unknown tier {tier!r}; expected one of {sorted(DEFAULT_ACTIONS)}")
        if action not in ACTIONS:
            raise InvalidInput(f"unknown action {action!r}; expected one of {list(ACTIONS)}")
        merged[tier] = action
    return merged


def action_for(tier: str, block_eligible: bool, policy: Mapping[str, str] | None = None) -> str:
    """Return the action for a tier under a member's policy.

    Args:
        tier: the indicator's tier.
        block_eligible: whether its evidence is corroborated enough to block.
        policy: the member's complete policy (defaults when ``None``).

    Returns:
        One of :data:`ACTIONS`; ``block`` is downgraded to ``delay_warn`` when the
        indicator is not block eligible.

    Examples:
        >>> action_for("very_high", True), action_for("very_high", False)
        ('block', 'delay_warn')
    """
    action = (policy or DEFAULT_ACTIONS).get(tier, "none")
    if action == "block" and not block_eligible:
        return "delay_warn"
    return action
