"""Korean search on SQLite and PostgreSQL: matching, filters, ranking, safety, indexing."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from ranknews.config import Settings
from ranknews.models import Article, Paragraph
from ranknews.pipeline import drain, import_jsonl, reindex
from ranknews.pipeline.saving import save_articles
from ranknews.search import Indexer, parse_query
from ranknews.search.engine import RankingOptions, SearchFilters, search
from ranknews.search.highlight import highlight, snippet
from ranknews.search.ranking import recency_factor
from ranknews.store.articles import hide, unhide
from ranknews.text.analysis import Analyzer
from ranknews.web.ratelimit import SharedRateLimiter

NOW = datetime(2024, 6, 20, 3, 0, tzinfo=timezone.utc)
FILLER = "이 문장은 검색어와 무관한 채움 문장이다. " * 30  # pushes text past the Kiwi lead


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture(scope="module")
def indexer(analyzer: Analyzer) -> Indexer:
    return Indexer(analyzer, analysis_chars=300, body_chars=4000)


def post(n: int, title: str, body: str = "", **changes) -> Article:
    base = Article(url=f"https://news.example.kr/{n}", outlet="예시일보",
                   outlet_domain="news.example.kr", title=title,
                   published_at=NOW - timedelta(days=30), collected_at=NOW - timedelta(days=30),
                   blocks=(Paragraph(body),) if body else ())
    return replace(base, **changes)


def index_pending(db, indexer=None) -> int:  # noqa: ANN001
    """What a worker does behind ingest for search: analysis, then the documents."""
    return drain(db, Settings(), stages=("analysis", "search")).done.get("search", 0)


def store(db, indexer, *articles: Article) -> None:
    save_articles(db, list(articles))  # queues them for the index, in the same transaction
    index_pending(db, indexer)


def found(db, analyzer, text: str, *, filters=SearchFilters(), options=RankingOptions(),
          limit: int = 20) -> list[str]:
    with db.read() as conn:
        results = search(conn, parse_query(text, analyzer), filters=filters, options=options,
                         limit=limit, now=NOW)
    return [hit.title for hit in results.hits]


CORPUS = [
    post(1, "삼성전자가 HBM3E 12단 양산 시작", "삼성전자의 고대역폭 메모리 출하가 늘었다."),
    post(2, "의협 집단휴진 강행", "대한의사협회(의협)가 18일 집단휴진을 강행했다."),
    post(3, "메타, 자체 AI 칩 MTIA 2세대 공개", "메타가 MTIA를 데이터센터에 배치한다."),
    post(4, "통신3사 5G 요금제 개편", "5G 중저가 요금제가 나온다."),
    post(5, "한미 정상 회담 협력 강화", "양국의 협력이 확대된다. The minister said so."),
    post(6, "전자담배 과세 논의", "삼성 계열사와 무관한 전자담배 세금 이야기다."),
    post(7, "동네 병원 진료 안내", FILLER + "일부 의원은 다음 주 휴진에 들어간다고 밝혔다."),
]


@pytest.fixture
def corpus(db, indexer):
    store(db, indexer, *CORPUS)
    return db


def test_particles_and_inflections_match_the_bare_noun(corpus, analyzer):
    assert found(corpus, analyzer, "삼성전자")[0] == CORPUS[0].title
    assert found(corpus, analyzer, "삼성전자가")[0] == CORPUS[0].title
    assert found(corpus, analyzer, "삼성전자의")[0] == CORPUS[0].title


def test_compound_parts_match_inside_the_lead_and_deep_in_the_body(corpus, analyzer):
    titles = found(corpus, analyzer, "휴진")
    assert CORPUS[1].title in titles
    assert CORPUS[6].title in titles  # 휴진 only after ~900 characters: the bigram path
    assert titles[0] == CORPUS[1].title  # a title match outranks a deep body match


def test_latin_and_number_tokens(corpus, analyzer):
    assert found(corpus, analyzer, "MTIA") == [CORPUS[2].title]
    assert found(corpus, analyzer, "mtia") == [CORPUS[2].title]
    assert found(corpus, analyzer, "HBM3E") == [CORPUS[0].title]
    assert found(corpus, analyzer, "5G") == [CORPUS[3].title]
    assert found(corpus, analyzer, "AI") == [CORPUS[2].title]  # not the "ai" inside "said"


def test_two_syllable_words_match_without_spurious_hits(corpus, analyzer):
    assert found(corpus, analyzer, "의협") == [CORPUS[1].title]  # not "양국의 협력"
    assert CORPUS[1].title in found(corpus, analyzer, "휴진")


def test_misspaced_query_finds_the_word_written_together_first(corpus, analyzer):
    titles = found(corpus, analyzer, "삼성 전자")
    assert titles[0] == CORPUS[0].title
    assert found(corpus, analyzer, "집단 휴진")[0] == CORPUS[1].title


def test_filters_outlet_section_and_dates(db, indexer, analyzer):
    store(db, indexer,
          post(1, "반도체 수출 증가", section="경제", outlet="가나일보",
               outlet_domain="ga.example.kr", published_at=NOW - timedelta(days=2)),
          post(2, "반도체 인력 부족", section="사회", published_at=NOW - timedelta(days=10)))
    assert found(db, analyzer, "반도체", filters=SearchFilters(outlet="ga.example.kr")) == \
        ["반도체 수출 증가"]
    assert found(db, analyzer, "반도체", filters=SearchFilters(outlet="가나일보")) == \
        ["반도체 수출 증가"]
    assert found(db, analyzer, "반도체", filters=SearchFilters(section="사회")) == \
        ["반도체 인력 부족"]
    recent = SearchFilters(date_from=NOW - timedelta(days=5))
    assert found(db, analyzer, "반도체", filters=recent) == ["반도체 수출 증가"]
    older = SearchFilters(date_to=NOW - timedelta(days=5))
    assert found(db, analyzer, "반도체", filters=older) == ["반도체 인력 부족"]


def test_recency_blends_with_relevance(db, indexer, analyzer):
    strong_old = post(1, "반도체 반도체 수출", "반도체 수출이 반도체 업황을 이끈다.",
                      published_at=NOW - timedelta(days=60))
    weak_new = post(2, "무역 동향", "여러 품목 가운데 반도체도 있었다.",
                    published_at=NOW - timedelta(hours=1))
    store(db, indexer, strong_old, weak_new)
    text_only = RankingOptions(recency_weight=0.0)
    assert found(db, analyzer, "반도체", options=text_only)[0] == strong_old.title
    fresh_first = RankingOptions(recency_weight=50.0, half_life_hours=24)
    assert found(db, analyzer, "반도체", options=fresh_first)[0] == weak_new.title


def test_recency_factor_halves_every_half_life():
    assert recency_factor(NOW, NOW, weight=1.0, half_life_hours=72) == pytest.approx(2.0)
    later = NOW + timedelta(hours=72)
    assert recency_factor(NOW, later, weight=1.0, half_life_hours=72) == pytest.approx(1.5)
    assert recency_factor(None, NOW, weight=1.0, half_life_hours=72) == 1.0


def test_highlight_escapes_hostile_titles_before_marking():
    title = '<script>alert("삼성전자")</script> <b>삼성전자</b>가 & AI said'
    marked = str(highlight(title, ["삼성전자", "ai"]))
    assert "<script>" not in marked and "<b>" not in marked
    assert "&lt;script&gt;" in marked and "&amp;" in marked
    assert marked.count("<mark>삼성전자</mark>") == 2
    assert "<mark>AI</mark>" in marked and "s<mark>" not in marked
    assert str(highlight("<i>x</i>", [])) == "&lt;i&gt;x&lt;/i&gt;"


def test_snippet_centres_on_the_first_match():
    text = "가" * 300 + " 집단휴진 " + "나" * 300
    piece = snippet(text, ["휴진"], width=60)
    assert "휴진" in piece and piece.startswith("…") and piece.endswith("…")


BAD_QUERIES = [
    "", "   ", "가" * 10_000, "삼성전자 " * 2_000, '"', '" * : ^', "NEAR AND OR",
    'NEAR("삼성전자" "양산")', "삼성* OR ^휴진", "title:삼성", "{title}: x", "ㅋㅋ", "ㄱ",
    "😀🔥", "😀 삼성전자", "'; DROP TABLE articles; --", "1' OR '1'='1", "\\", "%_%", "\x00",
    "\u202e삼성", "<script>alert(1)</script>",
]


@pytest.mark.parametrize("text", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_bad_queries_give_normal_results(corpus, analyzer, text):
    titles = found(corpus, analyzer, text)
    assert isinstance(titles, list)
    with corpus.read() as conn:  # the table is still there
        assert conn.exec_driver_sql("SELECT count(*) FROM articles").scalar() == len(CORPUS)


def test_syntax_around_a_real_word_still_finds_it(corpus, analyzer):
    assert CORPUS[0].title in found(corpus, analyzer, 'NEAR("삼성전자" *')
    assert CORPUS[0].title in found(corpus, analyzer, "😀 삼성전자")
    assert found(corpus, analyzer, "") == [] and found(corpus, analyzer, "ㅋㅋ") == []


def test_rate_limit_is_per_client_and_refills(db):
    clock = [1_000_000.0]
    limiter = SharedRateLimiter(db, per_minute=60, burst=3, clock=lambda: clock[0])
    assert [limiter.check("1.2.3.4") for _ in range(4)] == [0, 0, 0, 1]
    assert limiter.check("5.6.7.8") == 0  # another client has its own bucket
    clock[0] += 1.0  # one token a second at 60/min
    assert limiter.check("1.2.3.4") == 0 and limiter.check("1.2.3.4") >= 1
    assert SharedRateLimiter(db, per_minute=0, burst=1).check("x") == 0
    # another process (another limiter over the same database) sees the same bucket
    other = SharedRateLimiter(db, per_minute=60, burst=3, clock=lambda: clock[0])
    assert other.check("1.2.3.4") >= 1


def test_import_queues_posts_and_the_index_catches_up(db, indexer, analyzer, tmp_path):
    path = tmp_path / "in.jsonl"
    lines = [{"url": f"https://n.example.kr/{i}", "outlet": "예시일보", "title": title,
              "published": "2024-06-18T09:00:00+09:00", "text": text}
             for i, (title, text) in enumerate([("의협 집단휴진 돌입", "의협이 휴진했다."),
                                                 ("날씨 맑음", "전국이 맑다.")])]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    import_jsonl(db, [path])
    assert found(db, analyzer, "휴진") == []  # imported, not yet indexed
    assert index_pending(db, indexer) == 2
    assert found(db, analyzer, "휴진") == ["의협 집단휴진 돌입"]
    assert index_pending(db, indexer) == 0  # the queue is empty


def test_revised_post_is_reindexed(db, indexer, analyzer):
    store(db, indexer, post(1, "의협 집단휴진 돌입"))
    store(db, indexer, post(1, "정부, 의대 증원 확정"))
    assert found(db, analyzer, "휴진") == []
    assert found(db, analyzer, "증원") == ["정부, 의대 증원 확정"]


def test_hidden_posts_never_appear(db, indexer, analyzer):
    store(db, indexer, post(1, "의협 집단휴진 돌입"), post(2, "휴진 첫날 진료 차질"))
    hide(db, 1, "언론사 요청", actor="test")
    assert found(db, analyzer, "휴진") == ["휴진 첫날 진료 차질"]
    assert "의협 집단휴진 돌입" not in found(db, analyzer, "의협 집단휴진")
    unhide(db, 1, "요청 철회", actor="test")
    assert set(found(db, analyzer, "휴진")) == {"의협 집단휴진 돌입", "휴진 첫날 진료 차질"}


def test_reindex_rebuilds_every_document(db, indexer, analyzer):
    store(db, indexer, *CORPUS)
    before = {q: found(db, analyzer, q) for q in ("삼성전자", "휴진", "MTIA")}
    with db.write() as conn:
        conn.exec_driver_sql("DELETE FROM search_documents")
    assert found(db, analyzer, "삼성전자") == []
    assert reindex(db) == len(CORPUS)
    assert index_pending(db) == len(CORPUS)
    assert {q: found(db, analyzer, q) for q in before} == before


def test_cli_search_prints_hits_best_first(corpus, database_url, monkeypatch):
    from typer.testing import CliRunner

    from ranknews.cli import app

    monkeypatch.setenv("RANKNEWS_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["search", "휴진", "--json", "--limit", "5"])
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert hits[0]["title"] == CORPUS[1].title
    assert {"board_no", "url", "outlet", "title", "score"} <= set(hits[0])
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)
    plain = CliRunner().invoke(app, ["search", "MTIA"])
    assert plain.exit_code == 0 and "MTIA" in plain.output
    assert "기사 1건 · 이야기 1건" in plain.output  # the counts (on stderr)
    partial = CliRunner().invoke(app, ["search", "MTIA 날치기"])
    assert "일부 단어만 일치하는 결과" in partial.output and "MTIA" in partial.stdout


def test_cli_reindex_and_index(corpus, database_url, monkeypatch):
    from typer.testing import CliRunner

    from ranknews.cli import app

    monkeypatch.setenv("RANKNEWS_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["reindex"])
    assert result.exit_code == 0 and f"{len(CORPUS)}건" in result.output
    assert "0건" in CliRunner().invoke(app, ["index"]).output


def test_indexer_reuses_a_stored_analysis_with_todays_terms(indexer):
    """Version 3 changed only ``lead_numbers``: a version-2 analysis is still reused (its
    terms are today's); one older than ``TERMS_SINCE`` is analysed again."""
    from ranknews.text.analysis import TERMS_SINCE, Analysis

    article = replace(post(1, "의협 집단휴진 돌입"), board_no=1)
    stored = Analysis(("저장된", "분석"), (), (), (), version=TERMS_SINCE)
    assert "저장된" in indexer.documents([article], stored={1: stored})[0].title
    older = replace(stored, version=TERMS_SINCE - 1)
    title = indexer.documents([article], stored={1: older})[0].title
    assert "저장된" not in title and "휴진" in title


# ---- natural queries: spacing both ways, partial matches, counts (issue 16) ----------------

NATURAL = [
    post(11, "국민의힘 대표 선출 전당대회 열려", "국민의힘 대표를 뽑는 전당대회가 열렸다."),
    post(12, "반도체특별법 국회 통과", "반도체특별법이 본회의를 통과했다."),
    post(13, "클린스만 감독 경질 공식 발표", "축구협회가 클린스만 감독의 경질을 발표했다."),
    post(14, "구단, 코치 해임 통보", "한 프로구단이 코치를 해임했다고 밝혔다."),
    post(15, "클린스만 해임 뒤 대표팀 새 감독 물색", "클린스만 감독 해임 이후 대표팀이 감독을 찾는다."),
    post(16, "가덕도 신공항 공사 지연", "가덕도 신공항 부지 공사가 늦어지고 있다."),
]


@pytest.fixture
def natural(db, indexer):
    store(db, indexer, *NATURAL)
    return db


def results_for(db, analyzer, text: str, **kwargs):
    with db.read() as conn:
        return search(conn, parse_query(text, analyzer), now=NOW, **kwargs)


def test_spacing_variants_both_ways(natural, analyzer):
    # written together in the query, apart in the article (Kiwi's parts)
    assert found(natural, analyzer, "국민의힘대표")[0] == NATURAL[0].title
    assert found(natural, analyzer, "가덕도신공항")[0] == NATURAL[5].title
    # apart in the query, together in the article (bigrams inside the word)
    assert found(natural, analyzer, "반도체 특별법")[0] == NATURAL[1].title
    assert found(natural, analyzer, "반도체특별법")[0] == NATURAL[1].title


def test_query_words_keep_kiwis_parts_and_names(analyzer):
    units = parse_query("국민의힘대표 민희진의 전공의들 HBM3E", analyzer).units
    assert [[t.text for t in u.terms] for u in units] == [
        ["국민의힘", "대표"], ["민희진"], ["전공의"], ["hbm3e"]]
    assert units[0].joined.text == "국민의힘대표"
    assert units[1].name and not units[2].name  # 민/희/진 (NNP...) glued: one name


def test_some_words_matching_is_never_an_empty_page(natural, analyzer):
    results = results_for(natural, analyzer, "반도체특별법 국회 날치기")  # 날치기: in no post
    assert [h.title for h in results.hits] == [NATURAL[1].title]
    assert results.mode == "or" and results.complete == 0
    assert not results.hits[0].complete
    # one written word whose parts only partly match: its parts count one by one
    results = results_for(natural, analyzer, "국민의힘대변인")  # 대변인: in no post
    assert [h.title for h in results.hits] == [NATURAL[0].title] and results.mode == "or"


def test_every_word_first_then_most_words_then_names(natural, analyzer):
    results = results_for(natural, analyzer, "클린스만 감독 해임")
    titles = [h.title for h in results.hits]
    assert titles[0] == NATURAL[4].title and results.hits[0].complete  # all three words
    assert results.complete == 1 and [h.complete for h in results.hits][1:] == [False] * 2
    # then two of three words, then one; the paraphrase (경질 for 해임) still finds the name
    assert titles[1:] == [NATURAL[2].title, NATURAL[3].title]
    # a name and a word the articles paraphrase: the name's posts come before the word's
    titles = found(natural, analyzer, "클린스만 잘림 해임")
    assert titles.index(NATURAL[2].title) < titles.index(NATURAL[3].title)


def test_counts_say_articles_and_stories(natural, analyzer):
    results = results_for(natural, analyzer, "클린스만")
    assert results.articles == 2 and results.stories == 2
    story_aware = results_for(natural, analyzer, "클린스만", by_story=True)
    assert story_aware.articles == 2 and story_aware.stories == story_aware.candidates
