"""Demo comments with @mentions and one pending handoff from each demo persona who hands accounts on
(implementation, the AMs), written through the services: a constant handful whatever the scale."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from tandem.accounts.models import Account
from tandem.collaboration import services as collaboration_services
from tandem.collaboration.logic import mention_token
from tandem.identity.models import User

# (sender, sender's role, receiver, receiver's role). The demo's SDR and AE work on prospects, not on customer
# accounts (they see none), so they have nothing to hand on.
HANDOFFS = [
    ("ian.impl@demo.tandem", "implementation", "cara.csm@demo.tandem", "csm"),
    ("amy.am@demo.tandem", "am", "rick.renewal@demo.tandem", "renewal"),
    ("jun.am@demo.tandem", "am", "rick.renewal@demo.tandem", "renewal"),
]
COMMENTS = 6


def _mention(user: User) -> str:
    return mention_token(name=user.full_name, public_id=user.public_id)


def demo_collaboration(users: dict[str, User]) -> None:
    """A few threads where the CSM asks the AM something (and the AM answers), and the pending handoffs."""
    accounts = list(Account.objects.filter(team_members__role__code="csm").filter(
        team_members__role__code="am").distinct().order_by("id")[:COMMENTS])
    for account in accounts:
        seats = {seat.role.code: seat.user for seat in account.team_members.select_related("role", "user")}
        csm, am = seats["csm"], seats["am"]
        with transaction.atomic():
            question = collaboration_services.comment_post(
                actor=csm, record=account,
                body=f"{_mention(am)} the customer asked about adding seats before the renewal — can you "
                     "send them a quote?")
            collaboration_services.comment_post(
                actor=am, record=account, parent=question,
                body=f"{_mention(csm)} on it; I'll bring it up in Thursday's call.")
    used: set[int] = set()
    for sender_email, from_role, receiver_email, to_role in HANDOFFS:
        sender, receiver = users.get(sender_email), users.get(receiver_email)
        if sender is None or receiver is None:
            continue
        target = _account_for(sender, to_role, used)
        if target is None:
            continue
        used.add(target.pk)
        with transaction.atomic():
            collaboration_services.handoff_start(
                actor=sender, account=target, to_user=receiver, to_role_code=to_role, from_role_code=from_role,
                note="Notes from the last calls are on the timeline.")


def _account_for(sender: User, to_role: str, used: set[int]) -> Account | None:
    """An account the sender works on whose ``to_role`` seat is still empty."""
    candidates = Account.objects.exclude(pk__in=used).exclude(team_members__role__code=to_role).order_by("id")
    return candidates.filter(Q(owner=sender) | Q(team_members__user=sender)).distinct().first()
