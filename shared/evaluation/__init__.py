"""Evaluation: eval examples, settings, statistics, the quality gate and its reports (no I/O).

- ``examples``: a dataset line as an eval example by format; seeded reservoir sampling.
- ``settings``: ``parse_evaluation_settings`` for finetune.json's ``evaluation``.
- ``stats``: bootstrap intervals, per-model summaries, paired differences (numpy).
- ``outcomes``: per-example outcomes and per-grader figures.
- ``gate``: the decision and its one-sentence reason.
- ``report`` / ``chart``: eval.json, eval.csv, eval.svg.
docs/evaluation.md describes them for users.
"""

from shared.evaluation.chart import eval_svg
from shared.evaluation.examples import (
    EvalExample,
    EvalExampleError,
    eval_example,
    numbered_lines,
    sample_lines,
)
from shared.evaluation.gate import Decision, decide
from shared.evaluation.outcomes import BASELINE, CANDIDATE, ExampleOutcome, GraderFigures, summarize
from shared.evaluation.report import (
    EvalReport,
    eval_csv,
    eval_json,
    eval_report,
    evaluation_summary,
    read_eval_csv,
)
from shared.evaluation.settings import (
    DEFAULT_GRADERS,
    EvaluationDefaults,
    EvaluationSettings,
    parse_evaluation_settings,
)

__all__ = [
    "BASELINE", "CANDIDATE", "DEFAULT_GRADERS", "Decision", "EvalExample", "EvalExampleError", "EvalReport",
    "EvaluationDefaults", "EvaluationSettings", "ExampleOutcome", "GraderFigures", "decide", "eval_csv",
    "eval_example", "eval_json", "eval_report", "eval_svg", "evaluation_summary", "numbered_lines",
    "parse_evaluation_settings", "read_eval_csv", "sample_lines", "summarize",
]
