"""The admin home's own buttons: the signed-in desk member's "on shift" switch."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from requests_app.policy import is_front_desk
from requests_app.services.shifts import staff_set_on_shift


def on_shift_view(request: HttpRequest):
    """POST on_shift=1 or 0: the signed-in desk member goes on or off shift, then back to the home page."""
    user = request.user
    if not (user.is_authenticated and is_front_desk(user)):
        raise PermissionDenied
    home = reverse("admin:index")
    if request.method != "POST":
        return HttpResponseRedirect(home)
    on_shift = request.POST.get("on_shift") == "1"
    staff_set_on_shift(user=user, on_shift=on_shift)
    if on_shift:
        messages.success(request, "You are on shift: new callbacks come to you in turn.")
    else:
        messages.success(request, "You are off shift: new callbacks go to colleagues on shift.")
    return HttpResponseRedirect(home)
