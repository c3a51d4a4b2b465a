"""Classify messages: legit / spam / scam, a scam type, calibrated scores, language, indicators.

The label model scores masked text (links removed, numbers and codes replaced by tokens,
see :func:`scamtrace.messages.normalise.model_text`) and, in a block of its own, what
the links say (their names and suffixes, :mod:`scamtrace.messages.link_features`),
trained so that the mere presence of a link is no evidence: a bank's real notice with a
link stays legit, a scam is recognised by its wording and by names like
``kbank-verify.top``. The links are also judged on their own
(:mod:`scamtrace.messages.urls`). Scores are a softmax of the SVM decision values
divided by a temperature fitted out of fold: a score of 0.9 is right about nine times
in ten on held-out data. The scam type comes from the cue lexicons when
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
from scamtrace.messages.link_features import link_columns
from scamtrace.messages.model_store import TextModel, load_text_model
from scamtrace.messages.normalise import deobfuscated_pair, model_text_and_links
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


def label_log_scores(model: TextModel, masked: Sequence[str],
                     links: Sequence[Sequence[str]] | None = None) -> LabelScores:
    """Calibrated log-scores of the label model for texts already masked.

    The one scoring path of the label model: :func:`classify_texts` and
    :func:`scamtrace.messages.training.label_scores` (cross-validation) both use it.

    Args:
        model: the label model (:func:`scamtrace.messages.model_store.load_text_model`,
            or :func:`~scamtrace.messages.model_store.text_model_from_arrays`).
        masked: texts from :func:`scamtrace.messages.normalise.model_text`.
        links: the links each text had (from
            :func:`~scamtrace.messages.normalise.model_text_and_links`); None, or a
            model without a link block, scores the wording alone.

    Returns:
        The scores (softmax them for probabilities; the argmax is the label) and what
        the caller may reuse: the char n-grams and the letter counts.
    """
    n_texts = len(masked)
    bits = int(model.weights.shape[0]).bit_length() - 1
    docs, columns = hashed_ngrams(masked, bits)
    entries = tfidf_entries(docs, columns, n_texts, model.idf, bits)
    thai_letters, latin_letters = letter_counts(masked)
    # One model per script: Thai when more than a fifth of the letters are Thai.
    scripts = scripts_from_counts(thai_letters, latin_letters)
    char_scores = tfidf_scores(*entries, n_texts, model.weights, model.bias, scripts,
                               model.script_sets)
    if model.link_weights is not None and links is not None:
        link_bits = int(model.link_idf.shape[0]).bit_length() - 1
        link_docs, link_cols = link_columns(links, link_bits)
        if len(link_docs):
            # The links' content: a block of its own, added to the char models' scores.
            char_scores += tfidf_scores(
                *tfidf_entries(link_docs, link_cols, n_texts, model.link_idf), n_texts,
                model.link_weights, np.zeros(model.link_weights.shape[1]), scripts,
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
    scores = combined_scores(char_scores, word_scores, latin, model.temperature,
                             model.latin_temperatures)
    return LabelScores(scores, docs, columns, bits, thai_letters, latin_letters)


@dataclass
class LabelScores:
    """What :func:`label_log_scores` computed: ``scores`` (n, classes), the char n-grams
    (``docs``, ``columns``, hashed to ``bits``) and the letter counts per text."""

    scores: np.ndarray
    docs: np.ndarray
    columns: np.ndarray
    bits: int
    thai_letters: np.ndarray
    latin_letters: np.ndarray


def classify_texts(texts: Sequence[str], *, with_indicators: bool = True) -> list[MessageResult]:
    """Classify many messages at once (the models score the whole batch together).

    Args:
        texts: messages as received (Thai, English or mixed).
        with_indicators: also extract indicators from every message.

    Returns:
        One :class:`MessageResult` per text, in order.
    """
    model = load_text_model()
    masked, links, plain = [], [], []
    for text in texts:
        # Folding and spelled-out separators are undone once for the model and extraction.
        for_model, for_extraction = deobfuscated_pair(text or "")
        text_masked, text_links = model_text_and_links(text or "", deobfuscated=for_model)
        masked.append(text_masked)
        links.append(text_links)
        plain.append(for_extraction)
    scored = label_log_scores(model, masked, links)
    docs, columns, bits = scored.docs, scored.columns, scored.bits
    thai_letters, latin_letters = scored.thai_letters, scored.latin_letters
    probabilities = _softmax(scored.scores)
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
            indicators=(extract_indicators(text or "", deobfuscated=plain[i])
                        if with_indicators else []),
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
