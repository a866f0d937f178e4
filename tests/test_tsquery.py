"""The tsquery reader behind PostgreSQL search: the loosened query finds a superset, and the
exact check on a candidate's token columns agrees with PostgreSQL's own ``tsv @@ query`` on
the positional vector ranknews stored before (checked by the server when it is there)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from ranknews.search import parse_query
from ranknews.search.document import SearchDocument, text_grams
from ranknews.search.query import to_tsquery
from ranknews.store.search import tsvector_literal
from ranknews.store.tsquery import Document, loosen, matches, parse
from ranknews.text.analysis import Analyzer

DOCS = [
    SearchDocument(1, "h", "삼성전자 hbm3e", "", " ".join(text_grams("삼성전자가 HBM3E 12단 양산"))),
    SearchDocument(2, "h", "의협 집단휴진", "대한의사협회", " ".join(text_grams("의협이 집단휴진을 강행"))),
    SearchDocument(3, "h", "전자담배", "삼성", " ".join(text_grams("삼성 계열사와 무관한 전자담배"))),
    SearchDocument(4, "h", "5g 요금제", "", " ".join(text_grams("통신3사 5G 요금제 170억 원"))),
    SearchDocument(5, "h", "북한", "", " ".join(text_grams("북한은 한은과 다르다 휴진"))),
]
QUERIES = ["삼성전자", "삼성 전자", "휴진", "의협", "hbm3e", "5G 요금제", "170억", "한은",
           "전자", "삼성", "집단 휴진", "없는말"]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def _doc(d: SearchDocument) -> Document:
    return Document(d.title, d.lead, d.grams)


def test_reading_back_what_to_tsquery_writes():
    node = parse("(('반도체':AB | ('반도':D <-> '도체':D))) & ('it''s' | '170' <-> '억':*D)")
    assert "('반도' & '도체')" in loosen(node) and "('170' & '억':*)" in loosen(node)
    assert "<->" not in loosen(node) and ":AB" not in loosen(node) and ":D" not in loosen(node)


def test_phrases_weights_and_prefixes_on_a_candidate():
    doc = Document("삼성전자", "", "| 삼성 성전 전자 자가 | 북한 한은")
    assert matches(parse("'삼성':D <-> '성전':D <-> '전자':D"), doc)
    assert not matches(parse("'삼성':D <-> '전자':D"), doc)  # not adjacent
    assert matches(parse("'자가':D <-> '북한':D"), doc)  # the word-start marker takes no position
    assert matches(parse("'삼성전자':AB"), doc) and not matches(parse("'삼성전자':D"), doc)
    assert matches(parse("'북':*D"), doc) and not matches(parse("'북':D"), doc)
    assert matches(parse("!'없는'"), doc)
    assert matches(parse("'삼성' <2> '전자'"), doc)


def test_the_exact_check_agrees_with_postgresql(db, analyzer):
    queries = [to_tsquery(parse_query(q, analyzer), mode) for q in QUERIES
               for mode in ("and", "or")]
    ours = {(q, d.board_no): matches(parse(q), _doc(d)) for q in queries for d in DOCS}
    for (q, no), found in ours.items():  # the loosened query never misses an exact match
        if found:
            assert matches(parse(loosen(parse(q))), _doc(DOCS[no - 1])), q
    assert any(ours.values()) and not all(ours.values())
    if db.dialect != "postgresql":
        return
    with db.read() as conn:
        for (q, no), found in ours.items():
            server = conn.execute(text("SELECT CAST(:v AS tsvector) @@ CAST(:q AS tsquery)"),
                                  {"v": tsvector_literal(DOCS[no - 1]), "q": q}).scalar()
            assert server == found, (q, no)
