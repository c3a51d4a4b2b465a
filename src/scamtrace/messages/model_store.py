"""Save and load the shipped model artifacts: plain numpy arrays, never pickles.

Each model is one ``.npz.gz`` file (an uncompressed ``.npz`` inside gzip, so the
package-data globs ship it) read with ``allow_pickle=False``; loading needs numpy, and
LightGBM for the URL model's trees (stored as LightGBM's own model text), never
scikit-learn. ``SCAMTRACE_MESSAGES_MODEL_DIR`` points at another folder, e.g. the
output of ``scamtrace model train --out DIR``.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from scamtrace.errors import InvalidDataFile

TEXT_MODEL_FILE = "text_model.npz.gz"
URL_MODEL_FILE = "url_model.npz.gz"
PROVENANCE_FILE = "PROVENANCE.json"


@dataclass(frozen=True)
class TextModel:
    """The message classifier: label model and scam-type model over hashed n-grams.

    Attributes:
        labels: class names of the label model (legit, spam, scam).
        idf: (2**bits,) inverse document frequencies of the hashed n-grams.
        weights: (2**bits, script_sets * len(labels)) weights, one model per script
            (Thai, then Latin; see :func:`scamtrace.messages.features.script_sets`);
            bias: (script_sets * len(labels),).
        temperature: divides the scores before the softmax (fitted out of fold).
        scam_types: class names of the scam-type model.
        type_weights: (2**type_bits, len(scam_types)); type_bias: (len(scam_types),).
        script_sets: how many per-script models ``weights`` holds (1 in older files).
        word_idf, word_weights, word_bias: the Latin-script texts' word model, or None.
        latin_temperatures: (char, word, combined) temperatures for Latin-script texts
            (see :func:`scamtrace.messages.features.combined_scores`), or None.
        link_idf, link_weights: the links' content block
            (:mod:`scamtrace.messages.link_features`): (2**link_bits,) and
            (2**link_bits, script_sets * len(labels)), added to the char models' scores;
            None in models without it.
    """

    labels: tuple[str, ...]
    idf: np.ndarray
    weights: np.ndarray
    bias: np.ndarray
    temperature: float
    scam_types: tuple[str, ...]
    type_weights: np.ndarray
    type_bias: np.ndarray
    script_sets: int = 1
    word_idf: np.ndarray | None = None
    word_weights: np.ndarray | None = None
    word_bias: np.ndarray | None = None
    latin_temperatures: np.ndarray | None = None
    link_idf: np.ndarray | None = None
    link_weights: np.ndarray | None = None


@dataclass(frozen=True)
class UrlModel:
    """The lexical URL model: a linear model's weights and the trees stacked on it.

    Attributes:
        gram_weights, token_weights, dense_weights, bias: the linear SVM.
        temperature: turns the SVM score alone into a probability (no trees).
        trees: a LightGBM booster over the SVM score and the measurements, or None.
    """

    gram_weights: np.ndarray
    token_weights: np.ndarray | None
    dense_weights: np.ndarray
    bias: float
    temperature: float
    trees: object | None = None

    def linear_scores(self, urls: Sequence[str]) -> np.ndarray:
        """Decision values of the linear part alone (above 0 leans phishing)."""
        from scamtrace.messages.url_lexical import url_scores

        return url_scores(list(urls), self.gram_weights, self.dense_weights, self.bias,
                          self.token_weights)

    def probabilities(self, urls: Sequence[str]) -> np.ndarray:
        """Phishing probability of each URL."""
        from scamtrace.messages.url_lexical import tree_features

        urls = list(urls)
        if not urls:
            return np.zeros(0)
        linear = self.linear_scores(urls)
        if self.trees is None:
            return 1.0 / (1.0 + np.exp(-linear / self.temperature))
        return np.asarray(self.trees.predict(tree_features(urls, linear)), dtype=np.float64)


def url_model_from_arrays(arrays: dict[str, np.ndarray]) -> UrlModel:
    """Build a :class:`UrlModel` from the arrays written by training."""
    trees = None
    if "trees" in arrays:
        import lightgbm as lgb

        trees = lgb.Booster(model_str=arrays["trees"].astype(np.uint8).tobytes().decode())
    return UrlModel(
        gram_weights=arrays["gram_weights"].astype(np.float32),
        token_weights=(arrays["token_weights"].astype(np.float32)
                       if "token_weights" in arrays else None),
        dense_weights=arrays["dense_weights"].astype(np.float64),
        bias=float(arrays["bias"]),
        temperature=float(arrays["temperature"]),
        trees=trees,
    )


def model_dir() -> Path:
    """The folder the models load from (the package's ``model/`` unless overridden)."""
    override = os.environ.get("SCAMTRACE_MESSAGES_MODEL_DIR")
    if override:
        return Path(override)
    return Path(str(resources.files("scamtrace.messages").joinpath("model")))


def save_arrays(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write named arrays as a gzip'd ``.npz`` (no pickles, float weights as float16)."""
    buffer = io.BytesIO()
    compact = {name: (a.astype(np.float16) if a.dtype.kind == "f" and a.size > 1024 else a)
               for name, a in arrays.items()}
    np.savez(buffer, **compact)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 keeps the file byte-identical for identical weights.
    with gzip.GzipFile(path, "wb", compresslevel=9, mtime=0) as handle:
        handle.write(buffer.getvalue())


def load_arrays(path: Path) -> dict[str, np.ndarray]:
    """Read a file written by :func:`save_arrays`."""
    if not path.is_file():
        raise InvalidDataFile(f"model file {path} not found; run `scamtrace model train`")
    with gzip.open(path, "rb") as handle:
        archive = np.load(io.BytesIO(handle.read()), allow_pickle=False)
        return {name: archive[name] for name in archive.files}


def _optional(arrays: dict[str, np.ndarray], name: str, dtype) -> np.ndarray | None:
    return arrays[name].astype(dtype) if name in arrays else None


def text_model_from_arrays(arrays: dict[str, np.ndarray]) -> TextModel:
    """A :class:`TextModel` from the arrays of ``text_model.npz.gz`` (or of
    :func:`scamtrace.messages.training.fit_label_model`, which has no labels nor
    scam-type model: they default to empty)."""
    empty = np.zeros((0, 0), dtype=np.float32)
    return TextModel(
        labels=tuple(str(x) for x in arrays.get("labels", ())),
        idf=arrays["idf"].astype(np.float64),
        weights=arrays["weights"].astype(np.float32),
        bias=arrays["bias"].astype(np.float64),
        temperature=float(arrays["temperature"]),
        scam_types=tuple(str(x) for x in arrays.get("scam_types", ())),
        type_weights=arrays["type_weights"].astype(np.float32) if "type_weights" in arrays
        else empty,
        type_bias=arrays["type_bias"].astype(np.float64) if "type_bias" in arrays
        else np.zeros(0),
        script_sets=int(arrays.get("script_sets", 1)),
        word_idf=_optional(arrays, "word_idf", np.float64),
        word_weights=_optional(arrays, "word_weights", np.float32),
        word_bias=_optional(arrays, "word_bias", np.float64),
        latin_temperatures=_optional(arrays, "latin_temperatures", np.float64),
        link_idf=_optional(arrays, "link_idf", np.float64),
        link_weights=_optional(arrays, "link_weights", np.float32),
    )


@lru_cache(maxsize=4)
def _load_text_model(folder: str) -> TextModel:
    return text_model_from_arrays(load_arrays(Path(folder) / TEXT_MODEL_FILE))


@lru_cache(maxsize=4)
def _load_url_model(folder: str) -> UrlModel:
    return url_model_from_arrays(load_arrays(Path(folder) / URL_MODEL_FILE))


def load_text_model() -> TextModel:
    """The message classifier from :func:`model_dir` (cached per folder)."""
    return _load_text_model(str(model_dir()))


def load_url_model() -> UrlModel:
    """The lexical URL model from :func:`model_dir` (cached per folder)."""
    return _load_url_model(str(model_dir()))
