from tandem.search.logic import fold, fts_match_expression, word_similarity


def test_folding_removes_case_and_accents():
    assert fold("Müller Straße") == "muller strasse"


def test_a_misspelled_word_is_still_similar():
    assert word_similarity("Hanbt", "Hanbit Soft Co., Ltd.") >= 0.45
    assert word_similarity("Zebra", "Hanbit Soft Co., Ltd.") < 0.2


def test_the_fts_expression_quotes_every_slice():
    assert fts_match_expression('ab"c') == '"ab""" OR "b""c"'
    assert fts_match_expression("ab") == ""


def test_legal_forms_are_left_out_of_a_query_unless_nothing_else_is_left():
    from tandem.search.logic import without_legal_forms

    assert without_legal_forms("Hanbit Sstems Co., Ltd.") == "Hanbit Sstems"
    assert without_legal_forms("Müller Logistik GmbH") == "Müller Logistik"
    assert without_legal_forms("Co-op Foods") == "Co-op Foods"
    assert without_legal_forms("GmbH") == "GmbH"


def test_similarity_compares_whole_texts():
    from tandem.search.logic import similarity

    assert similarity("lena.wlf", "lena.wolf") > similarity("lena.wlf", "Lena Wagner")
    assert similarity("abc", "abc") == 1.0 and similarity("", "") == 0.0
