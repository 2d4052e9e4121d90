#!/usr/bin/env python3
"""Reference numbers for model/metrics, computed by scikit-learn.

Run from the repository root:

    /usr/bin/python3 model/metrics/testdata/sklearn_fixture.py

It writes model/metrics/testdata/sklearn_report.json, which
TestSklearnFixture reads. `go test` never runs Python.

The inputs are fixed literals built from a seeded random.Random, so the JSON
is reproducible. Labels are strings that sort differently as text and as
numbers ("10" < "2" as text). Class "7" is never predicted, class "0" holds
most of the examples, class "5" is predicted but never true; the second case
also passes labels= with "99", present in neither y_true nor y_pred.
"""
import json
import os
import platform
import random
import sys

import sklearn
from sklearn.metrics import (accuracy_score, confusion_matrix,
                             precision_recall_fscore_support)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sklearn_report.json")


def make_inputs():
    rng = random.Random(20240611)
    # (label, count): "0" dominant, "26" and "7" rare.
    plan = [("0", 60), ("2", 15), ("10", 12), ("26", 4), ("3", 20), ("7", 6)]
    y_true, y_pred = [], []
    for label, count in plan:
        for _ in range(count):
            y_true.append(label)
            u = rng.random()
            if label == "7":
                # never predicted: always confused
                y_pred.append(rng.choice(["0", "3", "5"]))
            elif u < 0.7:
                y_pred.append(label)
            else:
                y_pred.append(rng.choice(["0", "2", "10", "26", "3", "5"]))
    return y_true, y_pred


def numeric_sorted(labels):
    return sorted(labels, key=lambda s: (int(s), s))


def case(name, y_true, y_pred, labels):
    per = precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                          average=None, zero_division=0)
    out = {
        "name": name,
        "labels": labels,
        "y_true": y_true,
        "y_pred": y_pred,
        "accuracy": accuracy_score(y_true, y_pred),
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "per_class": [
            {"label": l, "precision": float(p), "recall": float(r),
             "f1": float(f), "support": int(s)}
            for l, p, r, f, s in zip(labels, *per)
        ],
    }
    for avg in ("micro", "macro", "weighted"):
        p, r, f, _ = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=avg, zero_division=0)
        out[avg + "_precision"] = float(p)
        out[avg + "_recall"] = float(r)
        out[avg + "_f1"] = float(f)
    return out


def main():
    y_true, y_pred = make_inputs()
    observed = numeric_sorted(set(y_true) | set(y_pred))
    doc = {
        "command": "/usr/bin/python3 model/metrics/testdata/sklearn_fixture.py",
        "sklearn_version": sklearn.__version__,
        "python_version": platform.python_version(),
        "calls": "precision_recall_fscore_support(y_true, y_pred, labels=labels, "
                 "average=None|'micro'|'macro'|'weighted', zero_division=0); "
                 "accuracy_score(y_true, y_pred); "
                 "confusion_matrix(y_true, y_pred, labels=labels)",
        "cases": [
            case("observed_labels", y_true, y_pred, observed),
            case("with_absent_label", y_true, y_pred,
                 numeric_sorted(observed + ["99"])),
        ],
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
