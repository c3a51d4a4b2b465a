import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from scamtrace.messages.features import (
    document_idf,
    hashed_ngrams,
    script_sets,
    tfidf_entries,
    tfidf_matrix,
    tfidf_scores,
    word_ngrams,
)
from scamtrace.messages.normalise import model_text
from scamtrace.messages.url_lexical import (
    SHAPE_NAMES,
    shape_features,
    token_entries,
    url_feature_matrix,
)


@pytest.mark.parametrize(
    "link",
    ["https://www.kasikornbank.com/th", "bit.ly/3abc", "kerry-th-delivery.top/update",
     "https://example-shop.com/sale", "kbank[.]com"],
)
def test_the_label_model_never_sees_a_link(link):
    assert model_text(f"ดูที่ {link} ด่วน") == model_text("ดูที่ ด่วน") == "ดูที่ ด่วน"
    assert model_text(f"โทร 081-234-5678 {link}") == "โทร ⟦phone⟧"


def test_hashed_tfidf_matches_scikit_learn_sublinear_l2():
    texts = ["ฟรีเครดิต ฟรีเครดิต สล็อต", "hello hello world", "สวัสดีครับ", "x"]
    idf = document_idf(texts, 20)
    ours = tfidf_matrix(texts, idf).toarray()
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    # The same statistic without hashing: equal row norms and equal sorted values
    # (collisions aside, which 2**20 columns make negligible for these few n-grams).
    reference = TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True,
                                lowercase=False).fit_transform([f" {t} " for t in texts])
    for row in range(len(texts)):
        expected = np.sort(reference[row].data)
        got = np.sort(ours[row][ours[row] > 0])
        assert got.shape == expected.shape
        assert np.allclose(got, expected, atol=1e-4)


def test_tfidf_scores_equal_the_matrix_product():
    texts = ["โอนเงินด่วน", "see you at noon", ""]
    idf = document_idf(texts + ["another text"], 12)
    weights = np.random.default_rng(1).normal(size=(2**12, 3)).astype(np.float32)
    bias = np.array([0.5, -0.5, 0.0])
    docs, columns = hashed_ngrams(texts, 14)  # wider columns are narrowed to the table
    scores = tfidf_scores(*tfidf_entries(docs, columns, len(texts), idf, 14), len(texts),
                          weights, bias)
    assert np.allclose(scores, tfidf_matrix(texts, idf) @ weights + bias, atol=1e-4)


def test_each_text_is_scored_by_the_weight_set_of_its_script():
    texts = ["โอนเงินด่วน", "see you at noon", "ลุ้นรับ iPhone ฟรี", "⟦phone⟧ 000", ""]
    assert script_sets(texts).tolist() == [0, 1, 0, 1, 1]
    idf = document_idf(texts, 12)
    weights = np.random.default_rng(2).normal(size=(2**12, 6)).astype(np.float32)
    bias = np.arange(6, dtype=np.float64)
    docs, columns = hashed_ngrams(texts, 12)
    entries = tfidf_entries(docs, columns, len(texts), idf)
    scores = tfidf_scores(*entries, len(texts), weights, bias, script_sets(texts), 2)
    product = tfidf_matrix(texts, idf) @ weights + bias
    expected = np.where(script_sets(texts)[:, None] == 0, product[:, :3], product[:, 3:])
    assert np.allclose(scores, expected, atol=1e-4)
    assert np.allclose(tfidf_scores(*entries, len(texts), weights[:, :3], bias[:3]),
                       product[:, :3], atol=1e-4)


def test_word_ngrams_are_the_latin_words_and_their_pairs():
    import re

    texts = ["call ⟦phone⟧ now 000p win £000", "สวัสดี hello world hello", "", "ฟรี",
             "xx hello"]
    docs, columns = word_ngrams(texts, 20)
    for i, text in enumerate(texts):
        words = re.findall(r"[a-z⟦⟧]+|0+", text)
        assert (docs == i).sum() == len(words) + max(len(words) - 1, 0)
    # The same word gets the same column wherever it stands; pairs differ from words.
    hello = columns[(docs == 1)][0]
    assert hello == columns[(docs == 1)][2] == columns[(docs == 4)][1]
    assert len(set(columns[docs == 1].tolist())) == 4  # hello, world, 2 distinct pairs


def test_url_tokens_and_shape_counts():
    rows, columns, values = token_entries(["https://secure-login.example.com/a"], 20)
    assert len(set(columns)) == 11  # 6 tokens (https secure login example com a), 5 pairs
    assert set(rows) == {0}
    assert np.isclose(np.linalg.norm(values), 0.7)
    assert len(shape_features("http://a.b.com/x.php?q=1")) == len(SHAPE_NAMES)
    matrix = url_feature_matrix(["a.com", "b.org/x"], 10, 8)
    assert matrix.shape == (2, 2**10 + 2**8 + 18)
