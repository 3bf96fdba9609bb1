"""The churn model and the backtest: point-in-time features ignore data from after the observation date, and on
the demo data the score and the model rank churners first."""

from __future__ import annotations

import datetime

import pytest

from tandem.access.decide import SYSTEM
from tandem.contracts.services import subscription_churn
from tandem.core.testing.factories import AccountFactory
from tandem.health import backtest, churn, features
from tandem.health.tests.conftest import TODAY, at, subscribe, usage
from tandem.tickets.models import Ticket
from tandem.usage.models import Daily

pytestmark = pytest.mark.django_db


def _world():
    """Twenty accounts subscribed a year ago; churners faded away before cancelling."""
    start = TODAY - datetime.timedelta(days=400)
    accounts = []
    for index in range(24):
        account = AccountFactory(name=f"Account {index:02d}")
        subscription = subscribe(account, seats=20, start=start, term_months=24)
        churn_day = TODAY - datetime.timedelta(days=120 + 10 * (index % 8)) if index % 3 == 0 else None
        usage_end = churn_day - datetime.timedelta(days=45) if churn_day else TODAY
        usage(account, days=(usage_end - start).days, end=usage_end)
        if churn_day:
            subscription_churn(actor=SYSTEM, subscription=subscription, effective_date=churn_day, reason="Budget")
        accounts.append(account)
    return accounts


def test_features_and_predictions_ignore_data_from_after_the_observation_date():
    accounts = _world()
    day = TODAY - datetime.timedelta(days=200)
    history = features.contract_history()
    before = features.observe(day=day, history=history, horizon_days=90, today=TODAY)
    training = [o for d in (day - datetime.timedelta(days=120), day - datetime.timedelta(days=90))
                for o in features.observe(day=d, history=history, horizon_days=90, today=TODAY)]
    # plant the future: heavy usage and a flood of urgent tickets on and after the observation date
    Daily.objects.bulk_create([Daily(account_id=account.pk, day=day + datetime.timedelta(days=offset),
                                     event="future.event", events=10_000, users=500)
                               for account in accounts for offset in range(0, 30)], ignore_conflicts=True)
    for account in accounts:
        ticket = Ticket.objects.create(subject="Future", account=account, priority="urgent")
        Ticket.objects.filter(pk=ticket.pk).update(created_at=at(day))
    after = features.observe(day=day, history=features.contract_history(), horizon_days=90, today=TODAY)
    assert [(o.account_id, o.features, o.score, o.label) for o in after] == \
           [(o.account_id, o.features, o.score, o.label) for o in before]
    model = churn.train(features.FEATURES, [o.features for o in training], [int(o.label or 0) for o in training])
    if model is not None:
        assert churn.predict(model, [o.features for o in after]) == churn.predict(model, [o.features for o in before])


def test_an_account_cancelled_before_the_observation_date_is_not_observed_and_labels_need_the_horizon_passed():
    _world()
    history = features.contract_history()
    recent = features.observe(day=TODAY - datetime.timedelta(days=30), history=history, horizon_days=90, today=TODAY)
    assert recent and all(o.label is None for o in recent)
    assert len(recent) == 16  # the eight churners are gone


def test_the_backtest_trains_only_on_dates_whose_horizon_had_passed_and_ranks_churners_first():
    _world()
    results = backtest.backtest_compute(horizon_days=90, step_days=30, today=TODAY)
    assert results["evaluated_dates"] >= 1 and results["churned"] > 0
    for row in results["per_date"]:
        trained_dates = [d for d in results["observation_dates"]
                         if datetime.date.fromisoformat(d) + datetime.timedelta(days=90)
                         <= datetime.date.fromisoformat(row["date"])]
        assert trained_dates  # the model for a date learnt only from earlier, finished horizons
    assert results["score"]["auc"] > 0.8 and results["model"]["auc"] is not None


def test_the_backtest_on_the_demo_data_finds_churn_in_advance(admin):
    from tandem.demo.generate import generate

    generate(seed=1, scale="small", password="demo Passw0rd!", progress=lambda _text: None)
    run = backtest.backtest_run(actor=SYSTEM, horizon_days=90, step_days=30)
    results = run.results
    # Enough churn to learn from and to judge by: several churned accounts, each seen on several dates.
    assert results["churned_accounts"] >= 8 and results["churned"] >= 20, results
    assert results["score"]["auc"] > 0.7, results["score"]
    assert results["model"]["auc"] > 0.7, results["model"]
    # "Clearly above 0.5": the whole 95 % interval (bootstrap over accounts) stays above it.
    assert results["score"]["auc_ci95"][0] > 0.5, results["score"]
    assert results["model"]["auc_ci95"][0] > 0.5, results["model"]
