"""Built-in resources without records: administering users, teams, roles, tokens, and the audit log."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def register() -> None:
    register_resource(Resource(name="user", label=_("users"), actions=("view", "create", "change", "delete")))
    register_resource(Resource(name="team", label=_("teams"), actions=("view", "create", "change", "delete")))
    register_resource(Resource(name="access_policy", label=_("permissions"), actions=("view", "change")))
    register_resource(Resource(name="audit_log", label=_("audit log"), actions=("view", "export")))
