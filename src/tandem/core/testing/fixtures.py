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
