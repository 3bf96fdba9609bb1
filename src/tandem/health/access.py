"""Access resources of the health app (both without records of their own):

* ``health`` — the health of accounts one can already see: ``view`` shows scores, history, explanations,
  predictions and the code-red board (only for visible accounts: health follows account visibility); ``change``
  sets and clears overrides, resolves code-red flags and recomputes on demand.
* ``health_scorecard`` — the scorecards and the risk playbook: ``view`` reads them, ``change`` edits them,
  recomputes every account and runs the backtest (administrators).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem.access.registry import Resource, register_resource


def register() -> None:
    register_resource(Resource(name="health", label=_("account health"), actions=("view", "change")))
    register_resource(Resource(name="health_scorecard", label=_("health scorecards and risk playbook"),
                               actions=("view", "change")))
