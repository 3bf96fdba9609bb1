"""The health API: scores with explanations, history, overrides, code red, scorecards, backtests; scopes and
visibility."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from tandem.core.testing.fixtures import bearer_for, logged_in
from tandem.health import recompute, selectors
from tandem.health.models import HealthSnapshot, RiskFlag, Scorecard
from tandem.health.selectors import today
from tandem.health.tests.conftest import NOW, subscribe, usage

pytestmark = pytest.mark.django_db
ALL = ["health:read", "health:write", "health:admin"]


def test_the_score_explains_itself_and_its_change(team_account, csm):
    subscribe(team_account)
    usage(team_account, end=NOW.date() - datetime.timedelta(days=1))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW - datetime.timedelta(days=1))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    body = Client().get(f"/api/v1/health/accounts/{team_account.public_id}",
                        **bearer_for(csm, ["health:read"])).json()
    assert body["score"] == sum(component["points"] for component in body["components"])
    assert body["change"] == body["score"] - body["previous_score"]
    assert sum(item["points"] for item in body["contributions"]) == body["change"]
    frequency = next(c for c in body["components"] if c["kind"] == "usage_frequency")
    assert frequency["data"]["window_days"] == 30 and "active days" in frequency["explanation"]
    history = Client().get(f"/api/v1/health/accounts/{team_account.public_id}/history?days=7",
                           **bearer_for(csm, ["health:read"])).json()
    assert [item["day"] for item in history["items"]] == [
        (NOW - datetime.timedelta(days=1)).date().isoformat(), NOW.date().isoformat()]


def test_an_outsider_gets_404_for_an_accounts_health_and_an_empty_at_risk_list(team_account, outsider):
    subscribe(team_account)  # a customer: only customers get code red
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    headers = bearer_for(outsider, ALL)
    assert Client().get(f"/api/v1/health/accounts/{team_account.public_id}", **headers).status_code == 404
    assert Client().get(f"/api/v1/health/accounts/{team_account.public_id}/history", **headers).status_code == 404
    assert Client().post(f"/api/v1/health/accounts/{team_account.public_id}/overrides",
                         {"score": 90, "reason": "x", "expires_at": "2099-01-01T00:00:00Z"},
                         content_type="application/json", **headers).status_code == 404
    assert Client().get("/api/v1/health/at-risk", **headers).json()["items"] == []
    flag = RiskFlag.objects.get()
    assert Client().post(f"/api/v1/health/at-risk/{flag.public_id}/resolve", {"reason": "x"},
                         content_type="application/json", **headers).status_code == 404


def test_overrides_through_the_api_need_the_write_scope(team_account, csm):
    expires = (NOW + datetime.timedelta(days=3)).isoformat()
    url = f"/api/v1/health/accounts/{team_account.public_id}/overrides"
    payload = {"score": 80, "reason": "Renewal signed", "expires_at": expires}
    denied = Client().post(url, payload, content_type="application/json", **bearer_for(csm, ["health:read"]))
    assert denied.status_code == 403
    created = Client().post(url, payload, content_type="application/json", **bearer_for(csm, ALL))
    assert created.status_code == 201, created.content
    score = Client().get(f"/api/v1/health/accounts/{team_account.public_id}", **bearer_for(csm, ALL)).json()
    assert score["score"] == 80 and score["override"] == 80
    cleared = Client().delete(f"/api/v1/health/overrides/{created.json()['id']}", **bearer_for(csm, ALL))
    assert cleared.status_code == 204
    listed = Client().get(url, **bearer_for(csm, ALL)).json()["items"]
    assert [item["in_force"] for item in listed] == [False]


def test_the_at_risk_list_and_resolving_with_a_reason(team_account, csm):
    subscribe(team_account)  # a customer: only customers get code red
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW)
    items = Client().get("/api/v1/health/at-risk", **bearer_for(csm, ALL)).json()["items"]
    assert [item["account"] for item in items] == [team_account.public_id]
    url = f"/api/v1/health/at-risk/{items[0]['id']}/resolve"
    empty = Client().post(url, {"reason": ""}, content_type="application/json", **bearer_for(csm, ALL))
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "reason"
    done = Client().post(url, {"reason": "Training booked"}, content_type="application/json", **bearer_for(csm, ALL))
    assert done.status_code == 200 and done.json()["resolution"] == "Training booked"
    assert Client().get("/api/v1/health/at-risk", **bearer_for(csm, ALL)).json()["items"] == []


def test_scorecards_are_read_by_everyone_and_changed_by_administrators_only(admin, csm):
    headers = bearer_for(admin, ALL)
    zero = Client().post("/api/v1/health/scorecards", {"name": "Empty", "segment": "mid_touch", "components": [
        {"kind": "breadth", "weight": 0}]}, content_type="application/json", **headers)
    assert zero.status_code == 422
    assert zero.json()["errors"] == [{"field": "weights", "message": "The weights add up to 0: give at least one "
                                                                      "component a weight above 0."}]
    created = Client().post("/api/v1/health/scorecards", {"name": "Mid", "segment": "mid_touch"},
                            content_type="application/json", **headers)
    assert created.status_code == 201 and len(created.json()["components"]) == 8
    card = created.json()
    patched = Client().patch(f"/api/v1/health/scorecards/{card['id']}", {"red_below": 30, "version": 1},
                             content_type="application/json", **headers)
    assert patched.status_code == 200 and patched.json()["version"] == 2
    stale = Client().patch(f"/api/v1/health/scorecards/{card['id']}", {"red_below": 35, "version": 1},
                           content_type="application/json", **headers)
    assert stale.status_code == 409
    assert Client().get("/api/v1/health/scorecards", **bearer_for(csm, ALL)).json()["items"]
    refused = Client().patch(f"/api/v1/health/scorecards/{card['id']}", {"name": "Mine"},
                             content_type="application/json", **bearer_for(csm, ALL))
    assert refused.status_code == 403 and Scorecard.objects.get(public_id=card["id"]).name == "Mid"


def test_backtests_run_and_list_for_administrators(admin, csm):
    denied = Client().post("/api/v1/health/backtests", {"horizon_days": 90}, content_type="application/json",
                           **bearer_for(csm, ALL))
    assert denied.status_code == 403
    run = Client().post("/api/v1/health/backtests", {"horizon_days": 60}, content_type="application/json",
                        **bearer_for(admin, ALL))
    assert run.status_code == 201 and run.json()["results"]["horizon_days"] == 60
    listed = Client().get("/api/v1/health/backtests", **bearer_for(csm, ["health:read"])).json()["items"]
    assert [item["id"] for item in listed] == [run.json()["id"]]


def test_the_account_page_shows_the_health_section_and_the_board_lists_code_red(team_account, csm):
    subscribe(team_account)
    usage(team_account, end=NOW.date() - datetime.timedelta(days=1))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW - datetime.timedelta(days=1))
    recompute.health_recompute(account_ids=[team_account.pk], now=NOW + datetime.timedelta(days=40))
    page = logged_in(csm).get(f"/accounts/{team_account.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="health-chart"' in text and 'data-testid="health-explanation"' in text
    stored = list(HealthSnapshot.objects.filter(account=team_account).order_by("day").values_list("day", "score"))
    charted = selectors.account_score_series(actor=csm, account=team_account, days=90)
    in_window = [row for row in stored if today() - datetime.timedelta(days=90) < row[0] <= today()]
    assert in_window and [(day, score) for day, score, _color in charted] == in_window
    assert "Usage frequency" in text and "Code red" in text
    board = logged_in(csm).get("/health/")
    assert board.status_code == 200 and "Healthy Co" in board.content.decode()


def test_the_scorecard_editor_previews_and_refuses_weights_summing_to_zero(admin, team_account):
    card = Scorecard.objects.get()
    client = logged_in(admin)
    assert client.get(f"/health/scorecards/{card.public_id}/").status_code == 200
    data = {"name": "Default", "segment": "", "active": "on", "red_below": 40, "green_from": 70, "window_days": 30,
            "drop_points": 20, "drop_days": 14}
    for kind in ("usage_frequency", "usage_trend", "breadth", "seat_utilisation", "support_load",
                 "marketing_engagement", "renewal_proximity", "nps_csat"):
        data.update({f"weight_{kind}": 0, f"bad_{kind}": 0, f"good_{kind}": 10})
    refused = client.post(f"/health/scorecards/{card.public_id}/", {**data, "save": "1"})
    assert refused.status_code == 200 and "The weights add up to 0" in refused.content.decode()
    data["weight_breadth"] = 5
    preview = client.post(f"/health/scorecards/{card.public_id}/", {**data, "preview": "1"})
    assert 'data-testid="scorecard-preview"' in preview.content.decode() and "Healthy Co" in preview.content.decode()
    saved = client.post(f"/health/scorecards/{card.public_id}/", {**data, "save": "1"})
    assert saved.status_code == 302
    assert [(c.kind, c.weight) for c in Scorecard.objects.get().components.filter(weight__gt=0)] == [("breadth", 5)]


def test_someone_without_the_scorecard_resource_gets_404_on_the_editor(outsider):
    assert logged_in(outsider).get("/health/scorecards/").status_code == 404
    assert logged_in(outsider).get("/health/").status_code == 404
