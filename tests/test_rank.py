"""Ranking end to end on a real database: the rank stage over stored posts, trends as of a
moment, the CLI, story scores and their reasons, view counting, and bad input."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import pytest
from typer.testing import CliRunner

from ranknews.cli import app
from ranknews.models import Article, Paragraph
from ranknews.pipeline import refresh_pages, update_rank
from ranknews.pipeline.rank import refile_sections, trends_at
from ranknews.pipeline.saving import save_articles
from ranknews.rank.pages import story_facts
from ranknews.rank.score import PERIODS, Member, StoryFacts, rank_stories, score_story
from ranknews.rank.sections import SectionClassifier, shipped_classifier
from ranknews.rank.views import ViewCounter, is_bot
from ranknews.store import rank as rank_store
from ranknews.store.articles import hide
from ranknews.store.rank import add_views, article_rank, load_snapshot, section_model
from ranknews.text.analysis import Analyzer

KST = timezone(timedelta(hours=9))
NOW = datetime(2026, 1, 20, 12, 0, tzinfo=KST)
OUTLETS = [("한국경제", "www.hankyung.com"), ("매일경제", "www.mk.co.kr"),
           ("서울경제", "www.sedaily.com")]
FILLER = ["정부 예산안 발표", "대통령 국무회의 주재", "코스피 상승 마감", "환율 하락 출발",
          "아파트 분양 시장", "반도체 수출 증가", "은행 대출 금리", "국회 본회의 일정"]


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    return Analyzer()


_n = 0


def post(title: str, at: datetime, outlet: int = 0, *, section: str | None = None,
         text: str = "", tags: tuple[str, ...] = ()) -> Article:
    global _n
    _n += 1
    name, domain = OUTLETS[outlet % 3]
    return Article(url=f"https://{domain}/article/{_n}", outlet=name, outlet_domain=domain,
                   title=title, tags=tags, published_at=at, collected_at=at, section=section,
                   blocks=(Paragraph(text),) if text else ())


def steady_history(days: int = 14) -> list[Article]:
    posts = []
    for d in range(days, 0, -1):
        day = NOW - timedelta(days=d)
        for i, title in enumerate(FILLER * 2):
            posts.append(post(f"{title} {d}-{i}", day + timedelta(minutes=i), i))
    return posts


# what the burst's headlines add to "<word> 발사" (no ordinal: "3번째" vs "4번째" would count
# different occurrences, which the story clustering keeps apart)
ANGLES = ("성공", "현장", "반응", "의미", "전망", "배경", "과제", "환호", "분석", "후속", "영상",
          "일정")


def burst_today(word: str = "한빛나노", n: int = 9) -> list[Article]:
    return [post(f"{word} 발사 {ANGLES[i % len(ANGLES)]} 소식", NOW - timedelta(hours=1, minutes=i),
                 i) for i in range(n)]


def load(db, articles: list[Article]) -> None:
    save_articles(db, articles)
    update_rank(db, now=NOW)


# --- the rank stage over stored posts -----------------------------------------------------------

def test_update_rank_stores_keywords_and_sections_once(db):
    load(db, [post("코스피 6000 돌파", NOW, 0, section="증권"),
              post("여야 원내대표 회동…국회 본회의 합의", NOW, 1)])
    with db.read() as conn:
        rows = {r.board_no: r for r in conn.execute(article_rank.select()).all()}
    assert "6000" in rows[1].keywords and rows[1].section == "경제"
    assert rows[1].section_how == "outlet"
    assert rows[2].section == "정치" and rows[2].section_how == "model"
    assert update_rank(db, now=NOW).indexed == 0  # nothing is analysed twice


def test_a_new_section_model_files_the_posts_the_old_one_filed(db):
    """An upgrade ships a new classifier: the posts the model filed (or could not) are filed
    again by the next rank update, once; the outlet's own sections stay."""
    load(db, [post("코스피 6000 돌파", NOW, 0, section="증권"),
              post("여야 원내대표 회동…국회 본회의 합의", NOW, 1),
              post("걸그룹 컴백 앨범 초동 100만장 돌파", NOW, 2)])
    # the model the posts were filed by: knows only 경제 and 연예, and the word 국회 is 경제
    old = SectionClassifier(["경제", "연예"], [0.0, 0.0],
                            {" 국": [3.0, 0.0], "컴백": [0.0, 3.0], " 컴": [0.0, 3.0]},
                            model_id=1)
    assert refile_sections(db, old) == 1  # 국회 post: 정치 -> 경제
    with db.read() as conn:
        assert section_model(conn) == 1
        rows = {r.board_no: r for r in conn.execute(article_rank.select()).all()}
    assert rows[2].section == "경제" and rows[2].section_how == "model"
    assert rows[3].section == "연예"
    assert refile_sections(db, old) == 0  # same model: nothing to do
    # the next rank update runs the shipped model again and files them back
    assert update_rank(db, now=NOW).refiled == 1
    with db.read() as conn:
        rows = {r.board_no: r for r in conn.execute(article_rank.select()).all()}
        assert section_model(conn) == shipped_classifier().model_id
    assert (rows[1].section, rows[1].section_how) == ("경제", "outlet")
    assert (rows[2].section, rows[2].section_how) == ("정치", "model")
    assert rows[3].section == "연예"


def test_aliases_learned_from_one_post_merge_variants_in_later_ones(db):
    load(db, [post("의사단체 집단휴진 예고", NOW - timedelta(hours=3), 0,
                   text="대한의사협회(의협)는 18일 집단휴진을 예고했다.")])
    load(db, [post("의협, 정부에 대화 제안", NOW - timedelta(hours=1), 1)])
    with db.read() as conn:
        keywords = conn.execute(article_rank.select().where(article_rank.c.board_no == 2)
                                ).one().keywords
    assert "대한의사협회" in keywords and "의협" not in keywords


def test_trends_as_of_a_moment_find_the_burst_and_link_its_posts(db):
    load(db, steady_history() + burst_today())
    trends = trends_at(db, NOW, timezone="Asia/Seoul")
    assert trends[0].keyword == "한빛나노"
    assert len(trends[0].articles) == 9 and len(trends[0].outlets) == 3
    assert "정부" not in [t.keyword for t in trends]
    # the same words a day earlier were not news
    assert "한빛나노" not in [t.keyword for t in
                          trends_at(db, NOW - timedelta(days=1), timezone="Asia/Seoul")]


def test_hidden_posts_do_not_drive_trends(db):
    load(db, steady_history() + burst_today())
    for board_no in range(len(steady_history()) + 1, len(steady_history()) + 8):
        hide(db, board_no, "저작권 요청", actor="test")
    trends = trends_at(db, NOW, timezone="Asia/Seoul")
    assert "한빛나노" not in [t.keyword for t in trends]


def test_a_day_with_no_posts_gives_an_empty_trends_page(db):
    load(db, steady_history())
    assert trends_at(db, NOW + timedelta(days=3), timezone="Asia/Seoul") == []


def test_the_trends_snapshot_is_precomputed(db):
    load(db, steady_history() + burst_today())
    with db.read() as conn:
        computed_at, payload = load_snapshot(conn, "trends")
    assert computed_at == NOW
    first = payload["keywords"][0]
    assert first["keyword"] == "한빛나노" and first["articles"][0]["title"].startswith("한빛나노")


# --- the CLI ---------------------------------------------------------------------------------

def test_cli_trends_at_a_moment(db, database_url):
    save_articles(db, steady_history() + burst_today())
    runner = CliRunner()
    result = runner.invoke(app, ["trends", "--at", "2026-01-20T12:00", "--db", database_url])
    assert result.exit_code == 0, result.output
    assert "1. 한빛나노" in result.output and "언론사 3곳" in result.output
    result = runner.invoke(app, ["trends", "--at", "2026-01-20T12:00", "--json",
                                 "--db", database_url])
    assert json.loads(result.output)["keywords"][0]["keyword"] == "한빛나노"


def test_cli_trends_rejects_a_bad_moment_in_korean(db, database_url):
    result = CliRunner().invoke(app, ["trends", "--at", "어제쯤", "--db", database_url])
    assert result.exit_code == 2 and "시각을 해석할 수 없습니다" in result.output


# --- story scores ------------------------------------------------------------------------------

def member(n: int, outlet: str, minutes_ago: float, *tags: str, section: str = "사회") -> Member:
    return Member(board_no=n, outlet=outlet, at=NOW - timedelta(minutes=minutes_ago),
                  title=f"기사 {n}", tags=tags, section=section)


def test_breadth_of_coverage_beats_volume_from_one_outlet():
    flood = StoryFacts(1, [member(i, "한국경제", 10 + i) for i in range(60)])
    broad = StoryFacts(2, [member(100 + i, o, 30) for i, o in
                           enumerate(["한국경제", "매일경제", "서울경제", "연합뉴스"])])
    ranked = rank_stories([flood, broad], NOW, PERIODS["now"])
    assert [r.story_id for r in ranked] == [2, 1]
    assert ranked[1].article_count == 60 and len(ranked[1].outlets) == 1


def test_each_part_of_the_score_is_shown_with_its_reason():
    story = StoryFacts(3, [member(1, "한국경제", 150), member(2, "매일경제", 20, "속보"),
                           member(3, "서울경제", 5)], views=12)
    ranked = score_story(story, NOW, PERIODS["now"])
    assert ranked.joined_last_hour == ("매일경제", "서울경제")
    assert ranked.breaking and ranked.parts["growth"] == 8 and ranked.parts["breaking"] == 4
    assert ranked.reasons(NOW) == ["언론사 3곳", "첫 보도 2시간 전", "최근 1시간 +2곳", "속보",
                                   "조회 12"]
    # more articles than outlets: the count is shown beside the outlets (it scores nothing)
    again = score_story(StoryFacts(4, [member(1, "한국경제", 150), member(2, "한국경제", 20)]),
                        NOW, PERIODS["now"])
    assert again.reasons(NOW)[:2] == ["언론사 1곳", "기사 2건"]


def test_older_stories_fade_and_leave_the_window():
    fresh = StoryFacts(1, [member(1, "한국경제", 10), member(2, "매일경제", 10)])
    stale = StoryFacts(2, [member(3, "한국경제", 300), member(4, "매일경제", 300)])
    a, b = (score_story(s, NOW, PERIODS["now"]) for s in (fresh, stale))
    assert a.score > b.score
    assert score_story(StoryFacts(3, [member(5, "한국경제", 60 * 7)]), NOW, PERIODS["now"]) is None
    assert score_story(StoryFacts(3, [member(5, "한국경제", 60 * 7)]), NOW, PERIODS["today"])


def test_rankings_per_section_and_period_are_precomputed(db):
    load(db, [post("국회 본회의 특검법 통과", NOW - timedelta(minutes=30), i, section="정치")
              for i in range(3)] + [post("코스피 급등 마감", NOW - timedelta(hours=20), 0,
                                         section="증권")])
    refresh_pages(db, now=NOW)
    with db.read() as conn:
        _, payload = load_snapshot(conn, "rank")
    now_all = payload["periods"]["now"]["sections"]["전체"]
    assert now_all[0]["title"] == "국회 본회의 특검법 통과" and len(now_all[0]["outlets"]) == 3
    assert payload["periods"]["now"]["sections"]["경제"] == []  # 20 hours old: not "now"
    assert payload["periods"]["today"]["sections"]["경제"][0]["title"] == "코스피 급등 마감"


def test_a_flood_of_near_identical_posts_is_one_story(db):
    flood = [post("[속보] 우리회사 신제품 출시 할인 행사", NOW - timedelta(minutes=i), 0)
             for i in range(40)]
    real = [post("정부 의대 정원 확대 발표", NOW - timedelta(minutes=20 + i), i) for i in range(3)]
    load(db, flood + real)
    with db.read() as conn:
        facts = story_facts(rank_store.member_rows(conn, NOW - timedelta(hours=6), NOW),
                            rank_store.views_since(conn, NOW - timedelta(hours=6)))
    assert len(facts) == 2
    ranked = rank_stories(facts, NOW, PERIODS["now"])
    assert ranked[0].title == "정부 의대 정원 확대 발표"


# --- views -----------------------------------------------------------------------------------

UA = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def test_a_visitor_counts_once_per_page_per_hour():
    counter = ViewCounter()
    assert counter.record("story:1", "10.0.0.1", UA, NOW)
    assert not counter.record("story:1", "10.0.0.1", UA, NOW + timedelta(minutes=5))
    assert counter.record("story:2", "10.0.0.1", UA, NOW + timedelta(minutes=6))
    assert counter.record("story:1", "10.0.0.1", UA, NOW + timedelta(hours=1))
    counts = counter.drain()
    assert sum(counts.values()) == 3 and counter.drain() == {}


def test_bots_and_the_operator_are_not_counted():
    counter = ViewCounter(operator_addresses=frozenset({"192.0.2.7"}))
    assert is_bot("Googlebot/2.1") and is_bot("") and is_bot("python-httpx/0.27")
    assert not counter.record("story:1", "10.0.0.2", "Googlebot/2.1 (+http://www.google.com)", NOW)
    assert not counter.record("story:1", "192.0.2.7", UA, NOW)
    assert counter.drain() == {}
    assert counter.dropped["bot"] == 1 and counter.dropped["operator"] == 1


def test_a_burst_of_views_from_one_address_is_rate_limited():
    counter = ViewCounter(per_address=30)
    counted = sum(counter.record(f"story:{i}", "10.0.0.3", f"{UA} v{i}", NOW + timedelta(seconds=i))
                  for i in range(500))
    assert counted == 30 and counter.dropped["burst"] == 470
    assert counter.record("story:9999", "10.0.0.4", UA, NOW)  # others still count


def test_nothing_about_the_visitor_is_kept_across_days():
    counter = ViewCounter()
    counter.record("story:1", "10.0.0.5", UA, NOW)
    first = counter._digest("10.0.0.5")
    counter.record("story:1", "10.0.0.5", UA, NOW + timedelta(days=1))
    assert counter._digest("10.0.0.5") != first  # a new random salt every day
    assert all("10.0.0.5" not in repr(k) for k in counter.drain())


def test_a_view_burst_does_not_move_the_ranking(db):
    broad = [post("정부 의대 정원 확대 발표", NOW - timedelta(minutes=20 + i), i) for i in range(3)]
    single = [post("어느 회사의 작은 소식", NOW - timedelta(minutes=10), 0)]
    load(db, broad + single)
    counter = ViewCounter(per_address=30)
    for i in range(5000):  # one address hammering the small story
        counter.record("article:4", "10.0.0.9", f"{UA} {i}", NOW - timedelta(minutes=5))
    with db.write() as conn:
        add_views(conn, counter.drain())
    refresh_pages(db, now=NOW)
    with db.read() as conn:
        _, payload = load_snapshot(conn, "rank")
    top = payload["periods"]["now"]["sections"]["전체"]
    assert top[0]["title"] == "정부 의대 정원 확대 발표"
    assert top[1]["views"] == 30


@pytest.mark.parametrize("period", list(PERIODS))
def test_an_empty_board_ranks_nothing_without_error(db, period):
    refresh_pages(db, now=NOW)
    with db.read() as conn:
        _, payload = load_snapshot(conn, "rank")
    assert payload["periods"][period]["sections"]["전체"] == []


# --- with the stories stage --------------------------------------------------------------------

def test_rankings_use_stored_stories_and_link_to_their_pages(db):
    from ranknews.config import Settings
    from ranknews.pipeline import drain

    body = ("대한의사협회는 20일 정부의 의대 정원 확대 방침에 반발해 집단휴진에 들어간다고 "
            "밝혔다. 의협 회장은 기자회견에서 정부가 대화에 나서지 않으면 휴진을 이어가겠다고 "
            "말했다. 보건복지부는 업무개시명령을 검토하고 있다.")
    broad = [post(f"의협, 의대 정원 확대 반발 집단휴진 돌입 {i}", NOW - timedelta(minutes=30 + i),
                  i, text=body) for i in range(3)]
    other = [post("어느 회사 신제품 출시 소식", NOW - timedelta(minutes=10), 0,
                  text="어느 회사가 20일 새 제품을 출시했다. 가격은 10만원이다.")]
    save_articles(db, broad + other)
    drain(db, Settings(), stages=("analysis", "stories"))
    update_rank(db, now=NOW)
    with db.read() as conn:
        _, payload = load_snapshot(conn, "rank")
    top = payload["periods"]["now"]["sections"]["전체"][0]
    assert len(top["outlets"]) == 3 and top["article_count"] == 3
    assert top["url"] == f"/stories/{top['story_id']}"
