# Cairn's Python model worker. `cairn models serve --allow-unsafe` starts it with the system's
# python3 (as an argv array, no shell) and speaks JSON lines over stdio:
#   {"id": 1, "op": "load", "format": "sklearn-pickle", "path": "/tmp/model"}   -> {"id": 1, "ok": true}
#   {"id": 2, "op": "predict", "columns": ["a", "b"], "rows": [[1, 2]]}          -> {"id": 2, "ok": true, "predictions": [...]}
# A failure answers {"id": n, "ok": false, "error": "...", "missing_module": "sklearn" | null}.
# Loading a pickle runs code: this process exists so that only an operator's explicit flag does that.
import json
import os
import pickle
import sys
import traceback

model = None
kind = None


def answer(obj):
    sys.stdout.write(json.dumps(obj, default=plain) + "\n")
    sys.stdout.flush()


def plain(v):
    if hasattr(v, "tolist"):
        return v.tolist()
    if hasattr(v, "item"):
        return v.item()
    return str(v)


def find(path, suffixes):
    found = []
    for root, _dirs, files in os.walk(path):
        for f in files:
            if f.lower().endswith(suffixes):
                found.append(os.path.join(root, f))
    return sorted(found)


def load(fmt, path):
    global model, kind
    # Code a pickle refers to may ship with the model (MLflow's code paths do the same).
    sys.path.insert(0, path)
    if fmt == "mlflow-pyfunc":
        import mlflow.pyfunc  # noqa: the operator's environment provides it
        model = mlflow.pyfunc.load_model(path)
        kind = "pyfunc"
        return
    files = find(path, (".pkl", ".pickle", ".joblib", ".cloudpickle"))
    if not files:
        raise ValueError("the version holds no .pkl, .pickle or .joblib file")
    f = files[0]
    if f.endswith(".joblib"):
        import joblib
        model = joblib.load(f)
    else:
        with open(f, "rb") as fh:
            model = pickle.load(fh)
    kind = "sklearn"


def frame(columns, rows):
    try:
        import pandas as pd
        return pd.DataFrame(rows, columns=columns) if columns is not None else pd.DataFrame(rows)
    except ImportError:
        return rows


def predict(columns, rows):
    if kind == "pyfunc":
        return model.predict(frame(columns, rows))
    x = rows
    try:
        import numpy as np
        x = np.asarray(rows, dtype=object if any(isinstance(v, str) for r in rows for v in r) else float)
    except ImportError:
        pass
    return model.predict(x)


def main():
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        req = json.loads(line)
        rid = req.get("id")
        try:
            if req["op"] == "load":
                load(req["format"], req["path"])
                answer({"id": rid, "ok": True})
            elif req["op"] == "predict":
                out = predict(req.get("columns"), req["rows"])
                answer({"id": rid, "ok": True, "predictions": plain(out) if not isinstance(out, list) else out})
            else:
                answer({"id": rid, "ok": False, "error": "unknown op %r" % req["op"], "missing_module": None})
        except ModuleNotFoundError as e:
            answer({"id": rid, "ok": False, "error": str(e), "missing_module": e.name})
        except Exception as e:  # the model's own failure: reported, the worker stays up
            answer({"id": rid, "ok": False, "error": "%s: %s" % (type(e).__name__, e), "missing_module": None,
                    "trace": traceback.format_exc()[-2000:]})


if __name__ == "__main__":
    main()
