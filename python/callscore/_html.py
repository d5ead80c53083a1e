"""The notebook scorecard (`Report._repr_html_`). Every piece of transcript text is escaped."""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Tuple

_MARK = {"pass": ("&#10003;", "#1a7f37"), "fail": ("&#10007;", "#cf222e"), "n/a": ("&ndash;", "#6e7781")}


def _highlight(text: str, spans: List[Tuple[int, int, str, str]]) -> str:
    """Escape `text`, wrapping each (start, end, status, title) span in <mark>."""
    spans = sorted((s for s in spans if 0 <= s[0] < s[1] <= len(text)), key=lambda s: (s[0], -s[1]))
    out, pos = [], 0
    for start, end, status, title in spans:
        if start < pos:  # overlapping evidence: keep the first
            continue
        out.append(escape(text[pos:start]))
        color = "#ffd7d5" if status == "fail" else "#d2f4d3"
        out.append(f'<mark style="background:{color}" title="{escape(title)}">{escape(text[start:end])}</mark>')
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out)


def render(report: Any) -> str:
    d: Dict[str, Any] = report.to_dict()
    ok = d["passed"]
    badge = f'<span style="color:{"#1a7f37" if ok else "#cf222e"};font-weight:bold">{"PASS" if ok else "FAIL"}</span>'
    src = f"<div><b>{escape(str(d['source']))}</b></div>" if d.get("source") else ""
    agent = escape(", ".join(d["agent"]["speakers"]))
    parts = [
        '<div class="callscore-report" style="font-family:sans-serif">',
        src,
        f'<div style="font-size:1.4em">{d["score"]:.1f} / 100 {badge} <span style="color:#6e7781;font-size:0.7em">(pass mark {d["pass_mark"]:g})</span></div>',
        f"<div>Agent: {agent} (by {escape(d['agent']['by'])})</div>",
        '<table><thead><tr><th></th><th style="text-align:left">rule</th><th>weight</th><th style="text-align:left">finding</th></tr></thead><tbody>',
    ]
    spans: Dict[int, List[Tuple[int, int, str, str]]] = {}
    for f in d["findings"]:
        sym, color = _MARK.get(f["status"], ("?", "#000"))
        crit = " <small>(critical)</small>" if f["critical"] else ""
        tip = f"<br><small><i>Tip: {escape(f['tip'])}</i></small>" if f["status"] == "fail" else ""
        parts.append(
            f'<tr><td style="color:{color};font-weight:bold" title="{escape(f["status"])}">{sym}</td>'
            f"<td>{escape(f['rule'])}{crit}</td><td>{f['weight']}</td><td>{escape(f['message'])}{tip}</td></tr>"
        )
        if f["status"] in ("pass", "fail"):
            for e in f["evidence"]:
                if e["turn"] is not None:
                    spans.setdefault(e["turn"], []).append((e["start"], e["end"], f["status"], f["rule"]))
    parts.append("</tbody></table>")
    t = report.transcript
    if t is not None:
        parts.append('<div style="margin-top:0.5em">')
        events = {}
        for ev in t.events:
            events.setdefault(ev.after_turns, []).append(ev)
        for i, turn in enumerate(t.turns):
            for ev in events.get(i, []):
                parts.append(f'<div style="color:#6e7781"><i>[{escape(ev.text)}]</i></div>')
            who = "font-weight:bold" if turn.role == "agent" else ""
            parts.append(
                f'<div><span style="{who}">{escape(turn.speaker)}:</span> {_highlight(turn.text, spans.get(i, []))}</div>'
            )
        for ev in events.get(len(t.turns), []):
            parts.append(f'<div style="color:#6e7781"><i>[{escape(ev.text)}]</i></div>')
        parts.append("</div>")
    else:
        parts.append("<div><small>(transcript not available: report loaded from JSON)</small></div>")
    parts.append("</div>")
    return "".join(parts)
