import numpy as np
import pytest

from scamtrace.messages.link_features import (
    AUGMENT_WEIGHT,
    augmented_rows,
    benign_host_groups,
    link_columns,
    link_tokens,
    split_hosts,
)
from scamtrace.messages.normalise import model_text, model_text_and_links


def test_model_text_and_links_removes_links_and_keeps_them_apart():
    masked, links = model_text_and_links("ดูที่ kbank-secure.xyz/login ด่วน โทร 081-234-5678")
    assert masked == model_text("ดูที่ kbank-secure.xyz/login ด่วน โทร 081-234-5678")
    assert links == ["kbank-secure.xyz/login"]
    assert model_text_and_links("ถึงบ้านแล้วนะ") == ("ถึงบ้านแล้วนะ", [])


def test_link_tokens_read_the_name_not_the_path_and_nothing_of_a_shortener():
    tokens = link_tokens("http://www.urawinner.com/claim-now")
    assert tokens[:3] == ("T:com", "N:urawinner", "W:urawinner")
    assert "G:winn" in tokens and "G:<ur" in tokens
    assert not any("claim" in token for token in tokens)
    tokens = link_tokens("http://www.e-tlp.co.uk/reward")
    assert tokens[:3] == ("T:co.uk", "N:e-tlp", "W:e") and "W:tlp" in tokens
    assert "S:support" in link_tokens("https://support.bbldc.cc/x")
    for shortener in ("bit.ly/3abc", "https://cutt.ly/x", "https://www.tinyurl.com/y"):
        assert link_tokens(shortener) == ()


def test_link_columns_are_stable_and_per_text():
    links = [["urawinner.com"], [], ["bit.ly/3abc"], ["kbank.co.th", "scb.co.th"]]
    docs, columns = link_columns(links, 12)
    again = link_columns(links, 12)
    assert np.array_equal(docs, again[0]) and np.array_equal(columns, again[1])
    assert set(docs.tolist()) == {0, 3}
    assert columns.min() >= 0 and columns.max() < 2**12


def test_augmentation_appends_benign_links_and_strips_links_whatever_the_class():
    links = [[], ["promo.com"], ["kbank-verify.top"], [], ["kasikornbank.com"]]
    hosts = [["kasikornbank.com"], ["google.com"]]
    rows, copies = augmented_rows(links, hosts)
    pairs = list(zip(rows.tolist(), copies))
    appended = [(row, c) for row, c in pairs if len(c) > len(links[row])]
    stripped = [row for row, c in pairs if not c and links[row]]
    assert sorted(row for row, _ in appended) == [0, 1, 2, 3, 4]
    assert sorted(stripped) == [1, 2, 4]
    for row, copy in appended:
        assert copy[:len(links[row])] == links[row]
        assert any(host in copy[-1] for group in hosts for host in group)
    assert 0 < AUGMENT_WEIGHT < 1


def test_an_official_domain_is_one_token_so_a_brand_name_elsewhere_is_not_benign():
    assert link_tokens("https://www.kasikornbank.com/th") == ("T:com", "O:official")
    assert link_tokens("https://www.scb.co.th/x") == ("T:co.th", "O:official")
    assert "W:kbank" in link_tokens("https://kbank-verify-th.top/login")


def test_benign_hosts_hold_the_brands_and_split_in_disjoint_halves():
    groups = benign_host_groups(["example.org", "Example.org", ""])
    assert "kasikornbank.com" in groups[0] and groups[-1] == ["example.org"]
    train, probe = split_hosts(groups)
    for whole, left, right in zip(groups, train, probe):
        assert sorted(left + right) == sorted(whole) and not set(left) & set(right)


@pytest.fixture(scope="module")
def linked_model():
    from scamtrace.messages.training import fit_label_model, simulator_corpus

    texts, labels, _ = simulator_corpus()
    pairs = [model_text_and_links(text) for text in texts]
    masked = [m for m, _ in pairs]
    # Scams carry lookalike links, legit texts none: without augmentation "has a link"
    # would be the easiest evidence there is.
    links = [["kbank-verify-account.top/login"] if label == "scam" else []
             for label in labels]
    names = ["legit", "spam", "scam"]
    targets = np.array([names.index(label) for label in labels])
    model = fit_label_model(masked, targets, None, links=links)
    return model, masked, targets


def test_a_model_with_links_has_a_link_block_and_scores_without_links(linked_model):
    from scamtrace.messages.training import label_scores

    model, masked, targets = linked_model
    assert model["link_weights"].shape == (2**17, 6)
    assert model["link_idf"].shape == (2**17,)
    no_links = label_scores(model, masked)
    empty = label_scores(model, masked, [[] for _ in masked])
    assert np.allclose(no_links, empty)
    assert (no_links.argmax(axis=1) == targets).mean() > 0.9


def test_benign_links_do_not_make_legit_texts_non_legit_and_a_lookalike_may_count(
        linked_model):
    from scamtrace.messages.features import script_sets
    from scamtrace.messages.training import label_scores

    model, masked, targets = linked_model
    legit = [m for m, t in zip(masked, targets) if t == 0]
    before = label_scores(model, legit)
    for link in ("https://www.scb.co.th/th/personal", "https://www.wikipedia.org/wiki/x",
                 "bit.ly/3abc", "https://photos.example.com/abc"):
        after = label_scores(model, legit, [[link]] * len(legit))
        assert (after.argmax(axis=1) == before.argmax(axis=1)).all(), link
    lookalike = label_scores(model, legit, [["kbank-verify-account.top/login"]] * len(legit))
    # Only the Thai-script model reads links; for Latin-script texts they change nothing.
    thai = script_sets(legit) == 0
    assert thai.any() and (~thai).any()
    raised = lookalike[:, 2] - lookalike[:, 0] > before[:, 2] - before[:, 0]
    assert raised[thai].all()
    assert np.allclose(lookalike[~thai], before[~thai])
    assert not model["link_weights"][:, 3:].any()
