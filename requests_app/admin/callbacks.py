"""The callback queue: ordered by priority then due time, worked with buttons that call the services."""

from __future__ import annotations

import csv
from datetime import date, datetime, time
from functools import partial
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from typing_extensions import override

from articles.models import Article
from requests_app.admin.appointments import appointment_console_context, appointment_urls
from requests_app.admin.clock import clock_field
from requests_app.admin.forms import CloseForm, PriorityForm, ScheduleForm, TakeOverForm
from requests_app.admin.history import ReadOnlyHistoryAdmin
from requests_app.admin.pagination import CappedCountPaginator
from requests_app.emails import build_email
from requests_app.formatting import best_time_text, clinic_time, duration_text, format_moment, short_moment
from requests_app.models import Callback, CallbackStatus, CallOutcome, Notification, Priority
from requests_app.models.callbacks import UNREACHABLE_AFTER_ATTEMPTS
from requests_app.policy import Action, allowed, is_front_desk, is_supervisor, live_holder_id, refusal
from requests_app.selectors import (
    CALLBACK_STATUS_FILTERS,
    best_time_is_now,
    callback_list,
    request_triage_summary,
    suggested_appointment,
)
from requests_app.services import callbacks as services
from requests_app.services import calls
from requests_app.services.appointments import appointment_schedule
from requests_app.services.priority import request_change_priority
from requests_app.triage import SYMPTOMS_BY_CODE, flag_for
from requests_app.triage.screening import QUESTIONS_BY_CODE, answers_for_display

EVIDENCE_KINDS = {"text": "In their words", "screening": "Answered yes", "checklist": "Ticked"}
BADGES: dict[str, str] = {
    Priority.EMERGENCY: "badge-emergency",
    Priority.URGENT: "badge-urgent",
    Priority.ROUTINE: "badge-routine",
}


def tier_badge(priority: str) -> SafeString:
    """The tier as the queue shows it: a coloured badge, strongest for an emergency."""
    label = Priority(priority).label if priority in Priority.values else priority
    return format_html('<span class="badge {}">{}</span>', BADGES.get(priority, "badge-routine"), label)


# The console's one-click outcomes, as the buttons say them.
OUTCOME_BUTTONS = {
    CallOutcome.NO_ANSWER: "No answer",
    CallOutcome.VOICEMAIL: "Left a voicemail",
    CallOutcome.BUSY: "Busy",
    CallOutcome.WRONG_NUMBER: "Wrong number",
    CallOutcome.DECLINED: "Declined (closes it)",
}
OUTCOME_LOGGED = {
    CallOutcome.NO_ANSWER: "Logged: no answer.",
    CallOutcome.VOICEMAIL: "Logged: left a voicemail.",
    CallOutcome.BUSY: "Logged: busy.",
    CallOutcome.WRONG_NUMBER: "Logged: wrong number. A note on the request says to check the number first.",
    CallOutcome.DECLINED: "Logged: the patient declined. The callback is closed.",
}


def appointment_start(day: date, at: time) -> datetime:
    """A booked appointment's date and time (stored as the clinic's) as a moment on the clinic's clock."""
    return datetime.combine(day, at, ZoneInfo(settings.TIME_ZONE))


def due_text(callback: Callback, now) -> tuple[str, bool]:
    """("overdue by 2 h" or "in 25 min", overdue?) for an open callback."""
    if callback.due_at < now:
        return f"overdue by {duration_text(now - callback.due_at)}", True
    return f"in {duration_text(callback.due_at - now)}", False


def repeat_label(row: dict) -> str:
    """Where a repeat submission's evidence came from: anyone who knows the phone or email can send one."""
    reference = row.get("repeat")
    if not reference:
        return ""
    if not isinstance(reference, str):  # stored before repeats had a reference of their own
        return "from a repeat submission"
    return f"from repeat submission {reference}, unverified"


def _evidence_lines(rows) -> list[dict]:
    """Each piece of evidence for one flag as (kind, what), once each: the words, the question, the box."""
    lines: list[dict] = []
    for row in rows:
        source = row.get("source")
        if source == "text":
            what = row.get("quote", "")
        elif source == "screening":
            question = QUESTIONS_BY_CODE.get(row.get("question", ""))
            what = question.text if question else row.get("question", "")
        elif source == "checklist":
            symptom = SYMPTOMS_BY_CODE.get(row.get("answer", ""))
            what = symptom.label if symptom else row.get("answer", "")
        else:
            continue
        line = {"kind": EVIDENCE_KINDS[source], "text": what, "quote": source == "text", "repeat": repeat_label(row)}
        if what and line not in lines:
            lines.append(line)
    return lines


def _message(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as the desk reads it: the policy's reason, or the validation messages."""
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)


def highlighted_reason(reason: str, spans) -> SafeString:
    """The patient's words, escaped, with each (start, end) span in `<mark>`; spans must not overlap."""
    parts: list[SafeString] = []
    position = 0
    for start, end in spans:
        parts.append(conditional_escape(reason[position:start]))
        parts.append(format_html("<mark>{}</mark>", reason[start:end]))
        position = end
    parts.append(conditional_escape(reason[position:]))
    return SafeString("".join(parts))


class QueueStatusFilter(admin.SimpleListFilter):
    """Open callbacks by default: the queue is what still needs a call."""

    title = "status"
    parameter_name = "queue"

    @override
    def lookups(self, request, model_admin):
        return [("open", "Open (new or in progress)"), *CallbackStatus.choices, ("all", "All")]

    def choices(self, changelist):
        value = self.value() or "open"
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    @override
    def queryset(self, request, queryset):
        value = self.value() or "open"
        status = value if value in CALLBACK_STATUS_FILTERS else "all"
        return callback_list(filters={"status": status}, queryset=queryset)


class OverdueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    @override
    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("today", "Due in the next 8 hours")]

    @override
    def queryset(self, request, queryset):
        if self.value() == "overdue":
            return callback_list(filters={"overdue": True}, queryset=queryset)
        if self.value() == "today":
            return callback_list(filters={"due_soon": True}, queryset=queryset)
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "who"

    @override
    def lookups(self, request, model_admin):
        return [("mine", "Me"), ("unassigned", "Nobody")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return callback_list(filters={"assigned_to": request.user}, queryset=queryset)
        if self.value() == "unassigned":
            return callback_list(filters={"unassigned": True}, queryset=queryset)
        return queryset


class SourceArticleFilter(admin.SimpleListFilter):
    title = "source article"
    parameter_name = "article"

    @override
    def lookups(self, request, model_admin):
        return list(Article.objects.order_by("title").values_list("pk", "title"))

    @override
    def queryset(self, request, queryset):
        article = self.value()
        if article is None:
            return queryset
        return callback_list(filters={"source_article": article}, queryset=queryset)


@admin.register(Callback)
class CallbackAdmin(ReadOnlyHistoryAdmin):
    # Everything comes from the callback row and the two rows joined to it (request, assignee): no query per row.
    list_display = [
        "priority_badge", "reference", "patient_name", "phone_link", "flags_short", "best_time_short", "due",
        "attempts", "holder", "status",
    ]  # fmt: skip
    list_display_links = ["reference", "patient_name"]
    list_select_related = ["request", "assigned_to"]
    # "priority" offers the three tiers, emergency first (Priority's order).
    list_filter = [QueueStatusFilter, "priority", OverdueFilter, AssigneeFilter, SourceArticleFilter]
    search_fields = [
        "request__reference",
        "request__first_name",
        "request__last_name",
        "request__phone",
        "=request__email",
    ]
    search_help_text = "Reference, name, phone number or exact email address."
    # Total (ends in the id), so the admin adds no "-pk" of its own and the
    # open-queue index serves the order as it stands.
    ordering = ["priority_rank", "due_at", "id"]
    list_per_page = 50
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ["claim_selected", "release_selected", "export_csv"]
    change_form_template = "admin/requests_app/callback/change_form.html"
    change_list_template = "admin/requests_app/callback/change_list.html"
    # The queue reloads itself this often (its filters are in the URL), unless a row is ticked.
    refresh_seconds = 60
    fieldsets = [
        ("Patient", {"fields": ["reference", "patient_name", "phone", "email", "preferred_contact", "best_time"]}),
        ("Request", {"fields": ["received", "symptoms", "pain_duration", "patient_type", "insurance_note", "source",
                                "notes"]}),
        ("Callback", {"fields": ["status", "due", "assigned_to", "claimed", "attempt_count", "escalated",
                                 "closing_reason", "closed"]}),
        ("Appointment", {"fields": ["appointment_when", "appointment_location", "appointment_note"]}),
    ]  # fmt: skip

    # --- the queue's columns ---------------------------------------------------

    @override
    def action_checkbox(self, obj: Callback) -> SafeString:
        """ModelAdmin's row checkbox, the same HTML written out (the column's header is the admin's, by this name).

        Django renders a CheckboxInput through the form renderer's template for
        every row: a sixth of the queue page's time, for 50 identical inputs.
        """
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description="reference", ordering="request__reference")
    def reference(self, obj: Callback) -> str:
        return obj.request.reference

    @admin.display(description="patient")
    def patient_name(self, obj: Callback) -> str:
        return obj.request.full_name

    @admin.display(description="tier", ordering="priority_rank")
    def priority_badge(self, obj: Callback) -> str:
        return tier_badge(obj.priority)

    @admin.display(description="phone")
    def phone_link(self, obj: Callback) -> str:
        number = obj.request.phone
        if not number:
            return ""
        return format_html('<a class="phone" href="tel:{}">{}</a>', number.as_e164, number.as_national)

    @admin.display(description="red flags")
    def flags_short(self, obj: Callback) -> str:
        flags = sorted(
            {flag.code: flag for code in obj.request.red_flags if (flag := flag_for(code)) is not None}.values(),
            key=lambda flag: -flag.tier,
        )
        if not flags:
            return ""
        more = f" +{len(flags) - 2} more" if len(flags) > 2 else ""
        # "Numbness between the legs (saddle area)" reads "Numbness between the legs" in a column.
        labels = [flag.label.split(" (")[0] for flag in flags[:2]]
        return format_html('<span class="flags-short">{}{}</span>', "; ".join(labels), more)

    @admin.display(description="best time")
    def best_time_short(self, obj: Callback) -> str:
        request = obj.request
        text = best_time_text(request.best_time_slots, request.best_days, short=True)
        if obj.is_open and best_time_is_now(slots=request.best_time_slots, days=request.best_days):
            return format_html('{} <strong class="best-now">now</strong>', text)
        return text

    @admin.display(description="due", ordering="due_at")
    def due(self, obj: Callback) -> str:
        when = short_moment(obj.due_at)
        if not obj.is_open:
            return when
        text, overdue = due_text(obj, timezone.now())
        return format_html(
            '<span class="{}">{}</span><br><span class="due-at">{}</span>',
            "overdue" if overdue else "due-in",
            text,
            when,
        )

    @admin.display(description="attempts", ordering="attempt_count")
    def attempts(self, obj: Callback) -> int:
        return obj.attempt_count

    @admin.display(description="holder")
    def holder(self, obj: Callback) -> str:
        holder = obj.assigned_to  # joined (list_select_related), and no query at all when nobody holds it
        if holder is None:
            return "nobody"
        name = holder.get_full_name() or holder.get_username()
        if live_holder_id(obj) is None:
            return format_html('<span class="lapsed">nobody ({}\u2019s claim lapsed)</span>', name)
        return name

    claimed = clock_field("claimed_at", "claimed", ordering=False)
    escalated = clock_field("escalated_at", "escalated", ordering=False)
    closed = clock_field("closed_at", "closed", ordering=False)

    @admin.display(description="appointment")
    def appointment_when(self, obj: Callback) -> str:
        day, at = obj.appointment_date, obj.appointment_time
        if day is None or at is None:
            return "-"
        return format_moment(appointment_start(day, at))

    # --- the change page's read-only details --------------------------------------

    @admin.display(description="phone")
    def phone(self, obj: Callback) -> str:
        number = obj.request.phone
        return format_html('<a href="tel:{}">{}</a>', number.as_e164, number.as_national) if number else ""

    @admin.display(description="email")
    def email(self, obj: Callback) -> str:
        return obj.request.email

    @admin.display(description="prefers")
    def preferred_contact(self, obj: Callback) -> str:
        return obj.request.get_preferred_contact_display()

    @admin.display(description="best time to call")
    def best_time(self, obj: Callback) -> str:
        return best_time_text(obj.request.best_time_slots, obj.request.best_days)

    @admin.display(description="received")
    def received(self, obj: Callback) -> str:
        return f"{short_moment(obj.request.created_at)} ({obj.request.get_channel_display()})"

    @admin.display(description="symptoms ticked")
    def symptoms(self, obj: Callback) -> str:
        return "; ".join(SYMPTOMS_BY_CODE[c].label for c in obj.request.symptoms if c in SYMPTOMS_BY_CODE) or "none"

    @admin.display(description="pain for")
    def pain_duration(self, obj: Callback) -> str:
        return obj.request.get_pain_duration_display() or "not said"

    @admin.display(description="patient")
    def patient_type(self, obj: Callback) -> str:
        return obj.request.get_patient_type_display()

    @admin.display(description="insurance")
    def insurance_note(self, obj: Callback) -> str:
        return obj.request.insurance_note or "not given"

    @admin.display(description="came from")
    def source(self, obj: Callback) -> str:
        request = obj.request
        parts = [request.source_article.title if request.source_article else "", request.campaign]
        return " / ".join(p for p in parts if p) or "direct"

    @admin.display(description="notes")
    def notes(self, obj: Callback):
        notes = list(obj.request.notes.all())
        if not notes:
            return "none"
        items = format_html_join(
            "",
            "<li><em>{}</em>: {}</li>",
            ((short_moment(n.created_at), n.body) for n in notes),
        )
        return format_html('<ul class="notes">{}</ul>', items)

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "reference", "patient_name", "phone", "email", "preferred_contact", "best_time", "received",
            "symptoms", "pain_duration", "patient_type", "insurance_note", "source", "notes", "status", "due",
            "claimed", "attempt_count", "escalated", "closing_reason", "closed", "appointment_when",
            "appointment_location", "appointment_note",
        ]  # fmt: skip
        if not is_supervisor(request.user) or (obj is not None and not obj.is_open):
            readonly.append("assigned_to")
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request", "request__source_article", "assigned_to")

    # --- permissions: nobody deletes, nobody adds by hand -------------------------

    @override
    def has_add_permission(self, request):
        return False

    @override
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_supervisor(request.user):
            actions.pop("export_csv", None)
        if not is_front_desk(request.user):
            actions.pop("claim_selected", None)
            actions.pop("release_selected", None)
        return actions

    # --- saving: assignment by a supervisor (attempts are logged from the call console) ---------

    def save_model(self, request, obj, form, change):
        if change and "assigned_to" in form.changed_data:
            try:
                services.callback_reassign(
                    callback_id=obj.pk, user=request.user, to_user=form.cleaned_data["assigned_to"]
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _message(error), messages.ERROR)

    # --- the buttons ---------------------------------------------------------------

    def get_urls(self):
        views = {
            "claim": self.claim_view,
            "release": self.release_view,
            "schedule": self.schedule_view,
            "unreachable": self.unreachable_view,
            "close": self.close_view,
            "priority": self.priority_view,
            "take-over": self.take_over_view,
            "outcome": self.outcome_view,
        }
        own = [
            path(f"<int:pk>/{name}/", self.admin_site.admin_view(view), name=f"requests_app_callback_{name}")
            for name, view in views.items()
        ]
        own += [
            path(
                "<int:pk>/unreachable/confirm/",
                self.admin_site.admin_view(self.unreachable_confirm_view),
                name="requests_app_callback_unreachable_confirm",
            ),
            path("next/", self.admin_site.admin_view(self.next_call_view), name="requests_app_callback_next"),
        ]
        # Reschedule, cancel, no-show, attended (requests_app/admin/appointments.py).
        own += appointment_urls(self)
        return own + super().get_urls()

    def _change_url(self, pk: int) -> str:
        return reverse("admin:requests_app_callback_change", args=[pk])

    def _require_desk(self, request: HttpRequest) -> None:
        if not is_front_desk(request.user):
            raise PermissionDenied

    def _require_supervisor(self, request: HttpRequest) -> None:
        if not is_supervisor(request.user):
            raise PermissionDenied

    def _run(self, request: HttpRequest, pk: int, action, success: str) -> HttpResponse:
        self._require_desk(request)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(pk))
        try:
            action()
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _message(error), messages.ERROR)
        else:
            self.message_user(request, success, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(pk))

    def claim_view(self, request, pk):
        return self._run(
            request,
            pk,
            lambda: services.callback_claim(callback_id=pk, user=request.user),
            "You have this callback now.",
        )

    def release_view(self, request, pk):
        return self._run(
            request,
            pk,
            lambda: services.callback_release(callback_id=pk, user=request.user),
            "Released back to the queue.",
        )

    def unreachable_view(self, request, pk):
        return self._run(
            request,
            pk,
            lambda: services.callback_mark_unreachable(callback_id=pk, user=request.user),
            "Marked unreachable; the patient is emailed how to reach us.",
        )

    def _form_view(self, request, pk, form_class, title, handle, *, require=None, initial=None, lead=""):
        (require or self._require_desk)(request)
        callback = get_object_or_404(Callback.objects.select_related("request"), pk=pk)
        form = form_class(request.POST or None, initial=initial(callback) if initial else None)
        if request.method == "POST" and form.is_valid():
            try:
                handle(callback, form.cleaned_data)
            except PermissionDenied as error:
                form.add_error(None, _message(error))
            except ValidationError as error:
                # A service's field errors name form fields only where the form has them.
                if hasattr(error, "error_dict") and not set(error.error_dict) <= set(form.fields):
                    error = ValidationError(error.messages)
                form.add_error(None, error)
            else:
                return HttpResponseRedirect(self._change_url(pk))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{title}: {callback.request.reference}",
            "form": form,
            "callback": callback,
            "opts": self.model._meta,
            "change_url": self._change_url(pk),
            "lead": lead,
        }
        return TemplateResponse(request, "admin/requests_app/callback/action_form.html", context)

    def schedule_view(self, request, pk):
        # From the console's "Reached: book…" (?reached=1, kept by the form's POST): the call is logged too.
        reached = request.GET.get("reached") == "1"

        def handle(callback, data):
            booking = {
                "appointment_date": data["appointment_date"],
                "appointment_time": data["appointment_time"],
                "location": data["location"],
                "note": data["note"],
                "override_reason": data.get("override_reason", ""),
            }
            if reached:
                calls.callback_schedule_on_call(callback_id=callback.pk, user=request.user, **booking)
            else:
                appointment_schedule(callback_id=callback.pk, user=request.user, **booking)
            self.message_user(request, "Scheduled; the confirmation email is on its way.", messages.SUCCESS)

        def initial(callback):
            suggestion = suggested_appointment(request=callback.request)
            return {"appointment_date": suggestion[0], "appointment_time": suggestion[1]} if suggestion else {}

        lead = ""
        if reached:
            lead = (
                "The patient answered. Book the appointment: the call is logged as "
                "\u201cReached: appointment scheduled\u201d and the patient is emailed the confirmation. "
                "The date and time are a first guess from their best time to call."
            )
        title = "Book the appointment" if reached else "Schedule the appointment"
        form = partial(ScheduleForm, supervisor=is_supervisor(request.user))  # a supervisor may override the hours
        return self._form_view(request, pk, form, title, handle, initial=initial, lead=lead)

    def close_view(self, request, pk):
        def handle(callback, data):
            services.callback_close(
                callback_id=callback.pk, user=request.user, reason=data["reason"], note=data["note"]
            )
            self.message_user(request, "Closed.", messages.SUCCESS)

        return self._form_view(request, pk, CloseForm, "Close the callback", handle)

    def priority_view(self, request, pk):
        def handle(callback, data):
            request_change_priority(
                request_id=callback.request_id, actor=request.user, priority=data["priority"], reason=data["reason"]
            )
            tier = Priority(data["priority"]).label.lower()
            self.message_user(
                request, f"The tier is now {tier}; the change and its reason are on record.", messages.SUCCESS
            )

        return self._form_view(
            request,
            pk,
            PriorityForm,
            "Change the tier",
            handle,
            require=self._require_supervisor,
            initial=lambda callback: {"priority": callback.priority},
        )

    def take_over_view(self, request, pk):
        def handle(callback, data):
            services.callback_take_over(callback_id=callback.pk, user=request.user, reason=data["reason"])
            self.message_user(request, "You have this callback now; the reason is on record.", messages.SUCCESS)

        return self._form_view(
            request, pk, TakeOverForm, "Take over the callback", handle, require=self._require_supervisor
        )

    # --- the call console's buttons -------------------------------------------------------

    def outcome_view(self, request, pk):
        """One click on the console: log what came of the call and move the callback on."""
        self._require_desk(request)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(pk))
        outcome = request.POST.get("outcome", "")
        try:
            calls.callback_record_outcome(
                callback_id=pk, user=request.user, outcome=outcome, note=request.POST.get("note", "")
            )
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, _message(error), messages.ERROR)
            return HttpResponseRedirect(self._change_url(pk))
        text = OUTCOME_LOGGED.get(outcome, "Logged.")
        callback = Callback.objects.get(pk=pk)
        if callback.is_open and outcome != CallOutcome.DECLINED:
            failed = callback.failed_attempts().count()
            if failed >= UNREACHABLE_AFTER_ATTEMPTS:
                text += f" {failed} failed calls: you can mark the patient unreachable."
            else:
                text += f" {failed} of {UNREACHABLE_AFTER_ATTEMPTS} failed calls before \u201cunreachable\u201d."
        self.message_user(request, text, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(pk))

    def next_call_view(self, request):
        """The queue's "Next call": claim the most urgent callback to call now and open its console."""
        self._require_desk(request)
        queue = reverse("admin:requests_app_callback_changelist")
        if request.method != "POST":
            return HttpResponseRedirect(queue)
        callback = calls.callback_next_for(user=request.user)
        if callback is None:
            self.message_user(
                request,
                "Nothing to call right now: no open callback is due whose best time to call is now. "
                "Later ones are in the queue.",
                messages.INFO,
            )
            return HttpResponseRedirect(queue)
        self.message_user(
            request, f"Your next call: {callback.request.full_name}. You have this callback now.", messages.SUCCESS
        )
        return HttpResponseRedirect(self._change_url(callback.pk))

    def unreachable_confirm_view(self, request, pk):
        """What "Mark unreachable" will do, with the email the patient will get, before the desk confirms."""
        self._require_desk(request)
        callback = get_object_or_404(Callback.objects.select_related("request", "assigned_to"), pk=pk)
        failed = callback.failed_attempts().count()
        reason = refusal(request.user, Action.WORK, callback)
        if not reason and not callback.is_open:
            reason = f"This callback is already {callback.get_status_display().lower()}."
        if not reason and failed < UNREACHABLE_AFTER_ATTEMPTS:
            reason = (
                f"Log {UNREACHABLE_AFTER_ATTEMPTS} failed call attempts before marking the patient unreachable "
                f"({failed} so far)."
            )
        patient = callback.request
        email = build_email(Notification(event="patient_unreachable", request=patient, recipient=patient.email))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Mark unreachable: {patient.reference}",
            "callback": callback,
            "opts": self.model._meta,
            "change_url": self._change_url(pk),
            "refusal": reason,
            "failed_attempts": failed,
            "email": {"to": patient.email, "subject": email.subject, "body": email.body},
        }
        return TemplateResponse(request, "admin/requests_app/callback/unreachable_confirm.html", context)

    # --- the queue and the callback page ---------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            "title": "Callback queue",
            # Only the list as it is read: a page answering a POST is not reloaded under the desk's hands.
            "refresh_seconds": self.refresh_seconds if request.method == "GET" else None,
            "can_take_calls": is_front_desk(request.user),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        # get_object answers None for an id that is not one (a stray relative URL), as the admin expects.
        callback = self.get_object(request, unquote(object_id))
        if callback is not None:
            extra_context.update(self._console_context(request, callback))
            extra_context["triage"] = self._triage_context(callback)
            # Nothing on the page is for the desk to edit (attempts are logged from the console):
            # only a supervisor's reassignment is saved through the form.
            if "assigned_to" in self.get_readonly_fields(request, callback):
                extra_context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().change_view(request, object_id, form_url, extra_context)

    def _console_context(self, request, callback: Callback) -> dict:
        """The call console: who to call and how, when, what happened so far, and what the desk may do now."""
        now = timezone.now()
        user = request.user
        patient = callback.request
        holder_id = live_holder_id(callback, now)
        failed = callback.failed_attempts().count()
        attempts = [
            {
                "when": short_moment(attempt.made_at),
                "outcome": attempt.get_outcome_display(),
                "who": (attempt.made_by.get_full_name() or attempt.made_by.get_username()) if attempt.made_by else "",
                "note": attempt.note,
            }
            for attempt in callback.attempts.select_related("made_by").order_by("made_at", "pk")
        ]
        due, overdue = due_text(callback, now) if callback.is_open else ("", False)
        can_work = is_front_desk(user) and callback.is_open
        context = {
            "can_work": can_work,
            "holder": callback.assigned_to if holder_id else None,
            "holder_since": clinic_time(callback.claimed_at) if holder_id and callback.claimed_at else "",
            "is_mine": holder_id == user.pk,
            "held_by_other": holder_id not in (None, user.pk),
            "can_take_over": holder_id not in (None, user.pk) and allowed(user, Action.TAKE_OVER),
            "can_mark_unreachable": failed >= UNREACHABLE_AFTER_ATTEMPTS,
            "failed_attempts": failed,
            "unreachable_after": UNREACHABLE_AFTER_ATTEMPTS,
            "can_change_tier": is_supervisor(user) and callback.is_open,
            "console": {
                "name": patient.full_name,
                "reference": patient.reference,
                "phone_e164": patient.phone.as_e164 if patient.phone else "",
                "phone": patient.phone.as_national if patient.phone else "",
                "email": patient.email,
                "prefers": patient.get_preferred_contact_display(),
                "best_time": best_time_text(patient.best_time_slots, patient.best_days),
                "best_now": best_time_is_now(slots=patient.best_time_slots, days=patient.best_days, now=now),
                "clinic_now": clinic_time(now),
                "due": short_moment(callback.due_at),
                "due_text": due,
                "overdue": overdue,
                "status": callback.get_status_display(),
                "attempts": attempts,
                # The policy decides who may log a call; the buttons only follow it.
                "can_log": can_work and allowed(user, Action.WORK, callback, now),
                "outcomes": list(OUTCOME_BUTTONS.items()),
                **self._appointment_context(callback, user),
            },
        }
        return context

    def _appointment_context(self, callback: Callback, user) -> dict:
        """The appointment line and its buttons (reschedule, cancel, attended, no-show: the pages the user may use).

        Booking the first appointment of an open callback is the console's "Reached: book…", so its
        "Mark scheduled…" link is left out there.
        """
        shown = appointment_console_context(callback, user)
        appointment = shown["appointment"]
        when = ""
        if appointment is not None:
            when = f"{shown['appointment_when']}, {appointment.location} ({shown['appointment_status'].lower()})"
        schedule = reverse("admin:requests_app_callback_schedule", args=[callback.pk])
        buttons = [
            {"label": label, "url": url}
            for label, url in shown["appointment_links"]
            if not (callback.is_open and url == schedule)
        ]
        return {"appointment": when, "appointment_buttons": buttons}

    def _triage_context(self, callback: Callback) -> dict:
        """The change page's Triage section: tier, flags with their script, the marked words, the answers."""
        request = callback.request
        summary = request_triage_summary(request=request)
        unsure = {question.code for question in summary.ask_first}
        return {
            "badge": tier_badge(callback.priority),
            "flags": [
                {
                    "flag": item.flag,
                    "badge": tier_badge(item.flag.tier.code),
                    "evidence": _evidence_lines(item.evidence),
                }
                for item in summary.flags
            ],
            "reason": highlighted_reason(request.reason, summary.spans) if request.reason else "",
            "repeat_quotes": summary.repeat_quotes,
            "unplaced_quotes": summary.unplaced_quotes,
            "screening": [
                {"question": question, "answer": label, "unsure": question.code in unsure}
                for question, label in answers_for_display(request.screening or {})
            ],
            "ask_first": summary.ask_first,
        }

    # --- list actions -----------------------------------------------------------------

    @admin.action(description="Claim the selected callbacks")
    def claim_selected(self, request, queryset: QuerySet[Callback]):
        claimed, taken = 0, []
        for callback_id in queryset.values_list("pk", flat=True):
            try:
                services.callback_claim(callback_id=callback_id, user=request.user)
                claimed += 1
            except (ValidationError, PermissionDenied) as error:
                taken.append(_message(error))
        if claimed:
            self.message_user(request, f"You claimed {claimed} callback(s).", messages.SUCCESS)
        for text in taken:
            self.message_user(request, text, messages.WARNING)

    @admin.action(description="Release the selected callbacks")
    def release_selected(self, request, queryset: QuerySet[Callback]):
        for callback_id in queryset.values_list("pk", flat=True):
            try:
                services.callback_release(callback_id=callback_id, user=request.user)
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, _message(error), messages.WARNING)

    @admin.action(description="Export the selected callbacks as CSV (no patient details)")
    def export_csv(self, request, queryset: QuerySet[Callback]):
        if not is_supervisor(request.user):
            raise PermissionDenied
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="callbacks.csv"'
        writer = csv.writer(response)
        writer.writerow(["reference", "priority", "status", "received", "due", "first_attempt", "attempts",
                         "assigned_to", "closing_reason", "closed", "escalated"])  # fmt: skip
        for c in queryset.select_related("request", "assigned_to").order_by("created_at"):
            writer.writerow([
                c.request.reference, c.priority, c.status, c.request.created_at.isoformat(), c.due_at.isoformat(),
                c.first_attempt_at.isoformat() if c.first_attempt_at else "", c.attempt_count,
                c.assigned_to.get_username() if c.assigned_to else "", c.closing_reason,
                c.closed_at.isoformat() if c.closed_at else "", "yes" if c.escalated_at else "",
            ])  # fmt: skip
        return response
