"""Train the shipped message classifier, scam-type model and lexical URL model.

Training data (``scamtrace model train``):

* ../shared/data/thai-sms-ssivakorn and uci-sms-spam, deduplicated and mapped to the
  project's label map (:mod:`scamtrace.messages.datasets`);
* the simulator's message templates (:mod:`scamtrace.simulate.texts_scam` and
  ``texts_legit``), rendered with neutral slot values: the only typed scam examples,
  and the bank, courier and agency impersonations the public sets lack;
* ../shared/data/url-hannousse-11430 URL strings for the URL model.

Linear SVMs fit on hashed n-grams; a temperature fitted on out-of-fold decision values
turns their scores into calibrated probabilities (Guo et al. 2017, temperature scaling).
The URL model stacks gradient-boosted trees on the SVM's out-of-fold score and the
lexical measurements. :func:`fit_label_model` and :func:`fit_url_model` are the exact
pipelines that :mod:`scamtrace.messages.cross_validation` and bench/bench_messages.py
cross-validate.
"""

from __future__ import annotations

import datetime as dt
import json
import string
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from scamtrace.messages import datasets
from scamtrace.messages.features import (
    LATIN_SCRIPT,
    THAI_SCRIPT,
    document_idf,
    entries_idf,
    entries_matrix,
    feature_matrix,
    log_softmax,
    script_sets,
    tfidf_matrix,
    word_ngrams,
)
from scamtrace.messages.link_features import (
    AUGMENT_WEIGHT,
    LINK_BITS,
    augmented_rows,
    benign_host_groups,
    link_columns,
)
from scamtrace.messages.model_store import (
    PROVENANCE_FILE,
    TEXT_MODEL_FILE,
    URL_MODEL_FILE,
    save_arrays,
    text_model_from_arrays,
)
from scamtrace.messages.normalise import model_text_and_links
from scamtrace.messages.scam_types import SCAM_TYPES, cue_type
from scamtrace.messages.url_lexical import (
    DENSE_NAMES,
    SHAPE_NAMES,
    tree_features,
    url_feature_matrix,
)

TEXT_BITS = 20
WORD_BITS = 20
TYPE_BITS = 16
URL_BITS = 18
URL_TOKEN_BITS = 17
_SLOT_VALUES = {
    "url": "https://example-link.com/x", "amount": "5,000", "fee": "35", "line": "@abc123",
    "brand": "Brand", "bank": "KBank", "courier": "Kerry", "phone": "081-234-5678",
    "name": "Somchai", "tracking": "TH123456789", "date": "12/05", "pct": "30",
    "acct": "123-4-56789-0", "otp": "123456", "ref": "ABCD", "code": "12", "time": "18:30",
    "place": "Central", "item": "นม", "balance": "12,345.00", "last4": "1234",
}


class _Slots(dict):
    def __missing__(self, key: str) -> str:
        return _SLOT_VALUES.get(key, "x")


# Variants of the slots that name an impersonated party, so that a template is learnt
# for its wording and not for one bank's or courier's name.
_SLOT_VARIANTS = (
    {},
    {"bank": "SCB", "courier": "Flash Express", "brand": "Shopee", "name": "Nok"},
    {"bank": "กรุงไทย", "courier": "ไปรษณีย์ไทย", "brand": "AIS", "name": "Tom"},
)


def _render(template: str, variant: int = 0) -> str:
    values = {**_SLOT_VALUES, **_SLOT_VARIANTS[variant]}
    names = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return template.format_map(_Slots({name: values.get(name, "x") for name in names}))


def simulator_corpus() -> tuple[list[str], list[str], list[str | None]]:
    """Render the simulator's templates once each: (texts, labels, scam types).

    Returns:
        Three parallel lists; scam types are None for legit and spam texts.
    """
    from scamtrace.simulate import texts_legit, texts_scam

    texts, labels, types = [], [], []
    for scam_type, families in texts_scam.FAMILIES.items():
        for _, template in families:
            for variant in range(len(_SLOT_VARIANTS)):
                texts.append(_render(template, variant))
                labels.append("scam")
                types.append(scam_type)
    legit = [*texts_legit.P2P_TH, *(t for _, t in texts_legit.OTP),
             *(t for _, t in texts_legit.BANK_NOTICE), *(t for _, t in texts_legit.COURIER)]
    legit += list(getattr(texts_legit, "P2P_EN", ()))
    spam = [*(t for _, t in texts_legit.OPERATOR_PROMO), *(t for _, t in texts_legit.SHOP_ADVERT)]
    for group, label in ((legit, "legit"), (spam, "spam")):
        for template in group:
            texts.append(_render(template))
            labels.append(label)
            types.append(None)
    return texts, labels, types


def fit_temperature(scores: np.ndarray, targets: np.ndarray) -> float:
    """The softmax temperature that minimises the log loss of out-of-fold scores.

    Args:
        scores: (n, k) decision values, or (n,) for a binary model.
        targets: class index per row (0/1 for binary).

    Returns:
        The temperature (scores are divided by it).
    """
    if scores.ndim == 1:
        scores = np.stack([-scores / 2, scores / 2], axis=1)
    best, best_loss = 1.0, np.inf
    for temperature in np.geomspace(0.05, 5.0, 60):
        scaled = scores / temperature
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(len(targets)), targets].mean()
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return best


def _oof_scores(matrix, targets: np.ndarray, groups: np.ndarray, c: float,
                class_weight: str | None = None) -> np.ndarray:
    from sklearn.model_selection import StratifiedGroupKFold
    from sklearn.svm import LinearSVC

    folds = StratifiedGroupKFold(3, shuffle=True, random_state=7)
    width = len(np.unique(targets))
    scores = np.zeros((len(targets), 1 if width == 2 else width))
    for train, test in folds.split(matrix, targets, groups):
        model = LinearSVC(C=c, class_weight=class_weight, random_state=0).fit(
            matrix[train], targets[train])
        decision = model.decision_function(matrix[test])
        scores[test] = decision.reshape(len(test), -1)
    return scores.squeeze(axis=1) if width == 2 else scores


def source_mix_weights(targets: np.ndarray, sources: np.ndarray | None) -> np.ndarray:
    """Sample weights that give every source the same class mix as the whole set.

    A text of class k from source s weighs ``n_s * share_k / n_sk``: each source keeps its
    total weight but no longer brings its own class prior, so one corpus's mix (UCI is
    87 % legit chat, the Thai set 59 %) does not move the other's decision threshold.
    With one source every weight is 1.

    Args:
        targets: class index per text.
        sources: source name per text, or None for one source; texts whose source is
            "" keep weight 1 (the simulator's templates: a handful per class, made to be
            learnt whatever their mix).

    Returns:
        (len(targets),) float64 weights.
    """
    weights = np.ones(len(targets))
    if sources is None:
        return weights
    sources = np.asarray(sources)
    classes, counts = np.unique(targets, return_counts=True)
    share = dict(zip(classes.tolist(), (counts / len(targets)).tolist()))
    for source in np.unique(sources):
        if source is None or source == "":
            continue
        in_source = sources == source
        for target in np.unique(targets[in_source]):
            cell = in_source & (targets == target)
            weights[cell] = in_source.sum() * share[int(target)] / cell.sum()
    return weights


def _fit_linear(matrix, targets: np.ndarray, weights: np.ndarray, n_classes: int,
                c: float) -> tuple[np.ndarray, np.ndarray]:
    """One weighted linear SVM as (n_classes, columns) coefficients and (n_classes,) bias.

    Classes absent from ``targets`` get zero weights and a bias of -10; with two classes
    present the one score s becomes (-s/2, s/2) on them, which keeps the argmax and makes
    softmax(./T) the sigmoid of s/T.
    """
    from sklearn.svm import LinearSVC

    coef = np.zeros((n_classes, matrix.shape[1]))
    intercept = np.full(n_classes, -10.0)
    present = np.unique(targets)
    if len(present) == 1:
        intercept[present[0]] = 0.0
        return coef, intercept
    model = LinearSVC(C=c, class_weight="balanced", random_state=0).fit(
        matrix, targets, sample_weight=weights)
    if len(present) == 2:
        coef[present] = np.vstack([-model.coef_[0], model.coef_[0]]) / 2
        intercept[present] = np.array([-model.intercept_[0], model.intercept_[0]]) / 2
    else:
        coef[present] = model.coef_
        intercept[present] = model.intercept_
    return coef, intercept


def _fit_by_script(matrix, targets: np.ndarray, scripts: np.ndarray, sources: np.ndarray | None,
                   n_classes: int, c: float, copies_of: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """One linear model per script: coefficients (sets * classes, columns), bias.

    Each model has balanced class weights (liblinear weighs each one-vs-rest problem's
    positive class) and :func:`source_mix_weights` among its own texts.

    Args:
        matrix: rows of the ``len(targets)`` texts, then rows of their training copies
            (:func:`~scamtrace.messages.link_features.augmented_rows`), if any.
        targets, scripts, sources: per text (not per copy).
        copies_of: the text each copy row copies; a copy has its text's class and
            script, and weighs :data:`~scamtrace.messages.link_features.AUGMENT_WEIGHT`
            against the text's 1, the text and its copies sharing the text's weight.
    """
    n_texts = len(targets)
    copies_of = np.zeros(0, dtype=np.int64) if copies_of is None else copies_of
    coefs, biases = [], []
    for script in (THAI_SCRIPT, LATIN_SCRIPT):
        rows = np.flatnonzero(scripts == script)
        if len(np.unique(targets[rows])) < 2:
            rows = np.arange(n_texts)  # too few texts of this script: use all
        weights = source_mix_weights(targets[rows], None if sources is None else sources[rows])
        by_text = np.zeros(n_texts)
        by_text[rows] = weights
        copy_rows = np.flatnonzero(np.isin(copies_of, rows))
        # A text and its copies share the text's weight, so the wording weighs what it
        # did without copies; only the links differ between them.
        share = 1.0 / (1.0 + AUGMENT_WEIGHT * np.bincount(copies_of, minlength=n_texts))
        coef, bias = _fit_linear(
            matrix[np.concatenate([rows, n_texts + copy_rows])],
            np.concatenate([targets[rows], targets[copies_of[copy_rows]]]),
            np.concatenate([weights * share[rows],
                            (by_text * share)[copies_of[copy_rows]] * AUGMENT_WEIGHT]),
            n_classes, c)
        coefs.append(coef)
        biases.append(bias)
    return np.vstack(coefs), np.concatenate(biases)


def _select(matrix, n_texts: int, copies_of: np.ndarray, rows: np.ndarray):
    """The rows of texts ``rows`` and of their copies: (matrix, copies_of renumbered)."""
    position = np.full(n_texts, -1)
    position[rows] = np.arange(len(rows))
    kept = np.flatnonzero(position[copies_of] >= 0)
    return (matrix[np.concatenate([rows, n_texts + kept])], position[copies_of[kept]])


def _script_scores(matrix, scripts: np.ndarray, coef: np.ndarray, bias: np.ndarray,
                   n_classes: int) -> np.ndarray:
    everything = np.asarray(matrix @ coef.T) + bias
    rows = np.arange(len(scripts))[:, None]
    return everything[rows, scripts[:, None] * n_classes + np.arange(n_classes)]


def _fit_word_model(matrix, targets: np.ndarray, sources: np.ndarray | None, n_classes: int,
                    c: float) -> tuple[np.ndarray, np.ndarray]:
    weights = source_mix_weights(targets, sources)
    return _fit_linear(matrix, targets, weights, n_classes, c)


def fit_label_model(model_texts: list[str], targets: np.ndarray, groups: np.ndarray | None,
                    c: float = 1.0, sources: np.ndarray | None = None,
                    links: list[list[str]] | None = None,
                    benign: Sequence[Sequence[str]] | None = None) -> dict[str, np.ndarray]:
    """Fit the label model on texts already passed through ``normalise.model_text``.

    Sublinear TF-IDF of hashed char 1-5-grams, L2-normalised per text, and two linear
    SVMs with balanced class weights over them: one for texts mostly in Thai script, one
    for the rest (:func:`~scamtrace.messages.features.script_sets`); sources are weighted
    so that each brings the same class mix (:func:`source_mix_weights`). With ``links``,
    the Thai-script SVM also reads the links' content, a TF-IDF block of its own
    (:mod:`scamtrace.messages.link_features`), trained with copies of the texts that
    make a link's mere presence worthless
    (:func:`~scamtrace.messages.link_features.augmented_rows`). Latin-script texts also
    get a word model (TF-IDF of hashed words and word pairs,
    :func:`~scamtrace.messages.features.word_ngrams`), whose calibrated log-probabilities
    are added to the char model's (:func:`~scamtrace.messages.features.combined_scores`).
    With ``groups``, the temperatures are fitted on grouped out-of-fold scores; without,
    they are 1.

    Args:
        model_texts: masked texts.
        targets: class index per text (0 .. classes-1, every class present).
        groups: near-duplicate cluster per text, or None to skip calibration.
        c: SVM regularisation.
        sources: the corpus of each text, or None when they come from one.
        links: the links each text had (``normalise.model_text_and_links``), or None
            for a model of the wording alone.
        benign: groups of hosts whose links training appends to copies of the texts;
            default :func:`~scamtrace.messages.link_features.benign_host_groups`.

    Returns:
        Arrays ``idf``, ``weights`` (2**TEXT_BITS, 2 * classes: the Thai-script model's
        classes, then the Latin-script model's), ``bias``, ``temperature``; with links
        ``link_idf`` and ``link_weights`` (2**LINK_BITS, 2 * classes); and when there are
        Latin-script texts of two classes or more ``word_idf``, ``word_weights``
        (2**WORD_BITS, classes), ``word_bias`` and ``latin_temperatures`` (char, word,
        combined).
    """
    from scipy import sparse
    from sklearn.model_selection import StratifiedGroupKFold

    n_classes = int(targets.max()) + 1
    n_texts = len(model_texts)
    idf = document_idf(model_texts, TEXT_BITS)
    matrix = tfidf_matrix(model_texts, idf)
    scripts = script_sets(model_texts)
    copies_of = np.zeros(0, dtype=np.int64)
    if links is not None:
        # Only the Thai-script model reads links: for Latin-script texts they gained
        # nothing on UCI and cost the shipped recipe 0.0017 English spam F1 (docs).
        links = [text_links if script == THAI_SCRIPT else []
                 for text_links, script in zip(links, scripts)]
        copies_of, copy_links = augmented_rows(links, benign or benign_host_groups())
        thai_copies = scripts[copies_of] == THAI_SCRIPT
        copies_of = copies_of[thai_copies]
        copy_links = [c for c, keep in zip(copy_links, thai_copies) if keep]
        all_links = [*links, *copy_links]
        link_entries = link_columns(all_links, LINK_BITS)
        link_idf = entries_idf(*link_entries, len(all_links), LINK_BITS)
        # Rows: the texts, then their copies (same wording, other links).
        matrix = sparse.hstack([sparse.vstack([matrix, matrix[copies_of]]),
                                entries_matrix(*link_entries, len(all_links), link_idf)],
                               format="csr")
    sources = None if sources is None else np.asarray(sources)
    latin = np.flatnonzero(scripts == LATIN_SCRIPT)
    with_words = len(np.unique(targets[latin])) >= 2
    if with_words:
        latin_texts = [model_texts[i] for i in latin]
        word_idf = entries_idf(*word_ngrams(latin_texts, WORD_BITS), len(latin), WORD_BITS)
        words = entries_matrix(*word_ngrams(model_texts, WORD_BITS), n_texts, word_idf)
        latin_sources = None if sources is None else sources[latin]
    temperature, latin_temperatures = 1.0, np.ones(3)
    if groups is not None:
        oof = np.zeros((len(targets), n_classes))
        word_oof = np.zeros((len(targets), n_classes))
        folds = StratifiedGroupKFold(3, shuffle=True, random_state=7)
        for train, test in folds.split(model_texts, targets, groups):
            train_matrix, train_copies = _select(matrix, n_texts, copies_of, train)
            coef, bias = _fit_by_script(train_matrix, targets[train], scripts[train],
                                        None if sources is None else sources[train],
                                        n_classes, c, train_copies)
            oof[test] = _script_scores(matrix[test], scripts[test], coef, bias, n_classes)
            if with_words:
                rows = train[scripts[train] == LATIN_SCRIPT]
                if len(np.unique(targets[rows])) >= 2:
                    word_coef, word_bias = _fit_word_model(
                        words[rows], targets[rows],
                        None if sources is None else sources[rows], n_classes, c)
                    word_oof[test] = np.asarray(words[test] @ word_coef.T) + word_bias
        temperature = fit_temperature(oof, targets)
        if with_words:
            char_t = fit_temperature(oof[latin], targets[latin])
            word_t = fit_temperature(word_oof[latin], targets[latin])
            mixed = log_softmax(oof[latin] / char_t) + log_softmax(word_oof[latin] / word_t)
            latin_temperatures = np.array([char_t, word_t, fit_temperature(mixed,
                                                                           targets[latin])])
    coef, bias = _fit_by_script(matrix, targets, scripts, sources, n_classes, c, copies_of)
    model = {"idf": idf, "weights": coef[:, :2**TEXT_BITS].T.astype(np.float32),
             "bias": bias.astype(np.float64), "temperature": np.array(temperature),
             "script_sets": np.array(2)}
    if links is not None:
        model.update({"link_idf": link_idf,
                      "link_weights": coef[:, 2**TEXT_BITS:].T.astype(np.float32)})
    if with_words:
        word_coef, word_bias = _fit_word_model(words[latin], targets[latin], latin_sources,
                                               n_classes, c)
        model.update({"word_idf": word_idf, "word_weights": word_coef.T.astype(np.float32),
                      "word_bias": word_bias.astype(np.float64),
                      "latin_temperatures": latin_temperatures})
    return model


def label_scores(model: dict[str, np.ndarray], model_texts: list[str],
                 links: list[list[str]] | None = None) -> np.ndarray:
    """Calibrated log-scores of a label model from :func:`fit_label_model` (softmax them
    for probabilities; their argmax is the label): the shipped classifier's own scoring,
    :func:`scamtrace.messages.classifier.label_log_scores`."""
    from scamtrace.messages.classifier import label_log_scores

    return label_log_scores(text_model_from_arrays(model), model_texts, links).scores


_TREE_PARAMS = {"n_estimators": 300, "learning_rate": 0.05, "num_leaves": 31,
                "random_state": 0, "deterministic": True, "force_row_wise": True,
                "n_jobs": 1, "verbose": -1}


def fit_url_model(urls: list[str], phishing: np.ndarray, c: float = 1.0) -> dict[str, np.ndarray]:
    """Fit the URL model: a linear SVM on n-grams, tokens and measurements, then trees.

    Gradient-boosted trees (LightGBM) take the SVM's score (out of fold while training,
    so the trees learn how far to trust it) with the dense measurements and shape counts
    of :mod:`scamtrace.messages.url_lexical`.

    Args:
        urls: URL strings.
        phishing: 1 for phishing, 0 for legitimate.
        c: SVM regularisation.

    Returns:
        Arrays ``gram_weights``, ``token_weights``, ``dense_weights``, ``bias``,
        ``temperature`` (of the SVM alone) and ``trees`` (the LightGBM model text as bytes).
    """
    import lightgbm as lgb
    from sklearn.svm import LinearSVC

    matrix = url_feature_matrix(urls, URL_BITS, URL_TOKEN_BITS)
    oof = _oof_scores(matrix, phishing, np.arange(len(urls)), c)
    model = LinearSVC(C=c, random_state=0).fit(matrix, phishing)
    trees = lgb.LGBMClassifier(**_TREE_PARAMS).fit(tree_features(urls, oof), phishing)
    weights = model.coef_.ravel()
    tokens_end = 2**URL_BITS + 2**URL_TOKEN_BITS
    return {
        "gram_weights": weights[:2**URL_BITS].astype(np.float32),
        "token_weights": weights[2**URL_BITS:tokens_end].astype(np.float32),
        "dense_weights": weights[tokens_end:].astype(np.float64),
        "bias": np.array(float(model.intercept_[0])),
        "temperature": np.array(fit_temperature(oof, phishing)),
        "trees": np.frombuffer(trees.booster_.model_to_string().encode(), dtype=np.uint8),
    }


def label_corpus(data_dir: Path) -> tuple[list[str], list[str], np.ndarray, list[str | None],
                                          np.ndarray]:
    """All labelled training messages.

    Returns:
        (texts, labels, near-duplicate groups, scam types, sources): the source is the
        dataset folder name, or "" for the simulator's templates.
    """
    thai = datasets.load_thai_ssivakorn(data_dir)
    uci = datasets.load_uci_sms(data_dir)
    sim_texts, sim_labels, sim_types = simulator_corpus()
    texts = thai.texts + uci.texts + sim_texts
    labels = thai.labels + [datasets.map_uci_label(o, t) for o, t in zip(uci.original_labels,
                                                                          uci.texts)] + sim_labels
    types = [None] * (len(thai.texts) + len(uci.texts)) + sim_types
    sources = np.array([thai.source] * len(thai.texts) + [uci.source] * len(uci.texts)
                       + [""] * len(sim_texts), dtype=object)
    return texts, labels, datasets.near_duplicate_groups(texts), types, sources


def train_all(data_dir: Path, out_dir: Path, c_text: float = 1.0, c_url: float = 1.0,
              measure: bool = True) -> dict:
    """Train every model from the labelled files and write the artifacts to ``out_dir``.

    Args:
        data_dir: the shared data folder (../shared/data).
        out_dir: where ``text_model.npz.gz``, ``url_model.npz.gz`` and PROVENANCE.json go.
        c_text: SVM regularisation of the label model.
        c_url: SVM regularisation of the URL model.
        measure: also cross-validate the pipelines
            (:func:`~scamtrace.messages.cross_validation.cross_validate_labels`,
            :func:`~scamtrace.messages.cross_validation.cross_validate_urls`; a few minutes) and write the figures into
            PROVENANCE.json under ``metrics``.

    Returns:
        The provenance record that was written.
    """
    # scikit-learn is needed to train only; the shipped models load without it.
    from sklearn.svm import LinearSVC

    texts, labels, groups, given_types, sources = label_corpus(data_dir)
    pairs = [model_text_and_links(text) for text in texts]
    masked = [text for text, _ in pairs]
    # The simulator's templates carry a placeholder link (example-link.com): no content.
    links = [text_links if source else [] for (_, text_links), source in zip(pairs, sources)]
    label_names = list(datasets.LABELS)
    targets = np.array([label_names.index(label) for label in labels])
    label_model = fit_label_model(
        masked, targets, groups, c_text, sources=sources, links=links,
        benign=benign_host_groups(datasets.load_benign_hosts(data_dir)))
    temperature = float(label_model["temperature"])
    latin_temperatures = [float(t) for t in label_model.get("latin_temperatures", [])]

    # Scam types: the simulator's truth, else a clear cue; messages with neither stay out.
    typed = [(m, given or cue_type(m)) for m, label, given in zip(masked, labels, given_types)
             if label == "scam"]
    typed = [(m, t) for m, t in typed if t]
    type_targets = np.array([SCAM_TYPES.index(t) for _, t in typed])
    type_matrix = feature_matrix([m for m, _ in typed], TYPE_BITS)
    type_model = LinearSVC(C=0.5, random_state=0).fit(type_matrix, type_targets)
    type_weights = np.zeros((2**TYPE_BITS, len(SCAM_TYPES)), dtype=np.float32)
    type_bias = np.full(len(SCAM_TYPES), -10.0)
    present = type_model.classes_
    type_weights[:, present] = type_model.coef_.T
    type_bias[present] = type_model.intercept_
    save_arrays(out_dir / TEXT_MODEL_FILE, {
        "labels": np.array(label_names), **label_model,
        "scam_types": np.array(SCAM_TYPES), "type_weights": type_weights,
        "type_bias": type_bias,
    })

    urls, phishing = datasets.load_hannousse_urls(data_dir)
    url_model = fit_url_model(urls, phishing, c_url)
    url_temperature = float(url_model["temperature"])
    save_arrays(out_dir / URL_MODEL_FILE, url_model)
    provenance = {
        "trained_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "datasets": {
            "thai-sms-ssivakorn": "github.com/ssivakorn/Thai-SMS-spam-filter@b7ebc2e (MIT)",
            "uci-sms-spam": "SMS Spam Collection v.1, Almeida et al. 2011 (CC BY 4.0)",
            "url-hannousse-11430": "Hannousse & Yahiouche 2021, URL strings only (CC BY 4.0)",
            "simulator-templates": "scamtrace.simulate texts_scam / texts_legit, one render each",
        },
        "label_map": "OK,OTP->legit; spam->spam; scam->scam except premium-SMS subscriptions "
                     "(->spam); UCI ham->legit, spam->spam or scam (prize/call-back cues)",
        "counts": {"messages": len(texts), "by_label": dict(Counter(labels)),
                   "typed_scams": dict(Counter(t for _, t in typed)), "urls": len(urls),
                   "phishing_urls": int(phishing.sum())},
        "features": {
            "text": f"char 1-5-grams of masked text (links removed), 2**{TEXT_BITS} "
                    "hashed, sublinear TF-IDF, L2-normalised per text; beside them the "
                    "links' content for Thai-script texts (public suffix, registered name, "
                    "its letter runs and their char 3-5-grams, subdomain words; nothing "
                    "for shorteners), "
                    f"2**{LINK_BITS} hashed, the same TF-IDF normalised on its own, "
                    "trained with copies of every text with a benign link appended and "
                    "of every text with links without them (weight "
                    f"{AUGMENT_WEIGHT}); Latin-script texts also words and word pairs, "
                    f"2**{WORD_BITS} hashed, the same TF-IDF",
            "type": f"char 1-5-gram counts, 2**{TYPE_BITS} hashed",
            "url": f"char 1-5-grams 2**{URL_BITS} hashed + alphanumeric tokens and token "
                   f"pairs 2**{URL_TOKEN_BITS} hashed + {len(DENSE_NAMES)} lexical "
                   f"measurements; trees add {len(SHAPE_NAMES)} shape counts"},
        "model": {"text": f"two LinearSVC C={c_text} (Thai-script texts, Latin-script "
                          "texts), balanced class weights, sources weighted to one class "
                          f"mix, temperature {temperature:.3f}; for Latin-script texts a "
                          "word-model LinearSVC too, log-probabilities added, temperatures "
                          "(char, word, sum) "
                          f"{', '.join(f'{t:.3f}' for t in latin_temperatures)}; all "
                          "temperatures fitted on grouped out-of-fold scores",
                  "type": "LinearSVC C=0.5",
                  "url": f"LinearSVC C={c_url} (temperature {url_temperature:.3f}), its "
                         "out-of-fold score fed with the measurements to LightGBM "
                         f"{_TREE_PARAMS['n_estimators']} trees of "
                         f"{_TREE_PARAMS['num_leaves']} leaves"},
        "metrics": "not measured (scamtrace model train --no-measure)",
    }
    if measure:
        import subprocess

        from scamtrace.messages.cross_validation import cross_validate_labels, cross_validate_urls

        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, check=False).stdout.strip()
        provenance["metrics"] = {
            "measured": f"{provenance['trained_at']} by scamtrace model train (code at commit "
                        f"{commit or 'unknown'}, working tree as it was), grouped 5-fold "
                        "splits of bench/bench_messages.py",
            **cross_validate_labels(data_dir),
            "hannousse_url_accuracy_5fold": cross_validate_urls(data_dir),
            "bars": {"thai_macro_f1": 0.95, "uci_spam_f1": 0.97, "url_accuracy": 0.95},
        }
    (out_dir / PROVENANCE_FILE).write_text(json.dumps(provenance, indent=2, ensure_ascii=False)
                                           + "\n", encoding="utf-8")
    return provenance
