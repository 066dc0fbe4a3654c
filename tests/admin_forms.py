"""Test helper: the POST a browser would send from an admin change page, as it stands."""


def _value(bound_field):
    value = bound_field.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def _form_data(form, data):
    for name in form.fields:
        value = _value(form[name])
        if value in ("", []) and form.fields[name].widget.__class__.__name__ == "CheckboxInput":
            continue
        data[form.add_prefix(name)] = value


def change_form_data(client, url, **changes):
    """GET `url` (an admin add/change/revert page) and return the form data it would post,
    inline formsets included, with `changes` applied on top."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    data = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = _value(management[name])
        for form in formset.initial_forms:
            _form_data(form, data)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data
