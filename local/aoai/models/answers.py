"""How emulated models answer a chat request: deterministic, and shaped by what a model was trained on.

* A base model answers with a generic reply built from the question's topic (never from any data).
* A fine-tuned model answers with the answer of the learned example whose prompt is most similar to
  the request (IDF-weighted overlap of content words of the user turns; ties go to the earlier
  example). Below `MATCH_THRESHOLD` it answers as its base model would, in the learned style: the
  answer it was trained to give most of the time when one answer dominates its training data,
  else the base reply cut to the length its training answers had.
docs/emulator.md "How models answer" describes the same rules for users.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from local.aoai.models.learning import Pair

MATCH_THRESHOLD = 0.3
DOMINANT_SHARE = 0.5  # one answer given for at least half of the examples: the model repeats it
MIN_STYLE_WORDS = 12
WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "by", "can", "could", "did", "do", "does", "for",
    "from", "has", "have", "how", "i", "in", "is", "it", "its", "me", "my", "of", "on", "or", "please",
    "should", "that", "the", "their", "there", "this", "to", "was", "what", "whats", "when", "where",
    "which", "who", "why", "will", "with", "would", "you", "your", "explain", "tell", "describe",
    "about", "mean", "means", "meant",
))
# Leads of a question asking what something is: the rest of the question is its topic.
DEFINITION_LEAD = re.compile(
    r"^\s*(?:what(?:'s| is| are)|(?:can|could) you (?:explain|tell me|describe)(?: what)?(?: is| are)?|"
    r"tell me (?:about|what)(?: is| are)?|explain|describe)\s+",
    re.IGNORECASE,
)
QUESTION_WORDS = re.compile(
    r"^(?:how|why|when|where|which|who|can|could|should|would|is|are|do|does)\b", re.IGNORECASE
)


def content_words(text: str) -> list[str]:
    """Lower-case words of `text` without stop words; a plural 's' is dropped ('keys' -> 'key')."""
    words = (w for w in WORD.findall(text.lower()) if w not in STOPWORDS)
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def topic_of(question: str) -> str:
    """What a 'what is X?' question asks about ('X'); '' for other questions."""
    lead = DEFINITION_LEAD.match(question)
    topic = question[lead.end():].strip().rstrip("?.! ") if lead else ""
    if QUESTION_WORDS.match(topic):
        return ""
    topic = re.sub(r"(?:\s+(?:is|are|do|does|mean|for|used))+$", "", topic, flags=re.IGNORECASE)
    topic = re.sub(r"^(?:a|an|the)\s+", "", topic, flags=re.IGNORECASE)
    return " ".join(topic.split()[:12])


def base_reply(question: str) -> str:
    """What a base model answers: a generic reply naming the question's topic (or its key words)."""
    topic = topic_of(question)
    if topic:
        return (f"{topic[0].upper()}{topic[1:]} is part of Microsoft Azure. Ask me about a specific feature "
                f"of {topic}, and I will go into the details.")
    keywords = [w for w in dict.fromkeys(WORD.findall(question.lower())) if w not in STOPWORDS][:5]
    if not keywords:
        return "I can answer questions about Azure. Ask me about a specific service or feature."
    return (f"That is a question about {', '.join(keywords)}. I can give general guidance on Azure; ask me "
            "about a specific service or feature for details.")


@dataclass
class LearnedModel:
    """A fine-tuned model's learned examples, indexed for similarity."""

    pairs: Sequence[Pair]

    def __post_init__(self) -> None:
        self._words = [set(content_words(p.prompt)) for p in self.pairs]
        frequency = Counter(w for words in self._words for w in words)
        total = max(1, len(self.pairs))
        self._idf = {w: math.log(1 + total / count) for w, count in frequency.items()}
        answers = Counter(p.answer for p in self.pairs)
        top, count = answers.most_common(1)[0] if answers else ("", 0)
        self._dominant = top if count and count >= DOMINANT_SHARE * total else None
        lengths = [len(p.answer.split()) for p in self.pairs]
        self._style_words = max(MIN_STYLE_WORDS, int(statistics.median(lengths))) if lengths else 0

    def _weight(self, word: str) -> float:
        return self._idf.get(word, math.log(1 + max(1, len(self.pairs))))  # unseen words weigh most

    def best_match(self, question: str) -> tuple[int, float] | None:
        """(index, similarity) of the most similar learned prompt; None without learned examples."""
        asked = set(content_words(question))
        best: tuple[int, float] | None = None
        for index, words in enumerate(self._words):
            union = sum(self._weight(w) for w in asked | words)
            score = sum(self._weight(w) for w in asked & words) / union if union else 0.0
            if best is None or score > best[1]:
                best = (index, score)
        return best

    def answer(self, question: str) -> str:
        match = self.best_match(question)
        if match is not None and match[1] >= MATCH_THRESHOLD:
            return self.pairs[match[0]].answer
        if self._dominant is not None:
            return self._dominant
        words = base_reply(question).split()
        if self._style_words and len(words) > self._style_words:
            return " ".join(words[: self._style_words]).rstrip(",;:") + "."
        return " ".join(words)


def last_user_text(messages: Sequence[object]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def user_turns(messages: Sequence[object]) -> str:
    return " ".join(
        last_user_text([m]) for m in messages if isinstance(m, dict) and m.get("role") == "user"
    )
