"""The callback queue: ordered by priority then due time, worked with buttons that call the services."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString

from requests_app.admin.forms import CloseForm, PriorityForm, ScheduleForm
from requests_app.admin.history import ReadOnlyHistoryAdmin
from requests_app.admin.pagination import CappedCountPaginator
from requests_app.formatting import duration_text
from requests_app.models import CallAttempt, Callback, CallbackStatus, Priority
from requests_app.models.callbacks import FAILED_OUTCOMES, UNREACHABLE_AFTER_ATTEMPTS
from requests_app.roles import is_front_desk, is_supervisor
from requests_app.selectors import request_triage_summary
from requests_app.services import callbacks as services
from requests_app.services.priority import request_change_priority
from requests_app.triage import SYMPTOMS_BY_CODE
from requests_app.triage.screening import QUESTIONS_BY_CODE, answers_for_display

EVIDENCE_KINDS = {"text": "In their words", "screening": "Answered yes", "checklist": "Ticked"}
BADGES = {Priority.EMERGENCY: "badge-emergency", Priority.URGENT: "badge-urgent", Priority.ROUTINE: "badge-routine"}


def tier_badge(priority: str) -> SafeString:
    """The tier as the queue shows it: a coloured badge, strongest for an emergency."""
    label = Priority(priority).label if priority in Priority.values else priority
    return format_html('<span class="badge {}">{}</span>', BADGES.get(priority, "badge-routine"), label)


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

    def queryset(self, request, queryset):
        value = self.value() or "open"
        if value == "open":
            return queryset.filter(is_open=True)
        if value in CallbackStatus.values:
            return queryset.filter(status=value)
        return queryset


class OverdueFilter(admin.SimpleListFilter):
    title = "due"
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("today", "Due in the next 8 hours")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(due_at__lt=now)
        if self.value() == "today":
            return queryset.filter(due_at__gte=now, due_at__lt=now + timedelta(hours=8))
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assigned to"
    parameter_name = "who"

    def lookups(self, request, model_admin):
        return [("mine", "Me"), ("unassigned", "Nobody")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(assigned_to=request.user)
        if self.value() == "unassigned":
            return queryset.filter(assigned_to__isnull=True)
        return queryset


class SourceArticleFilter(admin.SimpleListFilter):
    title = "source article"
    parameter_name = "article"

    def lookups(self, request, model_admin):
        from articles.models import Article

        return list(Article.objects.order_by("title").values_list("pk", "title"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(request__source_article_id=self.value())
        return queryset


class CallAttemptInline(admin.TabularInline):
    """Past attempts read-only; a new one is logged through the service (see save_formset)."""

    model = CallAttempt
    extra = 1
    max_num = 50
    can_delete = False
    fields = ["outcome", "note", "made_at", "made_by"]
    readonly_fields = ["made_at", "made_by"]
    verbose_name = "call attempt"
    verbose_name_plural = "Call attempts (log a new one in the empty row)"

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.is_open and is_front_desk(request.user)


@admin.register(Callback)
class CallbackAdmin(ReadOnlyHistoryAdmin):
    list_display = ["reference", "patient_name", "priority_badge", "status", "due", "attempt_count", "assigned_to"]
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
    inlines = [CallAttemptInline]
    actions = ["claim_selected", "release_selected", "export_csv"]
    change_form_template = "admin/requests_app/callback/change_form.html"
    fieldsets = [
        ("Patient", {"fields": ["reference", "patient_name", "phone", "email", "preferred_contact", "best_time"]}),
        ("Request", {"fields": ["received", "symptoms", "pain_duration", "patient_type", "insurance_note", "source",
                                "notes"]}),
        ("Callback", {"fields": ["status", "due", "assigned_to", "claimed_at", "attempt_count", "escalated_at",
                                 "closing_reason", "closed_at"]}),
        ("Appointment", {"fields": ["appointment_date", "appointment_time", "appointment_location",
                                    "appointment_note"]}),
    ]  # fmt: skip

    # --- the queue's columns ---------------------------------------------------

    @admin.display(description="reference", ordering="request__reference")
    def reference(self, obj: Callback) -> str:
        return obj.request.reference

    @admin.display(description="patient")
    def patient_name(self, obj: Callback) -> str:
        return obj.request.full_name

    @admin.display(description="priority", ordering="priority_rank")
    def priority_badge(self, obj: Callback) -> str:
        return tier_badge(obj.priority)

    @admin.display(description="due", ordering="due_at")
    def due(self, obj: Callback) -> str:
        now = timezone.now()
        local = timezone.localtime(obj.due_at).strftime("%a %-d %b %H:%M")
        if not obj.is_open:
            return local
        if obj.due_at < now:
            overdue = duration_text(now - obj.due_at)
            return format_html('<span class="overdue" title="{}">overdue by {}</span>', local, overdue)
        return format_html('<span title="{}">in {}</span>', local, duration_text(obj.due_at - now))

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
        from requests_app.business_hours import TIME_SLOTS

        slots = [TIME_SLOTS[s][0] for s in obj.request.best_time_slots if s in TIME_SLOTS]
        days = [d.title() for d in obj.request.best_days]
        return ", ".join(slots + days) or "any time we are open"

    @admin.display(description="received")
    def received(self, obj: Callback) -> str:
        created = obj.request.created_at
        return f"{timezone.localtime(created):%a %-d %b %Y %H:%M} ({obj.request.get_channel_display()})"

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
            ((timezone.localtime(n.created_at).strftime("%-d %b %H:%M"), n.body) for n in notes),
        )
        return format_html('<ul class="notes">{}</ul>', items)

    def get_readonly_fields(self, request, obj=None):
        readonly = [
            "reference", "patient_name", "phone", "email", "preferred_contact", "best_time", "received",
            "symptoms", "pain_duration", "patient_type", "insurance_note", "source", "notes", "status", "due",
            "claimed_at", "attempt_count", "escalated_at", "closing_reason", "closed_at", "appointment_date",
            "appointment_time", "appointment_location", "appointment_note",
        ]  # fmt: skip
        if not is_supervisor(request.user) or (obj is not None and not obj.is_open):
            readonly.append("assigned_to")
        return readonly

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("request", "request__source_article", "assigned_to")

    # --- permissions: nobody deletes, nobody adds by hand -------------------------

    def has_add_permission(self, request):
        return False

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

    # --- saving: assignment by a supervisor, attempts through the service ---------

    def save_model(self, request, obj, form, change):
        if change and "assigned_to" in form.changed_data and is_supervisor(request.user):
            services.callback_reassign(callback_id=obj.pk, to_user=form.cleaned_data["assigned_to"])

    def save_formset(self, request, form, formset, change):
        # The admin's change message reads these; formset.save() is not used.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or inline_form.instance.pk or not inline_form.cleaned_data:
                continue
            try:
                attempt = services.callback_log_attempt(
                    callback_id=form.instance.pk,
                    user=request.user,
                    outcome=inline_form.cleaned_data["outcome"],
                    note=inline_form.cleaned_data.get("note", ""),
                )
                formset.new_objects.append(attempt)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)

    # --- the buttons ---------------------------------------------------------------

    def get_urls(self):
        views = {
            "claim": self.claim_view,
            "release": self.release_view,
            "schedule": self.schedule_view,
            "unreachable": self.unreachable_view,
            "close": self.close_view,
            "priority": self.priority_view,
        }
        own = [
            path(f"<int:pk>/{name}/", self.admin_site.admin_view(view), name=f"requests_app_callback_{name}")
            for name, view in views.items()
        ]
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
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            self.message_user(request, text, messages.ERROR)
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
            lambda: services.callback_release(
                callback_id=pk, user=request.user, supervisor=is_supervisor(request.user)
            ),
            "Released back to the queue.",
        )

    def unreachable_view(self, request, pk):
        return self._run(
            request,
            pk,
            lambda: services.callback_mark_unreachable(callback_id=pk, user=request.user),
            "Marked unreachable; the patient is emailed how to reach us.",
        )

    def _form_view(self, request, pk, form_class, title, handle, *, require=None, initial=None):
        (require or self._require_desk)(request)
        callback = get_object_or_404(Callback.objects.select_related("request"), pk=pk)
        form = form_class(request.POST or None, initial=initial(callback) if initial else None)
        if request.method == "POST" and form.is_valid():
            try:
                handle(callback, form.cleaned_data)
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
        }
        return TemplateResponse(request, "admin/requests_app/callback/action_form.html", context)

    def schedule_view(self, request, pk):
        def handle(callback, data):
            services.callback_schedule(
                callback_id=callback.pk,
                user=request.user,
                appointment_date=data["appointment_date"],
                appointment_time=data["appointment_time"],
                location=data["location"],
                note=data["note"],
            )
            self.message_user(request, "Scheduled; the confirmation email is on its way.", messages.SUCCESS)

        return self._form_view(request, pk, ScheduleForm, "Schedule the appointment", handle)

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        callback = Callback.objects.filter(pk=object_id).first()
        if callback is not None:
            failed = callback.attempts.filter(outcome__in=FAILED_OUTCOMES).count()
            extra_context.update(
                can_work=is_front_desk(request.user) and callback.is_open,
                holder=callback.assigned_to,
                is_mine=callback.assigned_to_id == request.user.pk,
                can_mark_unreachable=failed >= UNREACHABLE_AFTER_ATTEMPTS,
                failed_attempts=failed,
                unreachable_after=UNREACHABLE_AFTER_ATTEMPTS,
                can_change_tier=is_supervisor(request.user) and callback.is_open,
                triage=self._triage_context(callback),
            )
        return super().change_view(request, object_id, form_url, extra_context)

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
            except ValidationError as error:
                taken.append(" ".join(error.messages))
        if claimed:
            self.message_user(request, f"You claimed {claimed} callback(s).", messages.SUCCESS)
        for text in taken:
            self.message_user(request, text, messages.WARNING)

    @admin.action(description="Release the selected callbacks")
    def release_selected(self, request, queryset: QuerySet[Callback]):
        for callback_id in queryset.values_list("pk", flat=True):
            try:
                services.callback_release(
                    callback_id=callback_id, user=request.user, supervisor=is_supervisor(request.user)
                )
            except (ValidationError, PermissionDenied) as error:
                self.message_user(request, str(error), messages.WARNING)

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
