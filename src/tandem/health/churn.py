"""The churn model, pure (no database): logistic regression (scikit-learn) on standardised point-in-time features,
and each prediction's top drivers — coefficient × standardised feature value, the feature's push on the log-odds
of churning (docs/health.md).

numpy and scikit-learn are imported when a model is trained or applied, not with this module: together they are
~100 MB of every process's memory, and web workers, importers and exporters never need them (the Account 360
page reads stored predictions)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

MIN_ROWS = 20


@dataclass(frozen=True)
class Driver:
    feature: str
    value: float
    contribution: float  # > 0 raises the churn risk, < 0 lowers it

    def as_dict(self) -> dict[str, Any]:
        return {"feature": self.feature, "value": round(self.value, 4), "contribution": round(self.contribution, 4)}


@dataclass(frozen=True)
class TrainedModel:
    features: tuple[str, ...]
    mean: Any  # numpy arrays
    scale: Any
    coefficients: Any
    intercept: float
    rows: int
    positives: int

    def coefficient_table(self) -> dict[str, float]:
        return {name: round(float(value), 4) for name, value in zip(self.features, self.coefficients, strict=True)}


def train(features: Sequence[str], rows: Sequence[Sequence[float]], labels: Sequence[int]) -> TrainedModel | None:
    """Fit on the rows, or None when there are too few rows or only one class."""
    positives = int(sum(labels))
    if len(rows) < MIN_ROWS or positives == 0 or positives == len(labels):
        return None
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    matrix = np.asarray(rows, dtype=float)
    mean = matrix.mean(axis=0)
    scale = matrix.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=0.5, max_iter=2000)
    model.fit(np.clip((matrix - mean) / scale, -5.0, 5.0), np.asarray(labels, dtype=int))
    return TrainedModel(features=tuple(features), mean=mean, scale=scale, coefficients=model.coef_[0].copy(),
                        intercept=float(model.intercept_[0]), rows=len(rows), positives=positives)


def _standardised(model: TrainedModel, rows: Sequence[Sequence[float]]) -> Any:
    """Standardised with the training mean and spread, clipped to ±5: a value far outside anything seen in
    training says "extreme", not "infinitely extreme"."""
    import numpy as np

    return np.clip((np.asarray(rows, dtype=float) - model.mean) / model.scale, -5.0, 5.0)


def predict(model: TrainedModel, rows: Sequence[Sequence[float]]) -> list[float]:
    if not rows:
        return []
    import numpy as np

    logits = _standardised(model, rows) @ model.coefficients + model.intercept
    return [float(value) for value in 1.0 / (1.0 + np.exp(-logits))]


def drivers(model: TrainedModel, row: Sequence[float], *, top: int = 3) -> list[Driver]:
    pushes = _standardised(model, [row])[0] * model.coefficients
    order = sorted(range(len(pushes)), key=lambda index: -abs(pushes[index]))[:top]
    return [Driver(feature=model.features[index], value=float(row[index]), contribution=float(pushes[index]))
            for index in order]
