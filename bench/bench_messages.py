"""Message intelligence quality and speed against a char TF-IDF + linear SVM baseline.

Run: .venv/bin/python bench/bench_messages.py [--quick] [speed] [urls] [english] [thai]
[shipped] (no part named: all five).

Every figure is printed beside the baseline measured in the same run. "ours" is the
training pipeline of the shipped models (:func:`scamtrace.messages.training.fit_label_model`,
:func:`~scamtrace.messages.training.fit_url_model`) fitted on each training fold only:
* Thai (thai-sms-ssivakorn, deduplicated, label map applied), 5-fold grouped by
  near-duplicate clusters: macro-F1 legit/spam/scam, raw and with URLs masked, and how
  often appending a link (of several kinds: a generic host, shorteners, an official
  brand domain and a generic benign host the training never appended, a lookalike)
  to a held-out legit text makes it non-legit (both languages);
* English (uci-sms-spam, deduplicated), 5-fold grouped: spam F1 (spam or scam = spam);
* the shipped model's recipe (both sets under the label map with the simulator's
  templates, :func:`~scamtrace.messages.cross_validation.cross_validate_shipped`) fitted on
  training fold k of both sets at once and scored on each set's test fold k ("shipped");
* URLs (url-hannousse-11430), 5-fold, URL string only: accuracy of the linear lexical
  model alone, of the shipped model (trees stacked on it) and of that combined with the rules;
* speed: classify + extract messages per CPU-second on one core, against the baseline's
  vectorise + predict on the same texts.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold
from sklearn.svm import LinearSVC

from scamtrace.messages import datasets
from scamtrace.messages.classifier import classify_texts
from scamtrace.messages.cross_validation import (
    benign_split,
    cross_validate_shipped,
    grouped_folds,
    label_figure,
    masked_and_links,
)
from scamtrace.messages.model_store import url_model_from_arrays
from scamtrace.messages.normalise import URL_CANDIDATE, mask_urls_only
from scamtrace.messages.training import fit_label_model, fit_url_model, label_scores

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _baseline():
    return TfidfVectorizer(analyzer="char", ngram_range=(1, 4), sublinear_tf=True)


# Links appended to held-out legit texts (without a link) that both models call legit:
# the share that stops being legit. "official brand" and "generic benign" links go to
# hosts the training never appended (the other half of cross_validation.benign_split);
# a lookalike may raise the scam score, so it is printed for information only.
_FIXED_PROBES = {"example.com host": "https://photos.example.com/abc",
                 "shortener": "bit.ly/3abc"}
_PROBE_KINDS = ("example.com host", "shortener", "random shortener", "official brand",
                "generic benign", "lookalike (may flip)")
_LOOKALIKES = ("https://kbank-secure-login.xyz/verify", "scb-0nline.com/update",
               "http://kerry-th-delivery.top/track")


def _probe_links(kind, count, rng, probe_hosts):
    from scamtrace.identifiers.hosts import shortener_hosts
    from scamtrace.messages.link_features import benign_link

    if kind in _FIXED_PROBES:
        return [_FIXED_PROBES[kind]] * count
    if kind == "random shortener":
        return [benign_link(rng, sorted(shortener_hosts())) for _ in range(count)]
    if kind.startswith("lookalike"):
        return [_LOOKALIKES[i % len(_LOOKALIKES)] for i in range(count)]
    group = probe_hosts[0] if kind == "official brand" else probe_hosts[-1]
    return [benign_link(rng, group) for _ in range(count)]


def _cross_validate(texts, labels, groups, folds=5):
    """Out-of-fold predictions of the baseline and of scamtrace's label model.

    Also returns, per model and kind of appended link (:data:`_PROBE_KINDS`), the share
    of held-out legit texts without a link, predicted legit, that stop being legit
    when the link is appended.
    """
    texts = np.array(texts, dtype=object)
    labels = np.array(labels)
    groups = np.asarray(groups)
    classes = np.array(sorted(set(labels)), dtype=object)
    targets = np.array([list(classes).index(label) for label in labels])
    base = np.empty(len(labels), dtype=object)
    ours = np.empty(len(labels), dtype=object)
    flips = {(name, kind): [] for name in ("base", "ours") for kind in _PROBE_KINDS}
    masked, links = masked_and_links(list(texts))
    train_hosts, probe_hosts = benign_split(DATA)
    rng = np.random.default_rng(0)
    for train, test in grouped_folds(texts, labels, groups, folds):
        vectorizer = _baseline().fit(texts[train])
        baseline = LinearSVC().fit(vectorizer.transform(texts[train]), labels[train])
        base[test] = baseline.predict(vectorizer.transform(texts[test]))
        model = fit_label_model([masked[i] for i in train], targets[train], groups[train],
                                links=[links[i] for i in train],
                                benign=train_hosts)
        ours[test] = classes[label_scores(model, [masked[i] for i in test],
                                          [links[i] for i in test]).argmax(axis=1)]
        probe = [i for i in test if labels[i] == base[i] == ours[i] == "legit" and not links[i]
                 and not URL_CANDIDATE.search(texts[i])]
        for kind in _PROBE_KINDS:
            linked = [f"{texts[i]} {link}" for i, link in
                      zip(probe, _probe_links(kind, len(probe), rng, probe_hosts))]
            flips["base", kind].extend(baseline.predict(vectorizer.transform(linked)) != "legit")
            linked_masked, linked_links = masked_and_links(linked)
            after = classes[label_scores(model, linked_masked, linked_links).argmax(axis=1)]
            flips["ours", kind].extend(after != "legit")
    return labels, base, ours, {k: float(np.mean(v)) for k, v in flips.items()}


def _flip_rows(name, flips):
    for kind in _PROBE_KINDS:
        print(f"{name + ': + ' + kind + ' link':<46} ours {flips['ours', kind]:.4f}  "
              f"baseline {flips['base', kind]:.4f}  (share of held-out legit texts made "
              "non-legit; lower is better)", flush=True)


def _row(name, ours, base, bar):
    status = "meets" if ours >= bar else "BELOW"
    print(f"{name:<46} ours {ours:.4f}  baseline {base:.4f}  ratio {ours / base:.3f}  "
          f"bar {bar} {status}", flush=True)


def bench_thai():
    thai = datasets.load_thai_ssivakorn(DATA)
    groups = datasets.near_duplicate_groups(thai.texts)
    print(f"thai-sms-ssivakorn: {len(thai.texts)} unique texts, {len(set(groups))} clusters")
    labels, base, ours, flips = _cross_validate(thai.texts, thai.labels, groups)
    raw = f1_score(labels, ours, average="macro")
    _row("Thai macro-F1 (grouped 5-fold)", raw, f1_score(labels, base, average="macro"), 0.95)
    _flip_rows("Thai", flips)
    masked_texts = [mask_urls_only(t) for t in thai.texts]
    labels, base_m, ours_m, _ = _cross_validate(masked_texts, thai.labels, groups)
    masked = f1_score(labels, ours_m, average="macro")
    _row("Thai macro-F1, URLs masked", masked, f1_score(labels, base_m, average="macro"), 0.95)
    print(f"{'Thai masked minus raw (bar: within 0.02)':<46} {masked - raw:+.4f}")


def bench_english():
    uci = datasets.load_uci_sms(DATA)
    groups = datasets.near_duplicate_groups(uci.texts)
    print(f"uci-sms-spam: {len(uci.texts)} unique texts, {len(set(groups))} clusters")
    labels, base, ours, flips = _cross_validate(uci.texts, uci.labels, groups)
    truth = labels == "spam"
    _row("English spam F1 (grouped 5-fold)", f1_score(truth, ours != "legit"),
         f1_score(truth, base == "spam"), 0.97)
    _flip_rows("English", flips)


def _fit_baseline(texts, labels):
    vectorizer = _baseline().fit(texts)
    model = LinearSVC().fit(vectorizer.transform(texts), labels)
    return lambda test: model.predict(vectorizer.transform(test))


def bench_shipped():
    results = cross_validate_shipped(DATA, baseline=_fit_baseline)
    for name, title, bar in (("thai", "Thai macro-F1, shipped recipe (all sets)", 0.95),
                             ("uci", "English spam F1, shipped recipe (all sets)", 0.97)):
        truth, ours, base = results[name]
        _row(title, label_figure(name, truth, ours), label_figure(name, truth, base), bar)


def bench_urls(quick: bool):
    from scamtrace.messages.urls import _rules

    urls, phishing = datasets.load_hannousse_urls(DATA)
    if quick:
        urls, phishing = urls[::4], phishing[::4]
    print(f"url-hannousse-11430: {len(urls)} unique URLs")
    array = np.array(urls, dtype=object)
    base = np.zeros(len(urls))
    linear = np.zeros(len(urls))
    ours = np.zeros(len(urls))
    for train, test in StratifiedKFold(5, shuffle=True, random_state=0).split(array, phishing):
        vectorizer = _baseline().fit(array[train])
        base[test] = LinearSVC().fit(vectorizer.transform(array[train]), phishing[train]).predict(
            vectorizer.transform(array[test]))
        model = url_model_from_arrays(fit_url_model(list(array[train]), phishing[train]))
        linear[test] = model.linear_scores(list(array[test]))
        ours[test] = model.probabilities(list(array[test]))
    base_accuracy = accuracy_score(phishing, base)
    _row("URL accuracy, linear lexical model alone", accuracy_score(phishing, linear > 0),
         base_accuracy, 0.95)
    _row("URL accuracy, shipped model (trees on linear)", accuracy_score(phishing, ours >= 0.5),
         base_accuracy, 0.95)
    rule_scores = np.array([_rules(u)[1] for u in urls])
    combined = (ours >= 0.5) | (rule_scores >= 0.8)
    _row("URL accuracy, shipped model + rules", accuracy_score(phishing, combined),
         base_accuracy, 0.95)


def bench_speed(quick: bool):
    thai = datasets.load_thai_ssivakorn(DATA)
    uci = datasets.load_uci_sms(DATA)
    texts = (thai.texts + uci.texts) * (1 if quick else 3)
    classify_texts(texts[:100])  # load the model outside the timing
    start = time.process_time()
    results = []
    for chunk in range(0, len(texts), 5000):
        results.extend(classify_texts(texts[chunk:chunk + 5000]))
    ours = len(texts) / (time.process_time() - start)
    vectorizer = _baseline().fit(texts[:4000])
    model = LinearSVC().fit(vectorizer.transform(texts[:4000]),
                            (thai.labels + uci.labels)[:4000])
    start = time.process_time()
    model.predict(vectorizer.transform(texts))
    base = len(texts) / (time.process_time() - start)
    print(f"speed: {len(texts)} messages, {sum(len(r.indicators) for r in results)} indicators")
    _row("classify + extract, messages per CPU-second", ours, base, 5000)


def main() -> None:
    """Run every benchmark and print figures beside the baseline."""
    quick = "--quick" in sys.argv
    if not DATA.is_dir():
        print(f"shared data not found at {DATA}; nothing to measure")
        return
    parts = [a for a in sys.argv[1:] if not a.startswith("--")] or [
        "speed", "urls", "english", "thai", "shipped"]
    if "speed" in parts:
        bench_speed(quick)
    if "urls" in parts:
        bench_urls(quick)
    if "english" in parts:
        bench_english()
    if "thai" in parts:
        bench_thai()
    if "shipped" in parts:
        bench_shipped()


if __name__ == "__main__":
    main()
