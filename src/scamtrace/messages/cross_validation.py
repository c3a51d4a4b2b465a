"""Cross-validated figures of the message pipelines: what ``scamtrace model train``
writes into PROVENANCE.json under ``metrics`` and what bench/bench_messages.py reports.

Every figure refits the training pipelines of :mod:`scamtrace.messages.training`
(:func:`~scamtrace.messages.training.fit_label_model`,
:func:`~scamtrace.messages.training.fit_url_model`) on training folds only and scores the
held-out fold: the label model on grouped 5-fold splits (near-duplicate clusters kept
whole, :func:`grouped_folds`), the URL model on stratified 5-fold splits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scamtrace.messages import datasets
from scamtrace.messages.link_features import benign_host_groups, split_hosts
from scamtrace.messages.normalise import model_text_and_links
from scamtrace.messages.training import (
    fit_label_model,
    fit_url_model,
    label_scores,
    simulator_corpus,
)


def masked_and_links(texts: list[str]) -> tuple[list[str], list[list[str]]]:
    """:func:`~scamtrace.messages.normalise.model_text_and_links` of every text."""
    pairs = [model_text_and_links(text) for text in texts]
    return [masked for masked, _ in pairs], [links for _, links in pairs]


def benign_split(data_dir: Path) -> tuple[list[list[str]], list[list[str]]]:
    """Benign hosts for cross-validation: (appended in training, kept for probes).

    Every group of :func:`~scamtrace.messages.link_features.benign_host_groups` (with
    the URL set's legitimate hosts) is split in two fixed halves, so the benchmark's
    probes append links to hosts the model was never shown as benign.
    """
    return split_hosts(benign_host_groups(datasets.load_benign_hosts(data_dir)))


def grouped_folds(texts: list[str], labels: list[str], groups: np.ndarray, folds: int = 5):
    """The benchmark's splits: stratified, near-duplicate clusters kept whole, seed 0."""
    from sklearn.model_selection import StratifiedGroupKFold

    return list(StratifiedGroupKFold(folds, shuffle=True, random_state=0).split(
        texts, labels, groups))


def cross_validate_shipped(data_dir: Path, baseline=None) -> dict[str, tuple]:
    """The shipped model's recipe, cross-validated on the benchmark's grouped splits.

    Fold k trains :func:`fit_label_model` on training fold k of the Thai set and of UCI
    at once (UCI under the label map: prize and call-back spam is scam), with the
    simulator's templates and the sources weighted as
    :func:`~scamtrace.messages.training.train_all` does, and scores
    test fold k of each set.

    Args:
        data_dir: the shared data folder.
        baseline: optional ``fit(raw_texts, labels) -> predict(raw_texts) -> labels``
            fitted on the same training texts (raw, links included) for comparison.

    Returns:
        ``{"thai": (truth, ours, base), "uci": (truth, ours, base)}``: label arrays over
        each whole set (UCI truth is ham/spam as ``legit``/``spam``); ``base`` is None
        without a baseline.
    """
    thai = datasets.load_thai_ssivakorn(data_dir)
    uci = datasets.load_uci_sms(data_dir)
    sim_texts, sim_labels, _ = simulator_corpus()
    # The templates' links are a placeholder (example-link.com): no content to learn.
    sim_masked = masked_and_links(sim_texts)[0]
    sim_links: list[list[str]] = [[] for _ in sim_texts]
    benign = benign_split(data_dir)[0]
    train_labels = {"thai": thai.labels,
                    "uci": [datasets.map_uci_label(o, t)
                            for o, t in zip(uci.original_labels, uci.texts)]}
    sets, set_groups = {}, {}
    offset = len(sim_texts)
    for name, data in (("thai", thai), ("uci", uci)):
        groups = datasets.near_duplicate_groups(data.texts)
        folds = grouped_folds(data.texts, data.labels, groups)
        sets[name] = (data, masked_and_links(data.texts), folds)
        set_groups[name] = groups + offset  # cluster ids distinct across the sets
        offset += int(groups.max()) + 1
    names = np.array(datasets.LABELS, dtype=object)
    out = {name: (np.array(data.labels, dtype=object), np.empty(len(data.texts), dtype=object),
                  np.empty(len(data.texts), dtype=object) if baseline else None)
           for name, (data, _, _) in sets.items()}
    for fold in range(len(sets["thai"][2])):
        raw, masked, labels = list(sim_texts), list(sim_masked), list(sim_labels)
        links = list(sim_links)
        sources = [""] * len(sim_texts)
        groups = [datasets.near_duplicate_groups(sim_texts)]
        for name, (data, (set_masked, set_links), folds) in sets.items():
            train = folds[fold][0]
            raw += [data.texts[i] for i in train]
            masked += [set_masked[i] for i in train]
            links += [set_links[i] for i in train]
            labels += [train_labels[name][i] for i in train]
            sources += [name] * len(train)
            groups.append(set_groups[name][train])
        targets = np.array([list(names).index(label) for label in labels])
        model = fit_label_model(masked, targets, np.concatenate(groups),
                                sources=np.array(sources, dtype=object), links=links,
                                benign=benign)
        predict = baseline(raw, labels) if baseline else None
        for name, (data, (set_masked, set_links), folds) in sets.items():
            test = folds[fold][1]
            scores = label_scores(model, [set_masked[i] for i in test],
                                  [set_links[i] for i in test])
            out[name][1][test] = names[scores.argmax(axis=1)]
            if predict is not None:
                out[name][2][test] = predict([data.texts[i] for i in test])
    return out


def cross_validate_labels(data_dir: Path) -> dict[str, float]:
    """Grouped 5-fold figures of the label pipeline, as bench/bench_messages.py measures them.

    * ``thai_macro_f1``, ``uci_spam_f1``: :func:`fit_label_model` fitted on each
      training fold of that set alone (Thai: legit/spam/scam macro-F1; UCI: ham/spam,
      spam F1 with spam or scam counted as spam);
    * ``shipped_thai_macro_f1``, ``shipped_uci_spam_f1``: the shipped model's recipe
      (:func:`cross_validate_shipped`).

    Returns:
        The four figures.
    """
    figures: dict[str, float] = {}
    benign = benign_split(data_dir)[0]
    for name, data in (("thai", datasets.load_thai_ssivakorn(data_dir)),
                       ("uci", datasets.load_uci_sms(data_dir))):
        masked, links = masked_and_links(data.texts)
        groups = datasets.near_duplicate_groups(data.texts)
        folds = grouped_folds(data.texts, data.labels, groups)
        classes = sorted(set(data.labels))
        targets = np.array([classes.index(label) for label in data.labels])
        predicted = np.zeros(len(targets), dtype=np.int64)
        for train, test in folds:
            model = fit_label_model([masked[i] for i in train], targets[train], groups[train],
                                    links=[links[i] for i in train],
                                    benign=benign)
            predicted[test] = label_scores(model, [masked[i] for i in test],
                                           [links[i] for i in test]).argmax(axis=1)
        figures[name] = label_figure(name, data.labels, np.array(classes)[predicted])
    shipped = cross_validate_shipped(data_dir)
    return {"thai_macro_f1": figures["thai"], "uci_spam_f1": figures["uci"],
            "shipped_thai_macro_f1": label_figure("thai", *shipped["thai"][:2]),
            "shipped_uci_spam_f1": label_figure("uci", *shipped["uci"][:2])}


def label_figure(name: str, truth, predicted) -> float:
    """Thai (``name == "thai"``): macro-F1 of legit/spam/scam; else spam F1 (non-legit)."""
    from sklearn.metrics import f1_score

    truth = np.array(truth)
    if name == "thai":
        return round(float(f1_score(truth, predicted, average="macro")), 4)
    return round(float(f1_score(truth == "spam", predicted != "legit")), 4)


def cross_validate_urls(data_dir: Path) -> float:
    """Accuracy of the URL model (trees on the linear model), 5-fold, as the benchmark."""
    from sklearn.model_selection import StratifiedKFold

    from scamtrace.messages.model_store import url_model_from_arrays

    urls, phishing = datasets.load_hannousse_urls(data_dir)
    array = np.array(urls, dtype=object)
    scores = np.zeros(len(urls))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(array, phishing):
        model = url_model_from_arrays(fit_url_model(list(array[train]), phishing[train]))
        scores[test] = model.probabilities(list(array[test]))
    return round(float(((scores >= 0.5) == phishing).mean()), 4)
