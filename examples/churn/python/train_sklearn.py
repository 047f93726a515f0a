"""The churn example's training step in Python with scikit-learn, run by a Cairn command step.

Reads the point-in-time training set (CSV) the pipeline built, splits it by time like the
TypeScript step, fits a logistic regression, evaluates it on the holdout, and writes the model
(coefficients as JSON: nothing to unpickle) and its metrics to the paths Cairn passes in.
"""
import argparse
import csv
import json
import math
import os
from datetime import datetime

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

NUMERIC = ["plan_tier", "monthly_fee", "logins_7d", "logins_28d", "minutes_7d", "tenure_weeks",
           "support_tickets_30d", "payment_failures_90d", "login_trend", "fee_per_login"]
CATEGORICAL = ["region"]

parser = argparse.ArgumentParser()
parser.add_argument("--data", required=True)
parser.add_argument("--holdout-from", required=True)
parser.add_argument("--model", required=True)
parser.add_argument("--metrics", required=True)
args = parser.parse_args()


def when(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T")).timestamp()


def number(text):
    return float(text) if text not in ("", None) else math.nan


with open(args.data, newline="") as f:
    rows = list(csv.DictReader(f))
split = when(args.holdout_from)
fit = [r for r in rows if when(r["event_timestamp"]) < split]
holdout = [r for r in rows if when(r["event_timestamp"]) >= split]

# Standardize numeric features with the training rows (a missing value becomes the mean), one-hot the region.
raw = np.array([[number(r[c]) for c in NUMERIC] for r in fit])
means = np.nanmean(raw, axis=0)
stds = np.nanstd(raw, axis=0)
stds[stds == 0] = 1
regions = sorted({r["region"] for r in fit if r["region"]})


def encode(part):
    x = np.array([[number(r[c]) for c in NUMERIC] for r in part])
    x = np.where(np.isnan(x), means, x)
    onehot = np.array([[1.0 if r["region"] == g else 0.0 for g in regions] for r in part])
    return np.hstack([(x - means) / stds, onehot])


def label(part):
    return np.array([1 if r["churned"].lower() == "true" else 0 for r in part])


model = LogisticRegression(C=1.0, max_iter=1000)
model.fit(encode(fit), label(fit))
y = label(holdout)
p = model.predict_proba(encode(holdout))[:, 1]
majority = 1 if label(fit).mean() >= 0.5 else 0
metrics = {
    "auc": round(float(roc_auc_score(y, p)), 6),
    "accuracy": round(float(accuracy_score(y, p >= 0.5)), 6),
    "baseline_accuracy": round(float((y == majority).mean()), 6),
    "log_loss": round(float(log_loss(y, p)), 6),
    "rows": int(len(y)),
    "train_rows": int(len(fit)),
}
print(f"sklearn {__import__('sklearn').__version__}: holdout AUC {metrics['auc']}, accuracy {metrics['accuracy']} (baseline {metrics['baseline_accuracy']})")

os.makedirs(args.model, exist_ok=True)
with open(os.path.join(args.model, "model.json"), "w") as f:
    json.dump({"format": "sklearn-logistic-coefficients@1", "numeric": NUMERIC, "means": means.tolist(), "stds": stds.tolist(),
               "regions": regions, "intercept": float(model.intercept_[0]), "coefficients": model.coef_[0].tolist()}, f, indent=2)
with open(args.metrics, "w") as f:
    json.dump(metrics, f, indent=2)
