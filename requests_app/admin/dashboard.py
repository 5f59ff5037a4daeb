"""The supervisor dashboard: how the queue is doing, and who is behind."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse

from requests_app import selectors
from requests_app.formatting import duration_text
from requests_app.policy import is_supervisor

CHART_DAYS = 30
CHART_HEIGHT = 120
BAR_WIDTH = 10
# A date under every seventh day, counted back from today, so today is always labelled.
AXIS_EVERY_DAYS = 7


def _chart(days: list[dict]) -> dict:
    """Bars for a server-rendered SVG chart: no JavaScript, no external network."""
    peak = max([1, *(d["requests"] for d in days), *(d["scheduled"] for d in days)])
    bars = []
    for index, day in enumerate(days):
        x = index * (BAR_WIDTH * 2 + 4)
        requests_height = round(CHART_HEIGHT * day["requests"] / peak)
        scheduled_height = round(CHART_HEIGHT * day["scheduled"] / peak)
        bars.append(
            {
                "day": day["day"],
                "requests": day["requests"],
                "scheduled": day["scheduled"],
                "x": x,
                "x2": x + BAR_WIDTH,
                "requests_y": CHART_HEIGHT - requests_height,
                "requests_height": requests_height,
                "scheduled_y": CHART_HEIGHT - scheduled_height,
                "scheduled_height": scheduled_height,
            }
        )
    last = len(days) - 1
    ticks = [
        {"x": bar["x"] + BAR_WIDTH, "label": f"{bar['day'].day} {bar['day']:%b}", "today": index == last}
        for index, bar in enumerate(bars)
        if (last - index) % AXIS_EVERY_DAYS == 0
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "width": len(days) * (BAR_WIDTH * 2 + 4),
        "height": CHART_HEIGHT,
        "axis_y": CHART_HEIGHT + 14,
        "peak": peak,
    }


def dashboard_view(request: HttpRequest):
    if not is_supervisor(request.user):
        raise PermissionDenied
    days = selectors.daily_counts(days=CHART_DAYS)
    context = {
        **admin.site.each_context(request),
        "title": "Supervisor dashboard",
        "summary": selectors.queue_summary(),
        "performance": [
            {**p, "median_text": duration_text(p["median_to_first_attempt"])}
            for p in (selectors.callback_performance(days=7), selectors.callback_performance(days=30))
        ],
        "by_article": selectors.requests_by_source_article(days=30),
        "by_staff": selectors.attempts_by_staff(days=30),
        "behind": selectors.open_callbacks_by_staff(),
        "chart": _chart(days),
    }
    return TemplateResponse(request, "admin/requests_app/dashboard.html", context)
