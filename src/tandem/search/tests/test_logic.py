from tandem.search.logic import fold, fts_match_expression, word_similarity


def test_folding_removes_case_and_accents():
    assert fold("Müller Straße") == "muller strasse"


def test_a_misspelled_word_is_still_similar():
    assert word_similarity("Hanbt", "Hanbit Soft Co., Ltd.") >= 0.45
    assert word_similarity("Zebra", "Hanbit Soft Co., Ltd.") < 0.2


def test_the_fts_expression_quotes_every_slice():
    assert fts_match_expression('ab"c') == '"ab""" OR "b""c"'
    assert fts_match_expression("ab") == ""
