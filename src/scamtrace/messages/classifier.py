"""Classify messages: legit / spam / scam, a scam type, calibrated scores, language, indicators.

The label model scores masked text (links removed, numbers and codes replaced by tokens,
see :func:`scamtrace.messages.normalise.model_text`), so a link is never evidence by
itself: a bank's real notice with a link stays legit and a scam is recognised by its
wording; the links are judged separately (:mod:`scamtrace.messages.urls`). Scores are a softmax of the
SVM decision values divided by a temperature fitted out of fold: a score of 0.9 is right
about nine times in ten on held-out data. The scam type comes from the cue lexicons when
one type clearly dominates and from the type model otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from scamtrace.messages.extract import Indicator, extract_indicators
from scamtrace.messages.features import (
    LATIN_SCRIPT,
    combined_scores,
    hashed_ngrams,
    letter_counts,
    scores_from_ngrams,
    scripts_from_counts,
    tfidf_entries,
    tfidf_scores,
    word_ngrams,
)
from scamtrace.messages.model_store import load_text_model
from scamtrace.messages.normalise import model_text
from scamtrace.messages.scam_types import cue_type


@dataclass
class MessageResult:
    """What the classifier says about one message.

    Attributes:
        label: ``legit``, ``spam`` or ``scam``.
        scam_type: one of :data:`scamtrace.messages.scam_types.SCAM_TYPES` when scam.
        score: calibrated probability of ``label``.
        scores: calibrated probability of every label.
        language: ``th``, ``en``, ``mixed`` or ``unknown``.
        indicators: identifiers found in the text, canonical.
    """

    label: str
    scam_type: str | None
    score: float
    scores: dict[str, float]
    language: str
    indicators: list[Indicator] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The mapping written by ``scamtrace classify`` (one JSON line per message)."""
        return {
            "label": self.label,
            "scam_type": self.scam_type,
            "score": round(self.score, 4),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "language": self.language,
            "indicators": [i.to_dict() for i in self.indicators],
        }


def language_from_counts(thai: int, latin: int) -> str:
    """``th``, ``en``, ``mixed`` or ``unknown`` from the Thai and Latin letter counts.

    Args:
        thai: Thai letters in the text.
        latin: Latin letters in the text (outside masking tokens).

    Returns:
        ``th`` (80 % Thai or more), ``en`` (20 % or less), ``mixed``, or ``unknown``.
    """
    if thai + latin == 0:
        return "unknown"
    share = thai / (thai + latin)
    if share >= 0.8:
        return "th"
    return "en" if share <= 0.2 else "mixed"


def detect_language(masked: str) -> str:
    """The language of one masked text (see :func:`language_from_counts`)."""
    thai, latin = letter_counts([masked])
    return language_from_counts(int(thai[0]), int(latin[0]))


def _softmax(scores: np.ndarray) -> np.ndarray:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def classify_texts(texts: Sequence[str], *, with_indicators: bool = True) -> list[MessageResult]:
    """Classify many messages at once (the models score the whole batch together).

    Args:
        texts: messages as received (Thai, English or mixed).
        with_indicators: also extract indicators from every message.

    Returns:
        One :class:`MessageResult` per text, in order.
    """
    model = load_text_model()
    masked = [model_text(text or "") for text in texts]
    bits = int(model.weights.shape[0]).bit_length() - 1
    docs, columns = hashed_ngrams(masked, bits)
    entries = tfidf_entries(docs, columns, len(masked), model.idf, bits)
    thai_letters, latin_letters = letter_counts(masked)
    # One model per script: Thai when more than a fifth of the letters are Thai.
    scripts = scripts_from_counts(thai_letters, latin_letters)
    char_scores = tfidf_scores(*entries, len(masked), model.weights, model.bias, scripts,
                               model.script_sets)
    latin = scripts == LATIN_SCRIPT
    word_scores = None
    if model.word_weights is not None and latin.any():
        # Latin-script texts also get the word model (words and word pairs).
        rows = np.flatnonzero(latin)
        word_bits = int(model.word_idf.shape[0]).bit_length() - 1
        word_docs, word_columns = word_ngrams([masked[i] for i in rows], word_bits)
        word_scores = np.zeros_like(char_scores)
        word_scores[rows] = tfidf_scores(
            *tfidf_entries(word_docs, word_columns, len(rows), model.word_idf), len(rows),
            model.word_weights, model.word_bias)
    probabilities = _softmax(combined_scores(char_scores, word_scores, latin,
                                             model.temperature, model.latin_temperatures))
    labels = probabilities.argmax(axis=1)
    scam_index = model.labels.index("scam")
    scam_rows = [i for i, label in enumerate(labels) if label == scam_index]
    types: dict[int, str] = {}
    if scam_rows:
        # The type model reuses the label model's n-grams (narrower table = top bits).
        keep = (labels == scam_index)[docs]
        type_scores = scores_from_ngrams(docs[keep], columns[keep], bits, len(masked),
                                         model.type_weights, model.type_bias)
        for row in scam_rows:
            types[row] = cue_type(masked[row]) or model.scam_types[int(type_scores[row].argmax())]
    results = []
    for i, text in enumerate(texts):
        results.append(MessageResult(
            label=model.labels[labels[i]],
            scam_type=types.get(i),
            score=float(probabilities[i, labels[i]]),
            scores={name: float(p) for name, p in zip(model.labels, probabilities[i])},
            language=language_from_counts(int(thai_letters[i]), int(latin_letters[i])),
            indicators=extract_indicators(text or "") if with_indicators else [],
        ))
    return results


def classify_text(text: str) -> MessageResult:
    """Classify one message.

    Args:
        text: the message as received.

    Returns:
        The :class:`MessageResult`.

    Examples:
        >>> classify_text("รหัส OTP ของคุณคือ 123456 ห้ามบอกผู้อื่น").label
        'legit'
    """
    return classify_texts([text])[0]
