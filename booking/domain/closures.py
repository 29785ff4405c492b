"""What a closure says to whom: the school reads its own reasons, everyone else a public label."""

from __future__ import annotations

OWN_TEACHING = "Own teaching"
"""The public label of the school's own timetable (imported course names stay internal)."""
MAINTENANCE = "Maintenance"
PUBLIC_LABELS = (OWN_TEACHING, MAINTENANCE)
"""Labels we write ourselves: message ids, translated where they are shown."""


def public_reason(kind: str, reason: str) -> str:
    """The label visitors and other organisations read for a closure of `kind` (closure |
    maintenance | holiday | timetable): an imported or planned timetable is `OWN_TEACHING`,
    maintenance is `MAINTENANCE`, a holiday its name, any other closure the part of its reason
    before a colon ("Eigen onderwijs: Verspaner niveau 3" → "Eigen onderwijs"), so a school
    writes "label: internal detail"."""
    if kind == "timetable":
        return OWN_TEACHING
    if kind == "maintenance":
        return MAINTENANCE
    if kind == "holiday":
        return reason.strip()
    return reason.split(":", 1)[0].strip()
