"""DataFrames of reports (pandas is optional: `pip install 'callscore[pandas]'`)."""

from __future__ import annotations

from typing import Any, Iterable, List, Union

from ._native import Report, TranscriptError

_HINT = "callscore.to_pandas and findings_frame need pandas: pip install 'callscore[pandas]' (or pip install pandas)"


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as e:  # pragma: no cover - exercised by hiding pandas in a test
        raise ImportError(_HINT) from e
    return pandas


def _items(reports: Union[Report, Iterable[Any]]) -> List[Any]:
    if isinstance(reports, Report):
        return [reports]
    return list(reports)


def to_pandas(reports: Union[Report, Iterable[Union[Report, TranscriptError]]]) -> Any:
    """One row per transcript: source, score, passed, pass_mark, agent, agent_by, the stats,
    and one column per rule holding its status ('pass', 'fail' or 'n/a').

    Items of a `score_many(..., errors="return")` list that are TranscriptError instances
    become rows with an `error` message and no score, so a batch keeps its shape.
    """
    pd = _pandas()
    rows = []
    rule_order: List[str] = []
    for r in _items(reports):
        if isinstance(r, TranscriptError):
            rows.append({"source": getattr(r, "source", None), "score": None, "passed": None, "error": str(r)})
            continue
        if not isinstance(r, Report):
            raise TypeError(f"expected Report objects, got {type(r).__name__}")
        d = r.to_dict()
        row = {
            "source": d["source"],
            "score": d["score"],
            "passed": d["passed"],
            "pass_mark": d["pass_mark"],
            "agent": ", ".join(d["agent"]["speakers"]),
            "agent_by": d["agent"]["by"],
        }
        row.update(d["stats"])
        for f in d["findings"]:
            if f["rule"] not in rule_order:
                rule_order.append(f["rule"])
            row[f["rule"]] = f["status"]
        row["error"] = None
        rows.append(row)
    df = pd.DataFrame(rows)
    front = [c for c in ["source", "score", "passed", "pass_mark", "agent", "agent_by"] if c in df.columns]
    rest = [c for c in df.columns if c not in front and c not in rule_order and c != "error"]
    cols = front + rest + [c for c in rule_order if c in df.columns] + (["error"] if "error" in df.columns else [])
    return df[cols]


def findings_frame(reports: Union[Report, Iterable[Union[Report, TranscriptError]]]) -> Any:
    """One row per finding: source, rule, status, weight, critical, message, tip, missing,
    and its evidence (`evidence`: the quoted words joined with ' | '; `evidence_lines`: their
    source lines; `evidence_items`: the full evidence dicts)."""
    pd = _pandas()
    rows = []
    for r in _items(reports):
        if isinstance(r, TranscriptError):
            continue
        d = r.to_dict()
        for f in d["findings"]:
            ev = f["evidence"]
            rows.append(
                {
                    "source": d["source"],
                    "rule": f["rule"],
                    "status": f["status"],
                    "weight": f["weight"],
                    "critical": f["critical"],
                    "message": f["message"],
                    "tip": f["tip"],
                    "missing": f.get("missing", []),
                    "evidence": " | ".join(e["text"] for e in ev),
                    "evidence_lines": [e["line"] for e in ev],
                    "evidence_items": ev,
                }
            )
    columns = ["source", "rule", "status", "weight", "critical", "message", "tip", "missing", "evidence", "evidence_lines", "evidence_items"]
    return pd.DataFrame(rows, columns=columns)
