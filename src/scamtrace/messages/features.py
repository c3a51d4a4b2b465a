"""Hashed character n-gram features computed for a whole batch at once with numpy.

Thai is written without spaces between words, so character n-grams (1 to 5) over the
masked text carry the wording in both scripts; a word-boundary marker makes short
English words count as words. The hash is a fixed polynomial over code points (never
Python's salted ``hash()``), so the same text gives the same features in training and at
inference, on any machine, and the shipped weights need no vocabulary.

Features per text are n-gram counts divided by the square root of the text's n-gram total.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

NGRAM_SIZES: tuple[int, ...] = (1, 2, 3, 4, 5)
HASH_BITS = 20  # the widest table any model uses; narrower tables take the top bits
_SEPARATOR = 0  # code point that never occurs in masked text; n-grams may not span it
_ROLL = np.uint64(0x100000001B3)  # FNV-64 prime as the polynomial base
_SPREAD = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing: the top bits are well mixed
_SIZE_SALT = tuple(np.uint64(0xC2B2AE3D27D4EB4F * (size + 1) % 2**64) for size in range(8))


def _code_points(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    joined = "\x00".join(f" {text} " for text in texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    # Position i belongs to text number (separators seen before i).
    doc_of_position = np.zeros(len(codes), dtype=np.int64)
    doc_of_position[1:] = np.cumsum(codes[:-1] == _SEPARATOR)
    return codes, doc_of_position


def letter_counts(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Thai letters and Latin letters per text, counted for the whole batch at once.

    Args:
        texts: masked texts; the Latin letters of their ``⟦token⟧`` markers are not counted.

    Returns:
        (thai, latin): int arrays of len(texts).
    """
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, doc_of_position = _code_points(texts)
    thai = (codes >= 0x0E01) & (codes <= 0x0E4F)
    lower = codes | np.uint64(0x20)
    latin = (lower >= ord("a")) & (lower <= ord("z"))
    markers = codes == ord("⟦")
    n = len(texts)
    latin_count = (np.bincount(doc_of_position, weights=latin, minlength=n)
                   - np.bincount(doc_of_position, weights=markers, minlength=n) * 4)
    return (np.bincount(doc_of_position, weights=thai, minlength=n)[:n].astype(np.int64),
            np.maximum(latin_count[:n], 0).astype(np.int64))


THAI_SCRIPT, LATIN_SCRIPT = 0, 1


def script_sets(texts: Sequence[str]) -> np.ndarray:
    """Which script's model scores each masked text: Thai (0) or Latin (1).

    Thai when more than a fifth of the letters are Thai (the ``th`` and ``mixed``
    languages of :func:`scamtrace.messages.classifier.language_from_counts`); Latin
    otherwise, also for texts without letters.

    Args:
        texts: masked texts.

    Returns:
        (len(texts),) int64 array of 0 and 1.
    """
    return scripts_from_counts(*letter_counts(texts))


def scripts_from_counts(thai: np.ndarray, latin: np.ndarray) -> np.ndarray:
    """:func:`script_sets` from the letter counts of :func:`letter_counts`."""
    return np.where(thai * 4 > latin, THAI_SCRIPT, LATIN_SCRIPT).astype(np.int64)


def hashed_ngrams(texts: Sequence[str], bits: int = HASH_BITS) -> tuple[np.ndarray, np.ndarray]:
    """All character n-grams of every text, as (text index, column) pairs.

    Args:
        texts: masked texts (see :func:`scamtrace.messages.normalise.mask_for_model`).
        bits: log2 of the table size; columns fall in ``[0, 2**bits)``.

    Returns:
        (doc, column): equal-length int64 arrays, one entry per n-gram occurrence.
    """
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, doc_of_position = _code_points(texts)
    is_separator = codes == _SEPARATOR
    docs, columns = [], []
    shift = np.uint64(64 - bits)
    with np.errstate(over="ignore"):
        rolling = np.zeros_like(codes)
        spans_separator = np.zeros(len(codes), dtype=bool)
        for size in NGRAM_SIZES:
            length = len(codes) - size + 1
            if length <= 0:
                break
            rolling = rolling[:length] * _ROLL + codes[size - 1:]
            spans_separator = spans_separator[:length] | is_separator[size - 1:]
            keep = ~spans_separator
            docs.append(doc_of_position[:length][keep])
            columns.append(((rolling[keep] ^ _SIZE_SALT[size]) * _SPREAD) >> shift)
    return np.concatenate(docs), np.concatenate(columns).astype(np.int64)


_WORD_SALT = np.uint64(0x27D4EB2F165667C5)
_PAIR_SALT = np.uint64(0x165667B19E3779F9)
_INVERSE_ROLL = np.uint64(pow(int(_ROLL), -1, 2**64))


def word_ngrams(texts: Sequence[str], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """Latin words and pairs of neighbouring words of every text, hashed.

    A word is a run of Latin letters (with the ``⟦ ⟧`` of masking tokens, so
    ``⟦phone⟧`` is one word) or a run of digits (masked text has only ``0``); Thai
    letters, spaces and punctuation separate words, as ``re.findall(r"[a-z⟦⟧]+|0+")``
    would. Each word and each pair of consecutive words in a text is one entry.

    Args:
        texts: masked (lower-cased) texts.
        bits: log2 of the table size.

    Returns:
        (doc, column): equal-length int64 arrays, words first then pairs.
    """
    if not texts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, doc_of_position = _code_points(texts)
    letter = (((codes >= ord("a")) & (codes <= ord("z"))) | (codes == ord("⟦"))
              | (codes == ord("⟧")))
    digit = codes == ord("0")
    kind = letter.astype(np.int8) + 2 * digit.astype(np.int8)
    inside = kind > 0
    previous = np.concatenate([[0], kind[:-1]])
    following = np.concatenate([kind[1:], [0]])
    starts = np.flatnonzero(inside & (kind != previous))
    ends = np.flatnonzero(inside & (kind != following)) + 1
    if len(starts) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    with np.errstate(over="ignore"):
        # Polynomial hash of each run from prefix sums: sum c_j * R^-j over the run,
        # times R^start, is sum c_j * R^-(j-start), the same for the same word anywhere.
        inverse_powers = np.cumprod(np.full(len(codes), _INVERSE_ROLL, dtype=np.uint64))
        inverse_powers = np.concatenate([[np.uint64(1)], inverse_powers[:-1]])
        prefix = np.concatenate([[np.uint64(0)], np.cumsum(codes * inverse_powers,
                                                           dtype=np.uint64)])
        powers = np.cumprod(np.full(len(codes), _ROLL, dtype=np.uint64))
        powers = np.concatenate([[np.uint64(1)], powers[:-1]])
        words = (prefix[ends] - prefix[starts]) * powers[starts]
        word_docs = doc_of_position[starts]
        same_doc = word_docs[1:] == word_docs[:-1]
        pairs = (words[:-1] * _ROLL + words[1:] * _SPREAD)[same_doc]
        shift = np.uint64(64 - bits)
        columns = np.concatenate([((words ^ _WORD_SALT) * _SPREAD) >> shift,
                                  ((pairs ^ _PAIR_SALT) * _SPREAD) >> shift])
    docs = np.concatenate([word_docs, word_docs[1:][same_doc]])
    return docs.astype(np.int64), columns.astype(np.int64)


def feature_matrix(texts: Sequence[str], bits: int) -> sparse.csr_matrix:
    """Hashed n-gram counts scaled by 1/sqrt(n-grams in the text), shape (n, 2**bits).

    The scaling needs no per-(text, column) grouping, so inference can score with one
    ``bincount`` per class (see :func:`linear_scores`) and match training exactly.

    Args:
        texts: masked texts.
        bits: log2 of the table size.

    Returns:
        A CSR matrix with float32 values.
    """
    docs, columns = hashed_ngrams(texts, bits)
    scale = 1.0 / np.sqrt(np.maximum(np.bincount(docs, minlength=len(texts)), 1))
    matrix = sparse.csr_matrix(
        (scale[docs].astype(np.float32), (docs, columns)), shape=(len(texts), 2**bits),
        dtype=np.float32)
    matrix.sum_duplicates()
    return matrix


def idf_weights(matrix: sparse.csr_matrix) -> np.ndarray:
    """Smoothed inverse document frequency per column, ``log((1+n)/(1+df)) + 1``.

    Training multiplies the columns by it and the exported weights carry it, so
    inference needs no IDF step (the row scaling does not depend on it).

    Args:
        matrix: a training matrix from :func:`feature_matrix`.

    Returns:
        (n_columns,) float32 weights.
    """
    document_frequency = np.bincount(matrix.indices, minlength=matrix.shape[1])
    return (np.log((1 + matrix.shape[0]) / (1 + document_frequency)) + 1).astype(np.float32)


def linear_scores(texts: Sequence[str], weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Decision values ``X @ weights + bias`` without building X.

    Args:
        texts: masked texts.
        weights: (2**bits, n_classes) float array.
        bias: (n_classes,) float array.

    Returns:
        (len(texts), n_classes) float64 scores.
    """
    bits = int(weights.shape[0]).bit_length() - 1
    docs, columns = hashed_ngrams(texts, bits)
    return scores_from_ngrams(docs, columns, bits, len(texts), weights, bias)


def scores_from_ngrams(docs: np.ndarray, columns: np.ndarray, column_bits: int, n_docs: int,
                       weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Decision values from precomputed n-grams, for a table of the same or fewer bits.

    Columns are the top bits of one hash, so a narrower table's column is the wider
    column shifted right: one pass of :func:`hashed_ngrams` serves several models.

    Args:
        docs: text index per n-gram (from :func:`hashed_ngrams`).
        columns: column per n-gram, ``column_bits`` wide (>= the table's bits).
        column_bits: the width the columns were hashed to.
        n_docs: number of texts.
        weights: (2**bits, n_classes) weights; bias: (n_classes,).

    Returns:
        (n_docs, n_classes) float64 scores.
    """
    bits = int(weights.shape[0]).bit_length() - 1
    if column_bits > bits:
        columns = columns >> (column_bits - bits)
    lengths = np.maximum(np.bincount(docs, minlength=n_docs), 1)
    by_class = np.ascontiguousarray(weights.T)
    totals = np.stack([np.bincount(docs, weights=by_class[k][columns], minlength=n_docs)
                       for k in range(by_class.shape[0])], axis=1)
    return totals / np.sqrt(lengths)[:, None] + bias


def tfidf_entries(docs: np.ndarray, columns: np.ndarray, n_docs: int, idf: np.ndarray,
                  column_bits: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sublinear TF-IDF values, L2-normalised per text, of hashed n-gram occurrences.

    Each distinct (text, column) pair gets ``(1 + log count) * idf[column]``; each text's
    values are then divided by their Euclidean norm, as scikit-learn's
    ``TfidfVectorizer(sublinear_tf=True)`` does, so long and short texts weigh alike.

    Args:
        docs: text index per n-gram occurrence (from :func:`hashed_ngrams`).
        columns: column per occurrence, ``column_bits`` wide.
        n_docs: number of texts.
        idf: (2**bits,) inverse document frequencies; the table width follows from it.
        column_bits: the width the columns were hashed to (default: the table's).

    Returns:
        (doc, column, value) of every distinct pair, sorted by doc then column.
    """
    bits = int(idf.shape[0]).bit_length() - 1
    if column_bits is not None and column_bits > bits:
        columns = columns >> (column_bits - bits)
    # CSR construction sums duplicates with a per-row sort: about twice as fast as a
    # global np.unique over (doc, column) keys.
    counts = sparse.csr_matrix((np.ones(len(docs), dtype=np.float64), (docs, columns)),
                               shape=(n_docs, 2**bits))
    counts.sum_duplicates()
    pair_docs = np.repeat(np.arange(n_docs, dtype=np.int64), np.diff(counts.indptr))
    pair_columns = counts.indices.astype(np.int64)
    counts = counts.data
    values = (1.0 + np.log(counts)) * idf[pair_columns]
    norms = np.sqrt(np.bincount(pair_docs, weights=values * values, minlength=n_docs))
    values /= np.maximum(norms, 1e-12)[pair_docs]
    return pair_docs, pair_columns, values


def tfidf_matrix(texts: Sequence[str], idf: np.ndarray) -> sparse.csr_matrix:
    """The (len(texts), len(idf)) sublinear TF-IDF matrix of the texts' char n-grams."""
    bits = int(idf.shape[0]).bit_length() - 1
    return entries_matrix(*hashed_ngrams(texts, bits), len(texts), idf)


def entries_matrix(docs: np.ndarray, columns: np.ndarray, n_docs: int,
                   idf: np.ndarray) -> sparse.csr_matrix:
    """The (n_docs, len(idf)) sublinear TF-IDF matrix of hashed entries (char n-grams,
    words or link tokens), as :func:`tfidf_entries` computes it."""
    rows, cols, values = tfidf_entries(docs, columns, n_docs, idf)
    return sparse.csr_matrix((values.astype(np.float32), (rows, cols)),
                             shape=(n_docs, len(idf)), dtype=np.float32)


def document_idf(texts: Sequence[str], bits: int) -> np.ndarray:
    """Smoothed IDF of every hashed column over ``texts`` (see :func:`idf_weights`).

    Columns no training text has get 0, as a fitted ``TfidfVectorizer`` ignores words
    outside its vocabulary: an n-gram never seen in training has no weight, and must
    not dilute a text's known n-grams through the L2 norm either (counting them cost
    0.005 Thai macro-F1 and 0.006 English spam F1 in the grouped cross-validation).
    """
    return entries_idf(*hashed_ngrams(texts, bits), len(texts), bits)


def tfidf_scores(pair_docs: np.ndarray, pair_columns: np.ndarray, values: np.ndarray,
                 n_docs: int, weights: np.ndarray, bias: np.ndarray,
                 doc_sets: np.ndarray | None = None, n_sets: int = 1) -> np.ndarray:
    """Decision values ``X @ weights + bias`` from :func:`tfidf_entries` output.

    Several linear models over the same columns (one per script, see
    :func:`scamtrace.messages.training.fit_label_model`) sit side by side: weight set
    ``s`` is columns ``s*k .. s*k+k-1`` of ``weights`` and of ``bias``, and ``doc_sets``
    says which set scores each text; a text still costs one gather per class.

    Args:
        pair_docs, pair_columns, values: the TF-IDF entries.
        n_docs: number of texts.
        weights: (2**bits, n_sets * n_classes); bias: (n_sets * n_classes,).
        doc_sets: (n_docs,) weight set of each text; None scores every text with set 0.
        n_sets: how many weight sets ``weights`` holds.

    Returns:
        (n_docs, n_classes) float64 scores.
    """
    by_class = np.ascontiguousarray(weights.T)
    n_classes = by_class.shape[0] // n_sets
    if doc_sets is None or n_sets == 1:
        totals = np.stack([np.bincount(pair_docs, weights=by_class[k][pair_columns] * values,
                                       minlength=n_docs) for k in range(n_classes)], axis=1)
        return totals + bias[:n_classes]
    width = by_class.shape[1]
    flat = by_class.ravel()
    base = doc_sets[pair_docs].astype(np.int64) * (n_classes * width) + pair_columns
    totals = np.stack([np.bincount(pair_docs, weights=flat[base + k * width] * values,
                                   minlength=n_docs) for k in range(n_classes)], axis=1)
    return totals + bias.reshape(n_sets, n_classes)[doc_sets]


def entries_idf(docs: np.ndarray, columns: np.ndarray, n_docs: int, bits: int) -> np.ndarray:
    """:func:`document_idf` of already hashed entries (e.g. :func:`word_ngrams`)."""
    counts = sparse.csr_matrix((np.ones(len(docs), dtype=np.float32), (docs, columns)),
                               shape=(n_docs, 2**bits))
    counts.sum_duplicates()
    idf = idf_weights(counts)
    idf[np.bincount(counts.indices, minlength=2**bits) == 0] = 0.0
    return idf


def log_softmax(scores: np.ndarray) -> np.ndarray:
    """Row-wise log-softmax."""
    shifted = scores - scores.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def combined_scores(char_scores: np.ndarray, word_scores: np.ndarray | None,
                    latin: np.ndarray, temperature: float,
                    latin_temperatures: np.ndarray | None) -> np.ndarray:
    """Calibrated log-scores: their softmax is the label probability of each text.

    Thai-script texts: char-model scores over ``temperature``. Latin-script texts, when
    a word model exists: the char and word models' log-probabilities (each with its own
    temperature) added, over a third temperature: ``latin_temperatures`` = (char, word,
    combined), all fitted out of fold.

    Args:
        char_scores: (n, classes) decision values of the char n-gram models.
        word_scores: (n, classes) decision values of the word model (rows of Thai texts
            are ignored), or None.
        latin: (n,) bool, texts scored by the Latin-script models.
        temperature: the char models' temperature for texts without a word score.
        latin_temperatures: (3,) or None.

    Returns:
        (n, classes) float64.
    """
    out = char_scores / temperature
    if word_scores is None or latin_temperatures is None or not latin.any():
        return out
    char_t, word_t, mixed_t = (float(t) for t in latin_temperatures)
    out[latin] = (log_softmax(char_scores[latin] / char_t)
                  + log_softmax(word_scores[latin] / word_t)) / mixed_t
    return out
