"""Graders: the Azure OpenAI / OpenAI grader types, checked, and scored without I/O.

- ``config``/``fields``: parse and check grader objects (``parse_grader``, ``scoring_mode``).
- ``templates``: ``{{item.*}}`` / ``{{sample.*}}`` templates (``make_sample``).
- ``formula``: a multi grader's ``calculate_output``, parsed with ``ast``.
- ``python_source``: a python grader's source, compiled but never run.
- ``metrics``: text similarity metrics (rapidfuzz, sacrebleu, rouge-score, NLTK).
- ``scoring``: ``grade``, ``grade_many``, ``combine_multi`` -> ``GradeResult``.
- ``judge``: score_model / label_model requests and replies (``judge_request``, ``parse_judge_reply``).
- ``references``: a grader's ``item`` references against dataset examples.
docs/evaluation.md describes them for users.
"""

from shared.graders.config import (
    EVALUATION,
    JUDGE,
    LOCAL,
    REINFORCEMENT,
    SERVICE,
    Grader,
    parse_grader,
    scoring_mode,
)
from shared.graders.judge import judge_messages, judge_request, judge_request_or_error, parse_judge_reply
from shared.graders.references import check_references, missing_references
from shared.graders.scoring import GradeResult, combine_multi, grade, grade_many
from shared.graders.templates import make_sample

__all__ = [
    "EVALUATION", "JUDGE", "LOCAL", "REINFORCEMENT", "SERVICE", "GradeResult", "Grader", "check_references",
    "combine_multi", "grade", "grade_many", "judge_messages", "judge_request", "judge_request_or_error",
    "make_sample", "missing_references", "parse_grader", "parse_judge_reply", "scoring_mode",
]
