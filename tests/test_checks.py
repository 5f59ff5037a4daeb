"""A broken clinic configuration is refused at start-up, with the variable to fix."""

import pytest

from requests_app.checks import clinic_configuration


def ids(errors) -> set[str]:
    return {error.id for error in errors}


def test_the_shipped_configuration_passes():
    assert clinic_configuration() == []


@pytest.mark.parametrize(
    ("change", "error_id"),
    [
        ({"PHONE": ""}, "clinic.E001"),
        ({"OPENING_HOURS": "someday 8-6"}, "clinic.E002"),
        ({"HOLIDAYS_COUNTRY": "XX"}, "clinic.E004"),
    ],
)
def test_a_broken_clinic_setting_is_reported(settings, change, error_id):
    settings.CLINIC = {**settings.CLINIC, **change}
    assert error_id in ids(clinic_configuration())


def test_an_unknown_time_zone_is_reported(settings):
    settings.TIME_ZONE = "Mars/Olympus_Mons"
    assert "clinic.E003" in ids(clinic_configuration())
