"""`{% appointment_request_form article %}`: the request form, embeddable in cached pages."""

from django import template

from requests_app.forms import FORM_TOKEN_MARKER, AppointmentRequestForm

register = template.Library()


@register.inclusion_tag("requests/_form.html", takes_context=True)
def appointment_request_form(context, article=None) -> dict:
    """The form with markers in place of its per-visitor values (CSRF and form tokens).

    The page around it is cached and shared; `articles.cache.fill_per_request`
    puts each visitor's own tokens in on every response.
    """
    form = AppointmentRequestForm(initial={"article": article.slug if article else "", "form_token": FORM_TOKEN_MARKER})
    return {"form": form, "csrf_placeholder": True, "clinic": context.get("clinic"), "level": 3}
