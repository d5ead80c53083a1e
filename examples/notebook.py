# %% [markdown]
# # Scoring a folder of role-play calls with callscore
#
# A walk-through for a training team's notebook: score every transcript in a folder,
# sort a table by score, look at one trainee's scorecard, and chart the pass rate per
# rule. Run it as a script (`python examples/notebook.py`) or open it in Jupyter
# (jupytext reads the `# %%` cells). It needs `pip install ".[pandas]"` from the repo.

# %%
from pathlib import Path

import callscore

folder = Path(__file__).resolve().parent if "__file__" in globals() else Path("examples")
paths = sorted(folder.glob("*.txt"))
texts = [p.read_text(encoding="utf-8") for p in paths]

# Score them all in parallel (the GIL is released while Rust works).
reports = callscore.score_many(texts, sources=[p.name for p in paths])

# %% [markdown]
# ## One row per call, sorted by score

# %%
df = callscore.to_pandas(reports).sort_values("score")
print(df[["source", "score", "passed", "agent", "no-overpromising", "message-taking"]].to_string(index=False))

# %% [markdown]
# ## One trainee's scorecard
# In Jupyter, evaluating `worst` shows the HTML scorecard with the evidence highlighted.

# %%
worst = min(reports, key=lambda r: r.score)
print(worst)
for f in worst.failed():
    quotes = "; ".join(f'line {e.line}: "{e.text}"' for e in f.evidence)
    print(f"- {f.rule}: {f.message}\n    {quotes}\n    tip: {f.tip}")
html = worst._repr_html_()

# %% [markdown]
# ## Pass rate per rule across the cohort (applicable calls only)

# %%
findings = callscore.findings_frame(reports)
applicable = findings[findings.status != "n/a"]
pass_rate = (applicable.status == "pass").groupby(applicable.rule).mean().sort_values()
print(pass_rate.round(2).to_string())
# In a notebook: pass_rate.plot.barh(title="Pass rate per rule")
