"""Helpers shared by the apps' forms."""


def add_service_errors(form, exc):
    """Attach a service's ValidationError to the form: to the field it names
    when the form has it, else to the form as a whole."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
