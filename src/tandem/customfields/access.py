"""What custom fields tell the access module: the administration resource, and the fields each record type
has — with the field group each is in — so the permission editor offers every group a custom field uses and
record histories leave out the values a reader may not see."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.access.registry import RecordField, Resource, register_field_group_source, register_resource
from tandem.customfields.choices import CUSTOMIZABLE_RESOURCES
from tandem.customfields.selectors import custom_field_list


def custom_record_fields(resource: str) -> list[RecordField]:
    """The custom fields of ``resource`` as ``custom.<key>`` with their labels and field groups."""
    if resource not in CUSTOMIZABLE_RESOURCES:
        return []
    return [RecordField(f"custom.{key}", label, field_group) for key, label, field_group in
            custom_field_list(resource=resource).values_list("key", "label", "field_group")]


def register() -> None:
    register_resource(Resource(name="custom_field", label=_("custom fields"),
                               actions=("view", "create", "change", "delete")))
    register_field_group_source(custom_record_fields)
