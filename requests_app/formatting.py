"""Small formatting helpers for staff pages."""

from __future__ import annotations

from datetime import timedelta


def duration_text(duration: timedelta | None) -> str:
    """A wait in words a supervisor reads at a glance: "under a minute", "25 min", "3 h 10 min", "2 d 4 h"."""
    if duration is None:
        return "no calls yet"
    minutes = int(duration.total_seconds() // 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"
