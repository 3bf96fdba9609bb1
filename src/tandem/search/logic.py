"""Pure helpers for typo-tolerant matching (used on SQLite, where there is no pg_trgm)."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower-case and strip accents so 'Müller' and 'muller' compare equal."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def trigrams(text: str) -> set[str]:
    """pg_trgm-style trigrams of each word, padded with two spaces in front and one behind."""
    grams: set[str] = set()
    for word in "".join(ch if ch.isalnum() else " " for ch in fold(text)).split():
        padded = f"  {word} "
        grams.update(padded[index:index + 3] for index in range(len(padded) - 2))
    return grams


def word_similarity(query: str, text: str) -> float:
    """How well ``query`` matches the best-matching words of ``text`` (0..1), like pg_trgm's
    word_similarity: the share of the query's trigrams found in the text."""
    query_grams = trigrams(query)
    if not query_grams:
        return 0.0
    return len(query_grams & trigrams(text)) / len(query_grams)


def similarity(query: str, text: str) -> float:
    """The trigrams both share over the trigrams either has (0..1), like pg_trgm's similarity. Ranks matches
    that word_similarity ties: "lena.wlf" is as close to the words "Lena W…" of Lena Wagner as of Lena Wolf, but
    shares more of the whole of lena.wolf."""
    query_grams, text_grams = trigrams(query), trigrams(text)
    either = query_grams | text_grams
    return len(query_grams & text_grams) / len(either) if either else 0.0


def fts_match_expression(query: str) -> str:
    """An FTS5 MATCH expression OR-ing every 3-character slice of the query, so a misspelled word
    still shares most of its slices with the right one."""
    folded = " ".join(fold(query).split())
    slices = {folded[index:index + 3] for index in range(max(len(folded) - 2, 0))}
    slices = {part for part in slices if part.strip() and len(part) == 3}
    if not slices:
        return ""
    return " OR ".join('"' + part.replace('"', '""') + '"' for part in sorted(slices))


# Legal forms say nothing about which company is meant, yet share trigrams with a large part of any customer
# list: the tolerant search pass leaves them out of the query.
LEGAL_FORMS = frozenset({
    "ab", "ag", "as", "bv", "co", "company", "corp", "corporation", "gmbh", "group", "inc", "incorporated", "kg",
    "kk", "limited", "llc", "llp", "ltd", "nv", "oy", "plc", "pte", "pty", "sa", "sarl", "sas", "se", "spa", "srl",
})


def without_legal_forms(query: str) -> str:
    """``query`` without legal-form words ("Hanbit Sstems Co., Ltd." → "Hanbit Sstems"); unchanged when nothing
    else is left."""
    kept = [word for word in query.split() if word.strip(".,&()").lower() not in LEGAL_FORMS]
    return " ".join(kept) if kept and len(kept) < len(query.split()) else query
