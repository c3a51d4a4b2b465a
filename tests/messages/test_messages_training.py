import numpy as np

from scamtrace.messages.datasets import (
    map_thai_label,
    map_uci_label,
    near_duplicate_groups,
)
from scamtrace.messages.features import feature_matrix, linear_scores
from scamtrace.messages.model_store import load_arrays, save_arrays
from scamtrace.messages.training import fit_temperature, simulator_corpus


def test_label_map_premium_sms_is_spam_and_prize_callbacks_are_scam():
    assert map_thai_label("OTP", "รหัส OTP 1234") == "legit"
    assert map_thai_label("scam", "ลุ้นค่าโทร 500บาท กด *184# สมัครดวงดี 3บ/ขค") == "spam"
    assert map_thai_label("scam", "ฟรีเครดิต 200 คลิก bit.ly/x") == "scam"
    assert map_uci_label("spam", "WINNER! You won a prize, call 09061701461 to claim") == "scam"
    assert map_uci_label("spam", "50% off all pizzas this weekend, reply STOP to end") == "spam"
    assert map_uci_label("ham", "call me when you win") == "legit"


def test_near_duplicates_share_a_group_and_others_do_not():
    texts = ["โปรใหม่ ใหญ่กว่า ดีกว่า ก.ค นี้! กดเลย: pq8q.com/2Ck",
             "โปรใหม่ ใหญ่กว่า ดีกว่า ก.ค นี้! กดเลย: p48q.com/fop",
             "Meeting at Central tomorrow, see you there"]
    groups = near_duplicate_groups(texts)
    assert groups[0] == groups[1] != groups[2]


def test_hashed_scores_match_the_training_matrix():
    texts = ["hello world", "สวัสดี ครับ", ""]
    matrix = feature_matrix(texts, 10)
    weights = np.random.default_rng(0).normal(size=(2**10, 3)).astype(np.float32)
    bias = np.array([0.1, 0.2, 0.3])
    expected = matrix @ weights + bias
    assert np.allclose(linear_scores(texts, weights, bias), expected, atol=1e-5)


def test_tiny_training_sample_fits_and_round_trips(tmp_path):
    from sklearn.svm import LinearSVC

    texts, labels, _ = simulator_corpus()
    matrix = feature_matrix(texts, 12)
    targets = np.array([["legit", "spam", "scam"].index(label) for label in labels])
    model = LinearSVC().fit(matrix, targets)
    assert (model.predict(matrix) == targets).mean() > 0.9
    temperature = fit_temperature(model.decision_function(matrix), targets)
    assert 0.05 <= temperature <= 5.0
    save_arrays(tmp_path / "m.npz.gz", {"weights": model.coef_.T, "labels": np.array(["a"])})
    loaded = load_arrays(tmp_path / "m.npz.gz")
    assert np.allclose(loaded["weights"], model.coef_.T, atol=1e-2)
    assert loaded["labels"].tolist() == ["a"]


def test_url_model_fits_stacks_trees_and_round_trips(tmp_path):
    from scamtrace.messages.model_store import url_model_from_arrays
    from scamtrace.messages.training import fit_url_model

    rng = np.random.default_rng(3)
    legit = [f"https://www.site{i}.com/{w}" for i, w in enumerate(rng.choice(
        ["about", "news", "shop", "blog", "contact"], 120))]
    phishing = [f"http://{w}-verify-account{i}.xyz/login.php?id={i}" for i, w in enumerate(
        rng.choice(["paypal", "apple", "bank", "secure", "wallet"], 120))]
    urls = legit + phishing
    targets = np.array([0] * len(legit) + [1] * len(phishing), dtype=np.int8)
    arrays = fit_url_model(urls, targets)
    assert arrays["trees"].dtype == np.uint8 and arrays["token_weights"].shape == (2**17,)
    save_arrays(tmp_path / "u.npz.gz", arrays)
    model = url_model_from_arrays(load_arrays(tmp_path / "u.npz.gz"))
    probabilities = model.probabilities(["https://www.site999.com/about",
                                         "http://paypal-verify-account999.xyz/login.php?id=9"])
    assert probabilities[0] < 0.5 < probabilities[1]
    assert model.probabilities([]).shape == (0,)


def test_label_model_binary_and_multiclass_scores():
    from scamtrace.messages.features import script_sets
    from scamtrace.messages.training import fit_label_model, label_scores

    texts, labels, _ = simulator_corpus()
    targets = np.array([["legit", "spam", "scam"].index(label) for label in labels])
    model = fit_label_model(texts, targets, None)
    assert float(model["temperature"]) == 1.0
    assert (label_scores(model, texts).argmax(axis=1) == targets).mean() > 0.9
    binary = fit_label_model(texts, (targets == 2).astype(int), None)
    scores = label_scores(binary, texts)
    assert scores.shape == (len(texts), 2)
    # A binary SVM's one score s is kept as (-s/2, s/2) in every model.
    for name in ("weights", "word_weights"):
        weights = binary[name].reshape(binary[name].shape[0], -1, 2)
        assert np.allclose(weights[..., 0], -weights[..., 1])
    thai = script_sets(texts) == 0
    assert np.allclose(scores[thai, 0], -scores[thai, 1])


def test_sources_keep_their_weight_but_share_one_class_mix():
    from scamtrace.messages.training import source_mix_weights

    targets = np.array([0] * 8 + [1] * 2 + [0] * 2 + [1] * 2 + [1])
    sources = np.array(["a"] * 10 + ["b"] * 4 + [""], dtype=object)
    assert np.array_equal(source_mix_weights(targets, None), np.ones(len(targets)))
    weights = source_mix_weights(targets, sources)
    for source in ("a", "b"):
        mine = sources == source
        assert np.isclose(weights[mine].sum(), mine.sum())
        # Weighted, each source's legit share is the whole set's (10 of 15).
        assert np.isclose(weights[mine & (targets == 0)].sum() / mine.sum(), 10 / 15)
    assert weights[-1] == 1.0  # the simulator's templates ("") are not reweighted


def test_thai_and_latin_texts_get_their_own_model():
    from scamtrace.messages.features import script_sets
    from scamtrace.messages.training import fit_label_model, label_scores

    texts, labels, _ = simulator_corpus()
    targets = np.array([["legit", "spam", "scam"].index(label) for label in labels])
    model = fit_label_model(texts, targets, None)
    assert int(model["script_sets"]) == 2 and model["weights"].shape[1] == 6
    scripts = script_sets(texts)
    assert set(scripts.tolist()) == {0, 1}
    before = label_scores(model, texts)
    # Zeroing the Latin model leaves the Thai texts' scores as they were.
    latin_off = {**model, "weights": model["weights"].copy(), "bias": model["bias"].copy()}
    latin_off["weights"][:, 3:] = 0
    latin_off["bias"][3:] = 0
    after = label_scores(latin_off, texts)
    assert np.allclose(after[scripts == 0], before[scripts == 0])
    assert not np.allclose(after[scripts == 1], before[scripts == 1])


def test_latin_texts_get_a_word_model_calibrated_out_of_fold():
    from scamtrace.messages.features import combined_scores
    from scamtrace.messages.training import fit_label_model

    texts, labels, _ = simulator_corpus()
    texts = texts * 2  # enough texts per class for three grouped folds
    targets = np.array([["legit", "spam", "scam"].index(label) for label in labels] * 2)
    groups = np.arange(len(texts)) % (len(texts) // 2)
    model = fit_label_model(texts, targets, groups)
    assert model["word_weights"].shape == (2**20, 3)
    assert np.all(model["latin_temperatures"] > 0) and model["latin_temperatures"].shape == (3,)
    char = np.array([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    word = np.array([[0.0, 3.0, 0.0], [5.0, 5.0, 5.0]])
    latin = np.array([False, True])
    out = combined_scores(char, word, latin, 0.5, np.array([1.0, 1.0, 2.0]))
    assert np.allclose(out[0], char[0] / 0.5)  # Thai-script text: char model only
    assert out[1].argmax() == 1  # a uniform word model leaves the char model's answer


def test_training_scores_are_the_classifiers_scores():
    from scamtrace.messages.classifier import classify_texts
    from scamtrace.messages.model_store import TEXT_MODEL_FILE, load_arrays, model_dir
    from scamtrace.messages.normalise import model_text_and_links
    from scamtrace.messages.training import label_scores

    texts = ["ฟรีเครดิต 200 บาท สล็อตเว็บตรง สมัครเลย https://b72kk.com/x",
             "Ok lar... Joking wif u oni...", "WINNER! claim at www.urawinner.com now",
             "ถึงบ้านแล้วนะ", ""]
    arrays = load_arrays(model_dir() / TEXT_MODEL_FILE)
    pairs = [model_text_and_links(text) for text in texts]
    scores = label_scores(arrays, [m for m, _ in pairs], [links for _, links in pairs])
    probabilities = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    for row, result in zip(probabilities, classify_texts(texts, with_indicators=False)):
        assert np.allclose(row, [result.scores[name] for name in ("legit", "spam", "scam")])
