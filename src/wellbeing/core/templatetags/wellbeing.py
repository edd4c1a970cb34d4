from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_INPUT_CLASS = {
    forms.Textarea: "usa-textarea",
    forms.Select: "usa-select",
    forms.CheckboxInput: "usa-checkbox__input",
}


@register.simple_tag
def usa_widget(field: BoundField) -> SafeString:
    """Render a widget with USWDS classes and aria-describedby pointing at hint and error."""
    widget = field.field.widget
    css = next((c for t, c in _INPUT_CLASS.items() if isinstance(widget, t)), "usa-input")
    if field.errors:
        css += f" {css}--error" if css in {"usa-input", "usa-textarea", "usa-select"} else ""
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": css}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
