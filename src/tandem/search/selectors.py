"""Global search over accounts and contacts: typo-tolerant, and always scoped by the access module.

PostgreSQL uses pg_trgm (word similarity, GIN-indexed). SQLite uses FTS5 trigram tables to find up to
CANDIDATES rows sharing 3-letter slices with the query, keeps those the actor may see (in SQL), and
ranks them by trigram word similarity in Python."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from tandem.access.decide import restrict
from tandem.accounts.models import Account
from tandem.contacts.models import Contact
from tandem.search.logic import fold, fts_match_expression, word_similarity

CANDIDATES = 500
MIN_SIMILARITY = 0.45
MIN_QUERY_LENGTH = 2
PG_WORD_THRESHOLD = 0.4


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "account" | "contact"
    public_id: str
    title: str
    subtitle: str
    score: float


@dataclass(frozen=True)
class SearchResults:
    query: str
    accounts: list[SearchHit]
    contacts: list[SearchHit]

    @property
    def is_empty(self) -> bool:
        return not self.accounts and not self.contacts


def global_search(*, actor: Any, query: str, limit: int = 8) -> SearchResults:
    query = " ".join(query.split())[:100]
    if len(query) < MIN_QUERY_LENGTH:
        return SearchResults(query, [], [])
    if connection.vendor == "postgresql":
        accounts, contacts = _postgres(actor, query, limit)
    else:
        accounts, contacts = _sqlite(actor, query, limit)
    return SearchResults(query, accounts, contacts)


def _account_hit(account: Account, score: float) -> SearchHit:
    return SearchHit("account", account.public_id, account.name, account.domain, round(score, 3))


def _contact_hit(contact: Contact, score: float) -> SearchHit:
    subtitle = " · ".join(part for part in (contact.email, contact.account.name if contact.account else "") if part)
    return SearchHit("contact", contact.public_id, str(contact), subtitle, round(score, 3))


def _phone_digits(query: str) -> str:
    digits = "".join(ch for ch in query if ch.isdigit())
    return digits if len(digits) >= 4 and len(digits) >= len(query.replace(" ", "")) * 0.6 else ""


def _phone_q(digits: str) -> Q:
    """Stored phones are E.164 (+49301234567); a national number typed with a leading 0 drops it."""
    condition = Q(phones__icontains=digits)
    if digits.startswith("0") and len(digits) > 5:
        condition |= Q(phones__icontains=digits.lstrip("0"))
    return condition


def _postgres(actor: Any, query: str, limit: int) -> tuple[list[SearchHit], list[SearchHit]]:
    from django.contrib.postgres.search import TrigramWordSimilarity
    from django.db.models import Value
    from django.db.models.functions import Greatest

    with connection.cursor() as cursor:  # the index-backed <% operator uses this threshold (default 0.6)
        cursor.execute(f"SET pg_trgm.word_similarity_threshold = {PG_WORD_THRESHOLD}")
    accounts = (
        restrict(Account.objects.all(), actor)
        .annotate(score=Greatest(TrigramWordSimilarity(query, "name"), TrigramWordSimilarity(query, "domain")))
        .filter(Q(name__trigram_word_similar=query) | Q(domain__trigram_word_similar=query)
                | Q(name__icontains=query) | Q(domain__icontains=query))
        .order_by("-score", "name")[:limit]
    )
    contacts = restrict(Contact.objects.select_related("account"), actor)
    digits = _phone_digits(query)
    if digits:
        contacts = contacts.annotate(score=Value(1.0)).filter(_phone_q(digits))
    else:
        # Written to match the GIN index expressions exactly (search/migrations/0001), so PostgreSQL uses them.
        candidates = RawSQL(  # noqa: S611 - constant SQL; the user's text is a bound parameter
            "SELECT id FROM contacts_contact WHERE %s <%% (first_name || ' ' || last_name) OR %s <%% email "
            "OR email ILIKE %s LIMIT " + str(CANDIDATES), [query, query, f"%{query}%"])
        contacts = contacts.filter(pk__in=candidates).annotate(score=RawSQL(  # noqa: S611 - as above
            "GREATEST(word_similarity(%s, contacts_contact.first_name || ' ' || contacts_contact.last_name), "
            "word_similarity(%s, contacts_contact.email))", [query, query]))
    contacts = contacts.order_by("-score", "last_name")[:limit]
    return ([_account_hit(a, a.score) for a in accounts], [_contact_hit(c, c.score) for c in contacts])


def _fts_ids(table: str, expression: str) -> RawSQL:
    return RawSQL(  # noqa: S611 - the table name is one of two constants; the user's text is a parameter
        f"SELECT rowid FROM {table} WHERE {table} MATCH %s ORDER BY rank LIMIT {CANDIDATES}",  # noqa: S608
        [expression],
    )


def _sqlite(actor: Any, query: str, limit: int) -> tuple[list[SearchHit], list[SearchHit]]:
    expression = fts_match_expression(query)
    folded = fold(query)
    account_hits: list[SearchHit] = []
    contact_hits: list[SearchHit] = []
    if expression:
        candidates = restrict(Account.objects.filter(pk__in=_fts_ids("search_account_fts", expression)), actor)
        for account in candidates:
            score = max(word_similarity(query, account.name), word_similarity(query, account.domain),
                        1.0 if folded in fold(account.name) or folded in account.domain else 0.0)
            if score >= MIN_SIMILARITY:
                account_hits.append(_account_hit(account, score))
    digits = _phone_digits(query)
    contacts = restrict(Contact.objects.select_related("account"), actor)
    if digits:
        contact_hits = [_contact_hit(c, 1.0) for c in contacts.filter(_phone_q(digits))[:limit]]
    elif expression:
        for contact in contacts.filter(pk__in=_fts_ids("search_contact_fts", expression)):
            full = f"{contact.first_name} {contact.last_name}"
            score = max(word_similarity(query, full), word_similarity(query, contact.email),
                        1.0 if folded in fold(full) or folded in contact.email.lower() else 0.0)
            if score >= MIN_SIMILARITY:
                contact_hits.append(_contact_hit(contact, score))
    account_hits.sort(key=lambda hit: (-hit.score, hit.title))
    contact_hits.sort(key=lambda hit: (-hit.score, hit.title))
    return account_hits[:limit], contact_hits[:limit]
