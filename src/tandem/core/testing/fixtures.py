"""Role fixtures shared by all apps: Alice the administrator, Mona the manager, Adam the AM,
Carla the CSM, Vic the viewer, Otto the outsider (no roles)."""

from __future__ import annotations

import pytest
from django.test import Client

from tandem.core.testing.factories import TEST_PASSWORD, UserFactory
from tandem.identity.logic import new_token_secret, token_display_prefix, token_hash
from tandem.identity.models import ApiToken, User


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.fixture
def admin(db) -> User:
    return UserFactory(email="alice@example.test", full_name="Alice Admin", roles=["administrator"])


@pytest.fixture
def manager(db) -> User:
    return UserFactory(email="mona@example.test", full_name="Mona Manager", roles=["manager"])


@pytest.fixture
def am(db) -> User:
    return UserFactory(email="adam@example.test", full_name="Adam AM", roles=["am"])


@pytest.fixture
def csm(db) -> User:
    return UserFactory(email="carla@example.test", full_name="Carla CSM", roles=["csm"])


@pytest.fixture
def viewer(db) -> User:
    return UserFactory(email="vic@example.test", full_name="Vic Viewer", roles=["viewer"])


@pytest.fixture
def outsider(db) -> User:
    return UserFactory(email="otto@example.test", full_name="Otto Outsider", roles=[])


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def bearer_for(user: User, scopes: list[str]) -> dict[str, str]:
    """Create a token for ``user`` directly (the token service is tested on its own)."""
    secret = new_token_secret()
    ApiToken.objects.create(user=user, name="test", prefix=token_display_prefix(secret),
                            token_hash=token_hash(secret), scopes=scopes)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


DATA_MIGRATIONS = [
    ("tandem.identity.migrations.0002_seed_roles", "seed"),
    ("tandem.access.migrations.0002_default_policy", "seed"),
    ("tandem.customfields.migrations.0002_default_policy", "seed"),
    ("tandem.contacts.migrations.0002_default_policy", "seed"),
    ("tandem.files.migrations.0002_default_policy", "seed"),
    ("tandem.notifications.migrations.0002_default_policy", "seed"),
    ("tandem.timeline.migrations.0002_default_policy", "seed"),
    ("tandem.scheduling.migrations.0002_task_default_policy", "seed"),
    ("tandem.meetings.migrations.0002_default_policy", "seed"),
    ("tandem.collaboration.migrations.0002_default_policy", "seed"),
    ("tandem.collaboration.migrations.0003_default_handoff_templates", "seed"),
    ("tandem.usage.migrations.0003_default_policy", "seed"),
    ("tandem.pipeline.migrations.0002_default_policy", "seed"),
    ("tandem.pipeline.migrations.0003_default_pipelines", "seed"),
    ("tandem.tickets.migrations.0002_default_policy", "seed"),
    ("tandem.tickets.migrations.0003_default_support_setup", "seed"),
    ("tandem.contracts.migrations.0002_default_policy", "seed"),
    ("tandem.health.migrations.0002_default_policy", "seed"),
    ("tandem.health.migrations.0003_default_scorecard", "seed"),
    ("tandem.renewals.migrations.0002_default_policy", "seed"),
    ("tandem.quotas.migrations.0002_default_policy", "seed"),
]


def reseed_if_flushed() -> None:
    """Transactional tests (live server, real job queue) empty every table afterwards, including the rows the
    data migrations seeded. Put the roles and the default policy back by running those migrations' own seed
    functions, so later transactional tests start from the same state as a fresh install."""
    from importlib import import_module

    from django.apps import apps

    from tandem.identity.models import Role

    if Role.objects.exists():
        return
    for module_name, function_name in DATA_MIGRATIONS:
        getattr(import_module(module_name), function_name)(apps, None)
