"""Staff accounts: every staff user saved in the admin gets a staff profile (off shift), for the shift switch."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from requests_app.services.shifts import staff_profile_ensure

User = get_user_model()


class StaffUserAdmin(UserAdmin):
    """Django's user admin, which also gives a staff user their profile when they are saved.

    A staff user made another way (createsuperuser, a script) has none until
    they first use the switch on the admin home, which creates it; nothing
    else needs it.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_staff:
            staff_profile_ensure(user=obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
