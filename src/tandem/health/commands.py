"""``tandem health recompute [--all]`` and ``tandem health backtest [--horizon 90] [--step 30] [--json]``."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tandem.access.decide import SYSTEM


def _line(label: str, figures: dict[str, Any]) -> str:
    auc = figures.get("auc")
    lift = figures.get("top_decile_lift")
    interval = figures.get("auc_ci95")
    spread = f" (95 % interval {interval[0]:.3f}–{interval[1]:.3f})" if interval else ""
    return (f"  {label:<14} AUC {'—' if auc is None else f'{auc:.3f}'}{spread}   top-decile lift "
            f"{'—' if lift is None else f'{lift:.2f}'}")


def report(results: dict[str, Any]) -> str:
    lines = [f"Backtest: churn within {results['horizon_days']} days, observation dates every "
             f"{results['step_days']} days ({len(results['observation_dates'])} dates, {results['evaluated_dates']} "
             f"evaluated, {results['rows']:,} account-dates, {results['churned']:,} churned; "
             f"{results.get('accounts', 0):,} accounts, {results.get('churned_accounts', 0):,} of them churned)",
             "  intervals: bootstrap over accounts (each account resampled with all its dates), 200 rounds",
             _line("health score", results["score"]), _line("model", results["model"]), "",
             "  calibration of the model (predicted → observed churn rate):"]
    for row in results["model"].get("calibration", []):
        if row["count"]:
            lines.append(f"    {row['low']:.1f}–{row['high']:.1f}: {row['count']:>6} rows, predicted "
                         f"{row['predicted']:.3f}, observed {row['observed']:.3f}")
    lines.append("  observed churn rate by health score band:")
    for row in results["score"].get("calibration", []):
        if row["count"]:
            lines.append(f"    {row['score_from']:>3}–{row['score_to']:<3}: {row['count']:>6} rows, observed "
                         f"{row['observed']:.3f}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if args.action == "recompute":
        from tandem.health import recompute

        result = recompute.recompute_all() if args.all else recompute.recompute_dirty()
        print(f"Recomputed {result.accounts:,} accounts in {result.seconds:.2f} s; "
              f"{len(result.flagged):,} newly flagged code red.")
        return 0
    from tandem.health import backtest

    run_ = backtest.backtest_run(actor=SYSTEM, horizon_days=args.horizon, step_days=args.step)
    if args.json:
        print(json.dumps(run_.results, indent=2))
    else:
        print(report(run_.results))
    return 0
