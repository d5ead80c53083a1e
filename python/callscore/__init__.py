"""callscore: score transcribed phone calls against call-etiquette rules.

Every verdict points at the exact words behind it and carries a coaching tip.

    >>> import callscore
    >>> r = callscore.score("Agent: Good morning, Acme, Jo speaking.\\nCustomer: Hi.\\nAgent: Thanks, bye!")
    >>> r.score, r.passed
    (100.0, True)

Functions: score, score_file, score_many, parse, rules, to_pandas, findings_frame.
Classes: Report, Finding, Evidence, Transcript, Turn, Event, RuleInfo, Ruleset (rule packs:
Ruleset.from_file("pack.toml"), then rules= on every scoring function).
Exceptions: CallscoreError (base), TranscriptError (also a ValueError; .kind, .line),
PackError (an invalid rule pack; .file, .line, .column).
The engine is Rust (the `callscore` crate); this package converts and delegates.
"""

from ._native import (
    SCHEMA_VERSION,
    CallscoreError,
    Event,
    PackError,
    Evidence,
    Finding,
    Report,
    RuleInfo,
    Ruleset,
    Transcript,
    TranscriptError,
    Turn,
    __version__,
    parse,
    rules,
    score,
    score_file,
    score_many,
)
from ._frames import findings_frame, to_pandas

__all__ = [
    "SCHEMA_VERSION",
    "CallscoreError",
    "Event",
    "Evidence",
    "PackError",
    "Finding",
    "Report",
    "RuleInfo",
    "Ruleset",
    "Transcript",
    "TranscriptError",
    "Turn",
    "__version__",
    "findings_frame",
    "parse",
    "rules",
    "score",
    "score_file",
    "score_many",
    "to_pandas",
]
