"""Staff roles: the groups, created by a data migration with these permissions.

Who counts as front desk or supervisor is decided from the permissions, in
one place: `requests_app.policy` (is_front_desk, is_supervisor and the
matching user querysets).
"""

FRONT_DESK = "Front desk"
SUPERVISOR = "Supervisor"

# (app_label, codename) of the model permissions each group holds. Neither
# group may delete anything: closing a callback is how work ends.
FRONT_DESK_PERMISSIONS = (
    ("requests_app", "view_appointmentrequest"),
    ("requests_app", "view_callback"),
    ("requests_app", "change_callback"),
    ("requests_app", "work_callback"),
    ("requests_app", "view_callattempt"),
    ("requests_app", "add_callattempt"),
    ("requests_app", "view_requestnote"),
    ("requests_app", "add_requestnote"),
    ("requests_app", "view_staffprofile"),
    ("requests_app", "view_clinicclosure"),
)
SUPERVISOR_PERMISSIONS = (
    *FRONT_DESK_PERMISSIONS,
    ("requests_app", "supervise_callback"),
    ("requests_app", "view_notification"),
    ("requests_app", "change_notification"),
    ("requests_app", "view_pipelinerecord"),
    ("requests_app", "change_pipelinerecord"),
    ("requests_app", "change_staffprofile"),
    ("requests_app", "add_clinicclosure"),
    ("requests_app", "change_clinicclosure"),
    ("requests_app", "view_retentionrun"),
)


def ensure_groups(group_model, permission_model) -> None:
    """Create or update both groups with their permissions (used by the data migration and tests)."""
    for name, wanted in ((FRONT_DESK, FRONT_DESK_PERMISSIONS), (SUPERVISOR, SUPERVISOR_PERMISSIONS)):
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.set(
            [
                permission_model.objects.get(content_type__app_label=app_label, codename=codename)
                for app_label, codename in wanted
            ]
        )
