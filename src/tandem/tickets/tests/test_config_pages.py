"""The configuration pages (routing rules, SLA policies, business hours, support groups): an administrator
creates, edits, reorders and deletes through forms that show field errors; every change is audited; people who
may not change the configuration get 404 and nothing changes."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from tandem.audit.models import AuditEntry
from tandem.core.testing.factories import UserFactory
from tandem.core.testing.fixtures import logged_in
from tandem.tickets import config
from tandem.tickets.models import BusinessHours, Holiday, RoutingRule, SlaPolicy, TicketGroup

SETTINGS = "/tickets/settings/"


@pytest.fixture
def agent(db):
    return UserFactory(email="tina@example.test", full_name="Tina Tier1", roles=["support_tier1"])


def _audited(obj, pk=None) -> list[str]:
    return list(AuditEntry.objects.filter(object_id=str(pk or obj.pk), content_type=ContentType.objects.get_for_model(
        obj)).order_by("at", "id").values_list("action", flat=True))


def test_the_admin_navigation_links_the_settings_for_those_who_may_change_them(admin, agent):
    assert b'href="/tickets/settings/"' in logged_in(admin).get("/").content
    page = logged_in(agent).get(SETTINGS)  # support reads the configuration, without edit links
    assert page.status_code == 200 and b"/tickets/settings/rules/new/" not in page.content
    assert b"/tickets/settings/rules/new/" in logged_in(admin).get(SETTINGS).content


def test_an_admin_creates_edits_reorders_and_deletes_a_routing_rule(admin, agent):
    client = logged_in(admin)
    group = TicketGroup.objects.filter(tier=2).first()
    assert client.get("/tickets/settings/rules/new/").status_code == 200
    response = client.post("/tickets/settings/rules/new/", {
        "name": "Billing to finance", "position": "5", "is_active": "on", "channels": ["email", "phone"],
        "categories": ["billing"], "account_tiers": ["high_touch"], "keywords": "invoice, refund",
        "group": group.public_id, "tier": "", "assignee": agent.email})
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = RoutingRule.objects.get(name="Billing to finance")
    assert (rule.channels, rule.categories, rule.account_tiers, rule.keywords) == (
        ["email", "phone"], ["billing"], ["high_touch"], ["invoice", "refund"])
    assert rule.group == group and rule.assignee == agent and _audited(rule) == ["create"]
    edit = f"/tickets/settings/rules/{rule.public_id}/"
    assert b"invoice, refund" in client.get(edit).content
    client.post(edit, {"name": "Billing", "position": "5", "keywords": "", "group": "", "tier": "2",
                       "assignee": ""})
    rule.refresh_from_db()
    assert (rule.name, rule.is_active, rule.tier, rule.group, rule.keywords) == ("Billing", False, 2, None, [])
    first = RoutingRule.objects.order_by("position", "id").first()
    assert first == rule
    client.post(f"{edit}move/", {"direction": "down"})
    ordered = list(RoutingRule.objects.order_by("position", "id"))
    assert ordered.index(rule) == 1 and [item.position for item in ordered] == [10 * (n + 1)
                                                                              for n in range(len(ordered))]
    rule_pk = rule.pk
    assert client.post(f"{edit}delete/").status_code == 302
    assert not RoutingRule.objects.filter(pk=rule_pk).exists()
    assert "delete" in _audited(rule, rule_pk)


def test_the_routing_rule_form_shows_field_errors(admin):
    client = logged_in(admin)
    response = client.post("/tickets/settings/rules/new/", {"name": "  ", "position": "x", "keywords": "",
                                                            "group": "", "tier": "", "assignee": "nobody"})
    assert response.status_code == 400
    form = response.context["form"]
    assert {"name", "position", "assignee"} <= set(form.errors)
    nowhere = client.post("/tickets/settings/rules/new/", {"name": "Nowhere", "position": "1", "group": "",
                                                           "tier": "", "assignee": ""})
    assert nowhere.status_code == 400 and "group" in nowhere.context["form"].errors  # routes nowhere
    stranger = client.post("/tickets/settings/rules/new/", {"name": "Ghost", "position": "1", "group": "",
                                                            "tier": "", "assignee": "ghost@example.test"})
    assert stranger.status_code == 400 and "assignee" in stranger.context["form"].errors
    assert not RoutingRule.objects.filter(name__in=["Nowhere", "Ghost"]).exists()


def test_an_admin_edits_an_sla_policy_and_sees_its_field_errors(admin):
    client = logged_in(admin)
    response = client.post("/tickets/settings/policies/new/", {
        "name": "", "priority": "urgent", "account_tier": "mid_touch", "first_response_minutes": "15",
        "resolution_minutes": "240"})
    assert response.status_code == 302
    policy = SlaPolicy.objects.get(priority="urgent", account_tier="mid_touch")
    assert policy.first_response_minutes == 15 and _audited(policy) == ["create"]
    edit = f"/tickets/settings/policies/{policy.public_id}/"
    wrong = client.post(edit, {"priority": "urgent", "account_tier": "mid_touch",
                               "first_response_minutes": "300", "resolution_minutes": "240"})
    assert wrong.status_code == 400 and "resolution_minutes" in wrong.context["form"].errors
    duplicate = client.post("/tickets/settings/policies/new/", {
        "priority": "urgent", "account_tier": "mid_touch", "first_response_minutes": "10",
        "resolution_minutes": "100"})
    assert duplicate.status_code == 400 and "priority" in duplicate.context["form"].errors
    client.post(edit, {"priority": "urgent", "account_tier": "mid_touch", "first_response_minutes": "30",
                       "resolution_minutes": "240"})
    policy.refresh_from_db()
    assert policy.first_response_minutes == 30 and _audited(policy).count("change") == 1
    client.post(f"{edit}delete/")
    assert not SlaPolicy.objects.filter(pk=policy.pk).exists()


def test_an_admin_sets_weekly_windows_and_holidays_in_a_time_zone(admin):
    client = logged_in(admin)
    page = client.get("/tickets/settings/hours/new/")
    assert page.status_code == 200 and b"Europe/Berlin" in page.content
    response = client.post("/tickets/settings/hours/new/", {
        "name": "Berlin office", "time_zone": "Europe/Berlin", "day_0": "09:00-12:00, 13:00-17:00",
        "day_4": "9:00-15:00", "holidays": "2026-12-25 Christmas\n2026-12-26 Boxing Day"})
    assert response.status_code == 302, response.content.decode()[:2000]
    hours = BusinessHours.objects.get(name="Berlin office")
    assert hours.windows == [[0, "09:00", "12:00"], [0, "13:00", "17:00"], [4, "09:00", "15:00"]]
    assert sorted(Holiday.objects.filter(business_hours=hours).values_list("date", "name")) == [
        (datetime.date(2026, 12, 25), "Christmas"), (datetime.date(2026, 12, 26), "Boxing Day")]
    edit = f"/tickets/settings/hours/{hours.public_id}/"
    assert b"09:00-12:00, 13:00-17:00" in client.get(edit).content
    bad = client.post(edit, {"name": "Berlin office", "time_zone": "Europe/Berlin", "day_0": "17:00-09:00",
                             "day_1": "nine to five", "holidays": "Christmas"})
    assert bad.status_code == 400
    assert {"day_1", "holidays"} <= set(bad.context["form"].errors)
    backwards = client.post(edit, {"name": "Berlin office", "time_zone": "Europe/Berlin", "day_0": "17:00-09:00"})
    assert backwards.status_code == 400 and "day_0" in backwards.context["form"].errors
    client.post(edit, {"name": "Berlin office", "time_zone": "Europe/Berlin", "day_2": "08:00-16:00",
                       "holidays": ""})
    hours.refresh_from_db()
    assert hours.windows == [[2, "08:00", "16:00"]] and not hours.holidays.exists()
    assert _audited(hours) == ["create", "change"]
    client.post(f"{edit}delete/")
    assert not BusinessHours.objects.filter(pk=hours.pk).exists()


def test_an_admin_creates_renames_and_deletes_a_support_group(admin):
    client = logged_in(admin)
    hours = config.business_hours_create(actor=admin, name="Sydney", time_zone="Australia/Sydney",
                                         windows=[[0, "09:00", "17:00"]])
    response = client.post("/tickets/settings/groups/new/", {"name": "APAC", "tier": "1", "team": "",
                                                             "business_hours": hours.public_id})
    assert response.status_code == 302
    group = TicketGroup.objects.get(name="APAC")
    assert group.tier == 1 and group.business_hours == hours and _audited(group) == ["create"]
    taken = client.post("/tickets/settings/groups/new/", {"name": "APAC", "tier": "", "team": "",
                                                          "business_hours": ""})
    assert taken.status_code == 400 and "name" in taken.context["form"].errors
    edit = f"/tickets/settings/groups/{group.public_id}/"
    client.post(edit, {"name": "Asia Pacific", "tier": "2", "team": "", "business_hours": ""})
    group.refresh_from_db()
    assert (group.name, group.tier, group.business_hours) == ("Asia Pacific", 2, None)
    assert _audited(group) == ["create", "change"]
    group_pk = group.pk
    client.post(f"{edit}delete/")
    assert not TicketGroup.objects.filter(pk=group_pk).exists() and "delete" in _audited(group, group_pk)


@pytest.mark.parametrize("who", ["agent", "am"])
def test_people_who_may_not_change_the_configuration_get_404_and_nothing_changes(who, agent, am, admin):
    user = agent if who == "agent" else am
    client = logged_in(user)
    rule = config.routing_rule_create(actor=admin, name="Keep", tier=2)
    policy = SlaPolicy.objects.first()
    hours = BusinessHours.objects.first()
    group = TicketGroup.objects.first()
    for url in ("/tickets/settings/rules/new/", f"/tickets/settings/rules/{rule.public_id}/",
                "/tickets/settings/policies/new/", f"/tickets/settings/policies/{policy.public_id}/",
                "/tickets/settings/hours/new/", f"/tickets/settings/hours/{hours.public_id}/",
                "/tickets/settings/groups/new/", f"/tickets/settings/groups/{group.public_id}/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name": "Hijack"}).status_code == 404, url
    for url in (f"/tickets/settings/rules/{rule.public_id}/delete/", f"/tickets/settings/rules/{rule.public_id}/move/",
                f"/tickets/settings/policies/{policy.public_id}/delete/",
                f"/tickets/settings/hours/{hours.public_id}/delete/",
                f"/tickets/settings/groups/{group.public_id}/delete/"):
        assert client.post(url, {"direction": "down"}).status_code == 404, url
    assert RoutingRule.objects.filter(pk=rule.pk, name="Keep").exists()
    assert SlaPolicy.objects.filter(pk=policy.pk).exists() and TicketGroup.objects.filter(pk=group.pk).exists()
    assert b'href="/tickets/settings/"' not in client.get("/").content
    if who == "am":  # the AM does not even read the configuration
        assert client.get(SETTINGS).status_code == 404


def test_unknown_configuration_ids_are_404(admin):
    client = logged_in(admin)
    for kind in ("rules", "policies", "hours", "groups"):
        assert client.get(f"/tickets/settings/{kind}/nope/").status_code == 404
