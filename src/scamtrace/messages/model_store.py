"""Save and load the shipped model artifacts: plain numpy arrays, never pickles.

Each model is one ``.npz.gz`` file (an uncompressed ``.npz`` inside gzip, so the
package-data globs ship it) read with ``allow_pickle=False``; loading needs numpy only,
no scikit-learn. ``SCAMTRACE_MESSAGES_MODEL_DIR`` points at another folder, e.g. the
output of ``scamtrace model train --out DIR``.
"""

from __future__ import annotations

import gzip
import io
import os
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
        weights: (2**bits, len(labels)) weights; bias: (len(labels),).
        temperature: divides the scores before the softmax (fitted out of fold).
        scam_types: class names of the scam-type model.
        type_weights: (2**type_bits, len(scam_types)); type_bias: (len(scam_types),).
    """

    labels: tuple[str, ...]
    weights: np.ndarray
    bias: np.ndarray
    temperature: float
    scam_types: tuple[str, ...]
    type_weights: np.ndarray
    type_bias: np.ndarray


@dataclass(frozen=True)
class UrlModel:
    """The lexical URL model: hashed n-gram weights, dense weights, bias, temperature."""

    gram_weights: np.ndarray
    dense_weights: np.ndarray
    bias: float
    temperature: float


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


@lru_cache(maxsize=4)
def _load_text_model(folder: str) -> TextModel:
    arrays = load_arrays(Path(folder) / TEXT_MODEL_FILE)
    return TextModel(
        labels=tuple(str(x) for x in arrays["labels"]),
        weights=arrays["weights"].astype(np.float32),
        bias=arrays["bias"].astype(np.float64),
        temperature=float(arrays["temperature"]),
        scam_types=tuple(str(x) for x in arrays["scam_types"]),
        type_weights=arrays["type_weights"].astype(np.float32),
        type_bias=arrays["type_bias"].astype(np.float64),
    )


@lru_cache(maxsize=4)
def _load_url_model(folder: str) -> UrlModel:
    arrays = load_arrays(Path(folder) / URL_MODEL_FILE)
    return UrlModel(
        gram_weights=arrays["gram_weights"].astype(np.float32),
        dense_weights=arrays["dense_weights"].astype(np.float64),
        bias=float(arrays["bias"]),
        temperature=float(arrays["temperature"]),
    )


def load_text_model() -> TextModel:
    """The message classifier from :func:`model_dir` (cached per folder)."""
    return _load_text_model(str(model_dir()))


def load_url_model() -> UrlModel:
    """The lexical URL model from :func:`model_dir` (cached per folder)."""
    return _load_url_model(str(model_dir()))
