"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import factory

from tandem.accounts.models import Account, AccountTeamMember
from tandem.identity.models import Role, Team, User

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.save()
            if extracted:
                self.roles.set(Role.objects.filter(code__in=extracted))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Customer {n:04d} GmbH")
    domain = factory.Sequence(lambda n: f"customer{n}.example")


def assign(account: Account, user: User, role_code: str) -> AccountTeamMember:
    return AccountTeamMember.objects.create(account=account, user=user, role=Role.objects.get(code=role_code))
