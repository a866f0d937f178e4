"""Trending keywords: keyword candidates, learned aliases, the burst score, bad input, and the
quality gate on the real headline stream."""

from __future__ import annotations

import subprocess
import sys
from functools import lru_cache

import pytest
from conftest import ROOT, shared_data

from ranknews.rank.aliases import AliasBook, is_abbreviation, learn_aliases
from ranknews.rank.keywords import (
    article_keywords,
    display_keyword,
    keyword_texts,
    outlet_stop_words,
)
from ranknews.rank.trends import (
    DayCounts,
    KeywordDoc,
    TrendParams,
    count_window,
    poisson_burst,
    score_window,
    usual_share,
)
from ranknews.text.analysis import Analyzer


@lru_cache(maxsize=1)
def analyzer() -> Analyzer:
    return Analyzer()


def keywords_of(title: str, lead: str = "", **options) -> tuple[str, ...]:
    texts = keyword_texts(title, lead)
    return article_keywords(analyzer().noun_phrases(texts), **options)


# --- keyword candidates ----------------------------------------------------------------------

def test_names_and_organisations_are_kept_whole():
    words = keywords_of("이재용 삼성전자 회장, 대한의사협회와 집단휴진 논의…SK하이닉스 HBM3E 양산")
    for name in ("이재용", "삼성전자", "대한의사협회", "집단휴진", "SK하이닉스", "hbm3e"):
        assert name in words
    assert "대한" not in words and "협회" not in words


def test_a_name_split_by_kiwi_is_joined_again():
    assert "박대준" in keywords_of("쿠팡 박대준 대표 사과")


def test_labels_series_names_and_stop_words_are_not_keywords():
    words = keywords_of("[속보] [단독] 코스피 급등 [뉴욕증시 브리핑] 오늘 최대")
    assert words == ("코스피", "급등")


def test_outlet_names_and_short_forms_are_excluded():
    excluded = outlet_stop_words(["한국경제", "매일경제"])
    assert {"한국경제", "한경", "매일경제", "매경"} <= excluded
    words = keywords_of("한경 주최 포럼에 매경 기자…삼성전자 참석", excluded=excluded)
    assert "한경" not in words and "매경" not in words and "삼성전자" in words


def test_hanja_abbreviations_become_the_word_they_stand_for():
    words = keywords_of("美 연준 금리 인하…中 반발")
    assert "미국" in words and "중국" in words


def test_index_levels_and_amounts_are_keywords_but_dates_and_counts_are_not():
    words = keywords_of("코스피 6000선 돌파, 유가 100달러…3분기 6월 10년 만에")
    assert "6000" in words and "100달러" in words
    assert not {"3분기", "6월", "10년"} & set(words)


def test_names_written_with_a_particle_or_a_prefix_inside_stay_whole():
    words = keywords_of("배달의민족, 수수료 인하…서학개미 양도세 비과세")
    assert "배달의민족" in words and "민족" not in words
    assert "비과세" in words and "과세" not in words


def test_hyphenated_names_are_one_keyword():
    assert "한빛나노" in keywords_of("이노스페이스 한빛-나노 발사")


def test_acronyms_are_displayed_in_capitals():
    assert display_keyword("ces") == "CES" and display_keyword("삼성전자") == "삼성전자"


# --- aliases learned from the text -------------------------------------------------------------

def test_aliases_are_learned_from_parentheses_in_both_orders():
    text = "대한의사협회(의협)는 18일 집단휴진을 예고했다"
    assert learn_aliases(text) == [("의협", "대한의사협회")]
    assert learn_aliases("전경련(전국경제인연합회) 회장") == [("전경련", "전국경제인연합회")]


def test_parentheses_that_are_not_abbreviations_teach_nothing():
    assert learn_aliases("아이폰(사진)을 공개했다. 스토리(IP) 확보, 삼성전자(005930)") == []
    assert not is_abbreviation("사진", "아이폰")


def test_a_learned_alias_merges_the_variant_into_the_full_name():
    book = AliasBook()
    book.learn("대한의사협회(의협)가 정부와 만났다")
    words = keywords_of("의협, 집단휴진 돌입", aliases=book.mapping())
    assert "대한의사협회" in words and "의협" not in words


def test_the_most_seen_long_form_wins_and_chains_are_not_followed():
    book = AliasBook([("의협", "대한의사협회", 3), ("의협", "의료협동조합", 1)])
    assert book.mapping()["의협"] == "대한의사협회"
    book.add("대한의사협회", "대한의사협회중앙회")
    assert "의협" not in book.mapping() or book.mapping()["의협"] == "대한의사협회"


# --- the burst score -----------------------------------------------------------------------------

def doc(n: int, outlet: str, *words: str, story: int | None = None) -> KeywordDoc:
    return KeywordDoc(key=n, outlet=outlet, keywords=words, story=story)


def steady_days(days: int = 14) -> list[DayCounts]:
    # every day: 100 articles, 정부 in 30 of them, 대통령 in 20, 원화 in 6
    return [DayCounts(docs=100, weights={"정부": 30, "대통령": 20, "환율": 2, "원화": 6})
            for _ in range(days)]


def today(extra: list[KeywordDoc]) -> list[KeywordDoc]:
    outlets = ["한국경제", "매일경제", "서울경제"]
    base = [doc(i, outlets[i % 3], "정부", "기타" + str(i)) for i in range(30)]
    base += [doc(100 + i, outlets[i % 3], "대통령", "다른" + str(i)) for i in range(20)]
    base += [doc(200 + i, outlets[i % 3], "잡담" + str(i)) for i in range(50)]
    return base + extra


def test_frequent_words_at_their_usual_level_do_not_trend():
    trends = score_window(count_window(today([])), steady_days())
    assert "정부" not in [t.keyword for t in trends]
    assert "대통령" not in [t.keyword for t in trends]


def test_a_burst_against_the_baseline_trends_with_its_articles():
    burst = [doc(300 + i, ["한국경제", "매일경제", "서울경제"][i % 3], "한빛나노", "발사")
             for i in range(9)]
    trends = score_window(count_window(today(burst)), steady_days())
    assert trends[0].keyword == "한빛나노"
    assert set(trends[0].articles) == {300 + i for i in range(9)}
    assert "발사" in trends[0].related  # same articles: folded, not a second entry
    assert len(trends[0].outlets) == 3


def test_a_frequent_word_far_above_its_habit_does_trend():
    more = [doc(400 + i, ["한국경제", "매일경제"][i % 2], "환율", "원화", f"x{i}")
            for i in range(20)]
    trends = score_window(count_window(today(more)), steady_days())
    assert "환율" in [t.keyword for t in trends]


def test_a_word_whose_articles_share_nothing_else_does_not_trend():
    """A generic word (확보, 기간) bursting by chance sits in articles about unrelated things;
    an entry needs several articles of two outlets sharing a second keyword."""
    outlets = ["한국경제", "매일경제", "서울경제"]
    scattered = [doc(300 + i, outlets[i % 3], "확보", f"주제{i}") for i in range(8)]
    story = [doc(400 + i, outlets[i % 3], "진은숙", "정부", f"곡{i}") for i in range(4)]
    keywords = [t.keyword for t in score_window(count_window(today(scattered + story)),
                                                steady_days())]
    assert keywords == ["진은숙"]
    one_outlet = [doc(500 + i, "한국경제" if i else "매일경제", "단식", *(
        ("장동혁",) if i else ()), f"z{i}") for i in range(5)]  # the shared word: one outlet
    assert "단식" not in [t.keyword for t in score_window(count_window(today(one_outlet)),
                                                        steady_days())]


def test_a_piece_of_a_longer_keyword_is_not_an_entry():
    outlets = ["한국경제", "매일경제", "서울경제"]
    whole = [doc(300 + i, outlets[i % 3], "배달의민족", "정부", f"x{i}") for i in range(6)]
    piece = [doc(400 + i, outlets[i % 3], "민족", "정부", f"y{i}") for i in range(3)]
    keywords = [t.keyword for t in score_window(count_window(today(whole + piece)),
                                                steady_days())]
    assert "배달의민족" in keywords and "민족" not in keywords


def test_an_everyday_word_does_not_head_an_entry():
    """Document frequency over days: a word seen on three days in four (투자, 성장) is the
    news's everyday vocabulary, not the name of a story, even far above its habit today."""
    history = [DayCounts(docs=100, weights={"투자": 2, "정부": 30}) for _ in range(56)]
    outlets = ["한국경제", "매일경제", "서울경제"]
    now = [doc(300 + i, outlets[i % 3], "투자", "정부", f"u{i}") for i in range(12)]
    now += [doc(400 + i, outlets[i % 3], "업스테이지", "정부", f"v{i}") for i in range(5)]
    counts = count_window(today(now))
    assert "투자" in [t.keyword for t in score_window(counts, history,
                                                    TrendParams(everyday=1.01))]
    assert [t.keyword for t in score_window(counts, history)] == ["업스테이지"]
    few_days = [t.keyword for t in score_window(counts, history[:20])]
    assert "투자" in few_days  # too short a history to call any word everyday


def test_the_score_grows_with_the_size_of_the_burst():
    assert poisson_burst(27, 0.5) > poisson_burst(6, 0.5) > poisson_burst(3, 0.5) > 0
    assert poisson_burst(5, 5) == 0 and poisson_burst(2, 5) == 0


def test_a_word_seen_now_and_then_does_not_trend_like_a_new_name():
    """Generic nouns: seen a few times over the weeks (분야), the same count today is no news;
    a name never seen before with that count is."""
    history = [DayCounts(docs=100, weights={"정부": 30, "대통령": 20, "환율": 2,
                                            "분야": 1 if i % 4 == 0 else 0})
               for i in range(56)]
    outlets = ["한국경제", "매일경제", "서울경제"]
    now = [doc(300 + i, outlets[i % 3], "분야", "정부") for i in range(4)]
    now += [doc(400 + i, outlets[i % 3], "진은숙", "정부") for i in range(4)]
    trends = {t.keyword: t.score for t in score_window(count_window(today(now)), history)}
    assert trends["진은숙"] > 3 * trends.get("분야", 0.0)


def test_a_keywords_own_past_burst_is_left_out_of_its_usual_level():
    """A story that runs for days (or comes back) is compared with the keyword's ordinary
    days, not with its own burst three days ago (Kleinberg's base state)."""
    usual = {"정부": 30, "대통령": 20, "환율": 2}
    ordinary = [DayCounts(docs=100, weights={**usual, "합당": 1 if i % 7 == 0 else 0})
                for i in range(50)]
    burst_day = DayCounts(docs=100, weights={**usual, "합당": 25})
    quiet = [DayCounts(docs=100, weights=usual)] * 2
    outlets = ["한국경제", "매일경제", "서울경제"]
    now = count_window(today([doc(500 + i, outlets[i % 3], "합당", "정부") for i in range(8)]))
    with_burst = score_window(now, ordinary + [burst_day] + quiet)
    without = score_window(now, ordinary + quiet)
    assert with_burst[0].keyword == "합당"
    assert with_burst[0].score == pytest.approx(without[0].score)
    assert with_burst[0].expected == pytest.approx(without[0].expected)


def test_a_steady_words_ordinary_ups_and_downs_stay_in_its_usual_level():
    days = [DayCounts(docs=100, weights={"가구": [1, 3, 0, 2, 4, 1, 2][i % 7]})
            for i in range(56)]
    plain, smoothed = usual_share(days, "가구", TrendParams())
    assert plain == pytest.approx(sum(d.weights["가구"] for d in days) / 5600)
    assert smoothed > plain
    assert usual_share([], "가구", TrendParams()) is None


# --- bad input ---------------------------------------------------------------------------

def test_a_day_with_no_articles_gives_no_trends_and_does_not_distort_the_baseline():
    assert score_window(count_window([]), steady_days()) == []
    burst = [doc(300 + i, ["한국경제", "매일경제"][i % 2], "한빛나노", "발사", f"x{i}")
             for i in range(6)]
    with_gap = steady_days(7) + [DayCounts(docs=0, weights={})] * 7
    a = score_window(count_window(today(burst)), with_gap)
    b = score_window(count_window(today(burst)), steady_days(7))
    assert [t.keyword for t in b] == ["한빛나노"]
    assert [(t.keyword, round(t.score, 6)) for t in a] == [
        (t.keyword, round(t.score, 6)) for t in b]


def test_a_flood_of_near_identical_articles_from_one_outlet_counts_once():
    flood = [doc(500 + i, "한국경제", "광고행사", "할인") for i in range(60)]
    real = [doc(600 + i, ["한국경제", "매일경제", "서울경제"][i % 3], "집단휴진", "의사", f"y{i}")
            for i in range(6)]
    counts = count_window(today(flood + real))
    assert counts.weights["광고행사"] == 1
    keywords = [t.keyword for t in score_window(counts, steady_days())]
    assert "집단휴진" in keywords and "광고행사" not in keywords


def test_one_story_told_by_many_outlets_counts_each_outlet():
    story = [doc(700 + i, outlet, "이혜훈", story=7)
             for i, outlet in enumerate(["한국경제", "매일경제", "서울경제"] * 3)]
    assert count_window(story).weights["이혜훈"] == 3  # three outlets, one story


def test_a_keyword_from_one_outlet_only_does_not_trend_when_several_report():
    solo = [doc(800 + i, "한국경제", "자사포럼", f"z{i}") for i in range(8)]
    assert "자사포럼" not in [t.keyword for t in score_window(count_window(today(solo)),
                                                           steady_days())]


# --- the real headline stream -------------------------------------------------------------

@pytest.mark.data
@pytest.mark.nodb  # the benchmark makes its own SQLite database
def test_benchmark_finds_the_named_events_on_the_checklist_days():
    data = shared_data("headlines", "daily")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "trends.py"), "--quiet", "--data", str(data)],
        capture_output=True, text=True, timeout=900, check=True)
    line = next(x for x in result.stdout.splitlines() if x.startswith("checklist:"))
    hits, total = map(int, line.split()[1].split("/"))
    assert total >= 20
    assert hits >= total - 1, result.stdout  # quality floor: at most one day missed


@pytest.mark.data
@pytest.mark.nodb  # replays the digests in memory
def test_top_ten_entries_name_stories_on_days_held_out_from_tuning():
    """The judge of benchmarks/trends_judging.md: 0.972 on the held-out days (0.711 before
    issue 16), with about eight entries a day; the floor leaves room for noise."""
    data = shared_data("headlines", "daily")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "trends_judge.py"), "--side", "both",
         "--data", str(data)],
        capture_output=True, text=True, timeout=1200, check=True)
    for side in ("held-out", "tuning"):
        line = next(x for x in result.stdout.splitlines() if x.startswith(side + ":"))
        words = line.split()
        named, entries = int(words[1]), int(words[3])
        days = int(line.rsplit("(", 1)[1].split()[0])
        assert days >= 15, line
        assert named / entries >= 0.9, line  # goal of issue 16: 0.85
        assert entries >= 7 * days, line  # ... not by showing next to nothing
