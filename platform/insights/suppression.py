"""Small groups never shown: every count in a demographic breakdown is five or more."""

from __future__ import annotations

from collections.abc import Mapping

MIN_GROUP = 5
OTHER = "Other answers and smaller groups"


def groups_shown(counts: Mapping[str, int], *, minimum: int = MIN_GROUP) -> list[tuple[str, int]]:
    """The groups of a breakdown as they may be shown, largest first, "other" last.

    Groups under `minimum` are combined into one "other" group. If that group is itself
    under `minimum`, the smallest shown groups join it until it is not: a combined group of
    three would otherwise say as much as the group it hides. When everybody together is
    under `minimum`, nothing is shown at all. An answer that is itself called "Other" joins
    the combined group, so two rows never carry the same name.
    """
    total = sum(counts.values())
    if total < minimum:
        return []
    shown: list[tuple[str, int]] = []
    other = 0
    for label, count in counts.items():
        if count >= minimum and label.strip().lower() not in {"other", OTHER.lower()}:
            shown.append((label, count))
        else:
            other += count
    shown.sort(key=lambda group: (-group[1], group[0]))
    while 0 < other < minimum and shown:
        other += shown.pop()[1]
    if other:
        shown.append((OTHER, other))
    return shown
