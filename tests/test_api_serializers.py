"""The intake serializer's fields are copied, not rebuilt, per instance (FieldsCopiedSerializer): each instance
still validates on fields of its own, bound to it, and nothing one submission sets reaches another."""

from __future__ import annotations

from rest_framework import serializers

from requests_app.api.serializers import AppointmentRequestInputSerializer
from requests_app.triage.screening import QUESTIONS
from tests.support.intake import patient_fields

QUESTION = QUESTIONS[0].code


def screening(serializer: AppointmentRequestInputSerializer) -> serializers.Serializer:
    field = serializer.fields["screening"]
    assert isinstance(field, serializers.Serializer)
    return field


def test_each_serializer_has_fields_of_its_own_bound_to_it_and_the_class_s_fields_stay_unbound():
    first, second = AppointmentRequestInputSerializer(data={}), AppointmentRequestInputSerializer(data={})

    for name in ("phone", "reason", "best_days", "screening"):
        assert first.fields[name] is not second.fields[name], name
        assert first.fields[name].parent is first, name
        assert second.fields[name].parent is second, name
        assert getattr(AppointmentRequestInputSerializer._declared_fields[name], "parent", None) is None, name
    # The nested screening questions too: bound to each instance's own screening serializer.
    first_question = screening(first).fields[QUESTION]
    second_question = screening(second).fields[QUESTION]
    assert first_question is not second_question
    assert first_question.parent is screening(first)
    assert second_question.parent is screening(second)


def test_one_submission_s_errors_and_values_never_reach_the_next_one():
    refused = AppointmentRequestInputSerializer(
        data=patient_fields(phone="12", best_days=["someday"], screening={QUESTION: "maybe"})
    )
    assert not refused.is_valid()
    assert set(refused.errors) == {"phone", "best_days", "screening"}
    assert set(refused.errors["screening"]) == {QUESTION}

    fields = patient_fields(best_days=["mon"], screening={QUESTION: "yes"})
    accepted = AppointmentRequestInputSerializer(data=fields)
    assert accepted.is_valid(), accepted.errors
    assert accepted.validated_data["phone"] == fields["phone"]
    assert accepted.validated_data["best_days"] == ["mon"]
    assert accepted.validated_data["screening"] == {QUESTION: "yes"}

    # And the first is still as it was: its errors were its own, not rewritten by the second.
    assert set(refused.errors) == {"phone", "best_days", "screening"}
