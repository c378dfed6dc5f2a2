"""Chat completions of a deployment: rate limit, the model's answer (answers.py) and real token usage."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from local.aoai.config import Timings
from local.aoai.errors import EmulatorError, aoai_error
from local.aoai.models.answers import LearnedModel, base_reply, last_user_text, user_turns
from local.aoai.models.catalog import BASE_MODELS, base_model
from local.aoai.models.deployments import DeploymentRecord
from local.aoai.models.jobs import JobsModel
from local.aoai.models.learning import Pair
from local.aoai.models.rate_limits import RateLimiter
from local.aoai.models.tokenizer import Counter

RATE_LIMITED = (
    "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version {version} have "
    "exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after {seconds} "
    "seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase "
    "the default rate limit."
)
MAX_CHAIN = 20  # fine-tuned parents followed when collecting what a model learned


class Inference:
    """Answers chat requests for the deployments of one resource."""

    def __init__(self, jobs: JobsModel, timings: Timings) -> None:
        self.jobs = jobs
        self.timings = timings
        self.limiter = RateLimiter()
        self._learned: dict[str, LearnedModel] = {}

    def clear(self) -> None:
        self.limiter.clear()
        self._learned.clear()

    def admit(self, deployment: DeploymentRecord, api_version: str, now: float) -> None:
        """Raise the service's 429 (with Retry-After) when the deployment's request rate is exceeded."""
        wait = self.limiter.take(
            deployment.name, deployment.capacity, self.timings.requests_per_minute_per_capacity, now
        )
        if wait is not None:
            message = RATE_LIMITED.format(version=api_version, seconds=wait)
            body = {"error": {"code": "429", "message": message}}
            raise EmulatorError(429, body, {"Retry-After": str(wait)})

    def learned_pairs(self, model: str) -> list[Pair]:
        """What `model` learned: its job's examples, then its fine-tuned parents' (newest first)."""
        pairs: list[Pair] = []
        for _ in range(MAX_CHAIN):
            job = self.jobs.job_of_model(model)
            if job is None:
                break
            digest = self.jobs.learned.get(job.id)
            pairs += digest.pairs if digest else []
            model = job.model
        return pairs

    def reply(self, model: str, messages: list[Any]) -> str:
        if model in BASE_MODELS:
            return base_reply(last_user_text(messages))
        learned = self._learned.get(model)
        if learned is None:
            learned = self._learned[model] = LearnedModel(self.learned_pairs(model))
        return learned.answer(user_turns(messages))

    def complete(self, deployment: DeploymentRecord, body: dict[str, Any], now: float) -> dict[str, Any]:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise aoai_error(400, "invalidPayload", "'messages' must be a non-empty list.", "messages")
        model = deployment.model_name
        counter = Counter((base_model(model) or BASE_MODELS["gpt-4o-mini"]).encoding)
        reply, finish = self.reply(model, messages), "stop"
        tokens = counter.encoding.encode_ordinary(reply)
        limit = body.get("max_completion_tokens") or body.get("max_tokens")
        if isinstance(limit, int) and not isinstance(limit, bool) and 0 < limit < len(tokens):
            tokens, finish = tokens[:limit], "length"
            reply = counter.encoding.decode(tokens)
        prompt_tokens = counter.prompt(messages)
        digest = hashlib.sha256(json.dumps([model, messages], sort_keys=True).encode()).hexdigest()
        return {
            "id": f"chatcmpl-{digest[:29]}",
            "object": "chat.completion",
            "created": int(now),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": finish,
                    "logprobs": None,
                    "message": {"role": "assistant", "content": reply, "refusal": None},
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": len(tokens),
                "total_tokens": prompt_tokens + len(tokens),
            },
            "system_fingerprint": "fp_" + hashlib.sha256(model.encode()).hexdigest()[:10],
        }
