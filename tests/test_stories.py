"""Stories: quality gate on labelled data, bad input, operator decisions, queue, CLI."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import AppClient, shared_data
from typer.testing import CliRunner

from ranknews.cli import app
from ranknews.config import Settings
from ranknews.models import Article, Paragraph
from ranknews.pipeline import drain, restory, settings_clusterer
from ranknews.pipeline.saving import save_articles
from ranknews.store import stories as story_store
from ranknews.store.board import PageMap, article_view
from ranknews.store.tasks import queue_stats
from ranknews.stories.jsonl import ClusterInput, cluster_inputs, read_cluster_input
from ranknews.stories.scoring import bcubed, bcubed_of, half_of, hard_negative_merges, pairwise_f1
from ranknews.text.analysis import Analyzer

T0 = datetime(2024, 6, 18, 1, tzinfo=timezone.utc)


def _process(db) -> int:  # noqa: ANN001
    """Analysis and stories for what waits, as a worker does; the posts analysed."""
    return drain(db, Settings(), stages=("analysis", "stories")).done.get("analysis", 0)


def queue_length(conn, stage: str = "analysis") -> int:  # noqa: ANN001
    return sum(s.pending for s in queue_stats(conn, datetime.now(timezone.utc))
               if s.stage == stage)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_scores_on_known_clusterings() -> None:
    gold = ["a", "a", "b", "c"]
    assert bcubed(gold, gold) == (1.0, 1.0, 1.0)
    p, r, _ = bcubed([1, 2, 3, 4], gold)
    assert p == 1.0 and r == pytest.approx((0.5 + 0.5 + 1 + 1) / 4)
    assert pairwise_f1([1, 1, 1, 1], gold) == pytest.approx(2 * (1 / 6) * 1 / (1 / 6 + 1))


@pytest.fixture(scope="module")
def dev(analyzer: Analyzer) -> tuple[list[dict], dict[str, str]]:
    """The labelled articles and our stories for them (the ``ranknews cluster`` function)."""
    path = shared_data("stories", "dev.jsonl")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    with path.open(encoding="utf-8") as handle:
        inputs = list(read_cluster_input(handle))
    return rows, dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))


def test_quality_gate_on_labelled_stories(dev) -> None:
    """B-cubed F1 floor at the goal, under the measured 0.932 (benchmarks/stories.py)."""
    rows, ours = dev
    predicted = [ours[r["id"]] for r in rows]
    gold = [r["event"] for r in rows]
    precision, recall, f1 = bcubed(predicted, gold)
    assert f1 >= 0.92, (precision, recall, f1)  # measured 0.932 (P 0.906, R 0.960)
    assert pairwise_f1(predicted, gold) >= 0.88  # measured 0.894


def test_hard_negatives_mostly_kept_apart(dev) -> None:
    """Different events sharing names (hardneg_groups.json) rarely share a story.

    Measured: 33 of 547 such pairs merged (6.0%; 5.9% before occurrence counters, 8.2%
    before announced days, 14% before lead
    figures, next-day and minimum-link evidence), mostly rate decisions and follow-ups whose
    reports name no day; the floor keeps that from getting worse.
    """
    rows, ours = dev
    groups = json.loads(shared_data("stories", "hardneg_groups.json").read_text("utf-8"))
    merged, total = hard_negative_merges(rows, ours, groups)
    assert total > 100
    assert merged / total <= 0.07, (merged, total)


@pytest.fixture(scope="module")
def held_out_half(analyzer: Analyzer) -> tuple[list[dict], dict[str, str]]:
    """Half B of the labelled events (``half_of``: a hash of the event id), clustered on its
    own with the default settings: the half that no setting or rule of the current evidence
    was chosen on (benchmarks/stories.py tunes on half A and measures here)."""
    path = shared_data("stories", "dev.jsonl")
    rows = [r for r in map(json.loads, path.open(encoding="utf-8")) if half_of(r["event"]) == "B"]
    inputs = list(read_cluster_input(json.dumps(r, ensure_ascii=False) for r in rows))
    return rows, dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))


def test_halves_are_fixed_by_event_id() -> None:
    """The split does not depend on the file's order or the run: an event's half is a hash."""
    assert [half_of(e) for e in ("e-jejuair-muan-crash", "e-bts-jin-discharged")] == \
        [half_of(e) for e in ("e-jejuair-muan-crash", "e-bts-jin-discharged")]
    assert {half_of(f"e-{n}") for n in range(40)} == {"A", "B"}


def test_quality_floor_on_the_half_never_tuned_on(held_out_half) -> None:
    """Goal B-cubed F1 >= 0.93 on events never tuned on. Measured on half B (36 events, 85
    articles): P 0.933, R 0.936, F1 0.935 (benchmarks/stories.py, "half split")."""
    rows, ours = held_out_half
    assert len(rows) > 60 and len({r["event"] for r in rows}) > 25
    predicted, gold = [ours[r["id"]] for r in rows], [r["event"] for r in rows]
    precision, recall, f1 = bcubed(predicted, gold)
    assert f1 >= 0.93, (precision, recall, f1)
    assert precision >= 0.92 and recall >= 0.92, (precision, recall)


def test_follow_ups_kept_apart_on_the_half_never_tuned_on(held_out_half) -> None:
    """Events with lookalikes (a hard-negative group: follow-ups, a second occurrence, the
    same people another day): each article's B-cubed precision, averaged over those articles,
    i.e. how little of its story belongs to another happening. Measured 0.924 on half B."""
    rows, ours = held_out_half
    groups = json.loads(shared_data("stories", "hardneg_groups.json").read_text("utf-8"))
    family = {e for g in groups.values() for e in g["events"]}
    predicted, gold = [ours[r["id"]] for r in rows], [r["event"] for r in rows]
    precision, recall, items = bcubed_of(predicted, gold, [r["event"] in family for r in rows])
    assert items > 50
    assert precision >= 0.9, (precision, recall, items)


def _inputs(*items: tuple[str, str, str]) -> list[ClusterInput]:
    return [ClusterInput(id=i, title=t, text=x, published=None) for i, t, x in items]


def test_bad_input_never_merges_unrelated_stories(analyzer: Analyzer) -> None:
    live = "\n".join(f"[{h}:00] 실시간 속보 {h}번째 업데이트: 서울 도심 집회 상황과 교통 통제 "
                     f"구간 안내, 시민 불편 접수 현황." for h in range(300))
    inputs = _inputs(
        ("empty1", "여야, 예산안 처리 합의", ""),
        ("empty2", "삼성전자 신제품 공개", ""),
        ("photo1", "[포토] 시민들 산책",
         "서울 여의도 공원에서 시민들이 산책하고 있다. 사진=연합뉴스"),
        ("photo2", "[포토] 시민들 출근길",
         "서울 광화문 일대에서 시민들이 출근하고 있다. 사진=뉴스1"),
        ("live", "[라이브] 도심 집회 실시간", live),
        ("nodate", "한국은행 기준금리 동결", "한국은행 금융통화위원회가 기준금리를 동결했다."),
        ("quake", "경북 경주 규모 3.0 지진", "경북 경주시에서 규모 3.0 지진이 발생했다."),
    )
    stories = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
    assert len(set(stories.values())) == len(inputs), stories


def test_headline_only_items_of_one_event_may_join(analyzer: Analyzer) -> None:
    inputs = _inputs(
        ("a", "제주항공 여객기 무안공항 활주로 이탈 사고 179명 사망", ""),
        ("b", "무안공항 제주항공 여객기 참사 179명 사망 2명 생존", ""),
        ("c", "한국은행 기준금리 3.5% 동결 결정", ""),
    )
    stories = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
    assert stories["a"] == stories["b"] != stories["c"]


def test_same_minister_on_two_days_are_two_stories(analyzer: Analyzer) -> None:
    day = ("조규홍 보건복지부 장관은 {d}일 정부서울청사에서 브리핑을 열고 의대 증원과 "
           "전공의 복귀 대책을 발표했다. 조 장관은 {what}")
    inputs = _inputs(
        ("mon", "조규홍 장관 브리핑", day.format(d=12, what="전공의 면허정지 절차를 밝혔다.")),
        ("mon2", "조규홍 장관 의대 증원 브리핑",
         day.format(d=12, what="면허정지 방침을 재확인했다.")),
        ("thu", "조규홍 장관 브리핑", day.format(d=15, what="수련병원 지원책을 내놨다.")),
    )
    stories = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
    assert stories["mon"] == stories["mon2"] != stories["thu"]


# Unrelated reports of the same window: what makes the shared names of a test rare enough to
# count (document frequencies are those of the window).
BACKGROUND = (
    ("bg1", "한국은행 기준금리 동결", "한국은행 금융통화위원회는 기준금리를 연 3.5%로 동결했다. "
     "물가와 가계부채 흐름을 더 지켜보겠다는 판단이다."),
    ("bg2", "경북 경주 규모 3.0 지진", "경북 경주시에서 규모 3.0 지진이 발생했다. 기상청은 피해 "
     "신고는 없다고 밝혔다."),
    ("bg3", "서울 아파트값 상승세 둔화", "서울 아파트 매매가격 상승률이 3주 연속 둔화했다. "
     "한국부동산원은 거래량 감소가 영향을 미쳤다고 분석했다."),
    ("bg4", "프로야구 개막전 매진", "프로야구 개막전 5경기가 모두 매진됐다. 한국야구위원회는 "
     "관중 10만 명이 입장했다고 밝혔다."),
)


def test_preview_and_the_happening_it_announces_are_two_stories(analyzer: Analyzer) -> None:
    """"내일(16일) 임원회의" and the reports of what that meeting decided share every name; the
    time word tells the preview from the happening (and two reports of it still join).
    Without it, the preview scores about 0.4 with each report, over the threshold."""
    did = ("정몽규 대한축구협회장은 16일 서울 종로구 축구회관에서 임원회의를 열고 클린스만 "
           "감독의 경질을 {what} 정 회장은 아시안컵 부진에 대해 국민께 사과하고 후임 감독 "
           "선임 절차를 전력강화위원회에 맡기겠다고 말했다. 클린스만 감독은 부임 1년 만에 "
           "지휘봉을 내려놓게 됐으며 협회는 위약금 규모를 공개하지 않았다.")
    inputs = _inputs(
        *BACKGROUND,
        ("preview", "축구협회 내일 임원회의…클린스만 감독 경질 결정",
         "대한축구협회는 내일(16일) 오전 10시 서울 종로구 축구회관에서 정몽규 회장과 임원진이 "
         "참석한 가운데 임원회의를 열어 클린스만 감독의 경질 여부를 결정한다. 정 회장은 "
         "아시안컵 부진에 대해 국민께 사과하고 후임 감독 선임 절차도 밝힐 예정이다. 클린스만 "
         "감독은 부임 1년 만에 지휘봉을 내려놓을 가능성이 크다."),
        ("report", "정몽규 회장, 클린스만 감독 경질 발표", did.format(what="발표했다.")),
        ("report2", "축구협회 임원회의, 클린스만 감독 경질 확정",
         did.format(what="확정했다.")),
    )
    stories = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
    assert stories["report"] == stories["report2"] != stories["preview"]


def test_headline_only_item_joins_a_report_stating_it_in_its_lead(analyzer: Analyzer) -> None:
    """A thin item is judged by its headline words, found in the other's headline or lead."""
    inputs = _inputs(
        ("report", "한국 문학의 새 역사를 썼다",
         "스웨덴 한림원은 10일 한국 소설가 한강을 올해 노벨문학상 수상자로 선정했다고 "
         "발표했다. 한림원은 한강의 작품이 역사적 트라우마를 정면으로 마주한 강렬한 시적 산문"
         "이라고 평가했다. 한국인의 노벨문학상 수상은 처음이며 아시아 여성 작가로도 처음이다. "
         "출판계는 한강 작품의 판매가 크게 늘 것으로 내다봤다."),
        ("flash", "[속보] 소설가 한강 노벨문학상 수상", ""),
        ("other", "[속보] 한국은행 기준금리 동결", ""),
    )
    stories = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
    assert stories["flash"] == stories["report"] != stories["other"]


def test_restored_story_bearing_a_new_posts_number_is_joined_not_replaced() -> None:
    """``restory`` carries in stories by id; a post whose number is such an id (its time came
    before a lower-numbered post's) joins that story instead of replacing its state."""
    from ranknews.stories.cluster import StoryClusterer
    from ranknews.stories.signals import Signals

    clusterer = StoryClusterer(window=timedelta(hours=1))
    words = {"예산안": 1.0, "국회": 1.0, "본회의": 1.0, "통과": 1.0}
    clusterer.restore(1, 7, Signals({"지진": 1.0, "경주": 1.0}, frozenset(), T0))
    assert clusterer.assign(7, Signals(words, frozenset(), T0 + timedelta(minutes=50)))[0] == 7
    assert clusterer.story_of(1) == 7
    # post 1 leaves the window; story 7 still holds post 7, which the next report joins
    follow = Signals(words | {"여야": 1.0}, frozenset(), T0 + timedelta(minutes=70))
    assert clusterer.assign(8, follow)[0] == 7
    assert clusterer.story_of(1) is None and clusterer.open_stories == 1


def test_story_lasting_beyond_the_gap_still_takes_reports() -> None:
    """A member published more than max_gap earlier neither counts nor vetoes: a story that
    runs for days (a disaster) keeps taking its follow-up reports."""
    from ranknews.stories.cluster import StoryClusterer
    from ranknews.stories.signals import Signals

    clusterer = StoryClusterer()  # window 72 h, max gap 48 h
    words = {"산불": 1.0, "의성": 1.0, "안동": 1.0, "확산": 1.0}
    first = clusterer.assign(1, Signals(words, frozenset(), T0))[0]
    assert clusterer.assign(2, Signals(words | {"대피": 1.0}, frozenset(),
                                       T0 + timedelta(hours=30)))[0] == first
    late = Signals(words | {"대피": 1.0, "진화": 1.0}, frozenset(), T0 + timedelta(hours=60))
    assert clusterer.assign(3, late)[0] == first


def test_event_days_and_lead_figures() -> None:
    from ranknews.stories.signals import announced, day_gap, figure_conflicts, signals_from
    from ranknews.text.analysis import Analysis

    def signals(lead: tuple[str, ...], time: datetime | None = None):
        return signals_from(Analysis((), (), (), (), lead_numbers=lead, numbers=lead), time)

    nov21, oct21 = signals(("11월", "21일", "3차")), signals(("10월", "21일"))
    assert nov21.days == {1121} and nov21.named_days
    assert day_gap(nov21.days, oct21.days) == 31  # same day of the month, another month
    assert day_gap(nov21.days, signals(("22일",)).days) == 1  # no month: day of the month
    assert day_gap(signals(("12월", "31일")).days, signals(("1월", "1일")).days) == 1
    published = signals((), datetime(2024, 6, 18, 15, tzinfo=timezone.utc))
    assert published.days == {619} and not published.named_days  # Seoul date
    cut, other_cut = signals(("3.50%", "2024년")), signals(("1.75%", "2015년"))
    assert figure_conflicts(cut.figures, signals(("3.5%", "3년")).figures) == 0  # 3.50 = 3.5
    assert figure_conflicts(cut.figures, other_cut.figures) == 2  # rate and year differ
    assert figure_conflicts(cut.figures, signals(("3.5%", "2015년")).figures) == 0
    # announced days (the analysis keeps 오는/내일 before the date): a preview of the 17th
    # contradicts a report of the 17th, not another preview of it
    preview, report = signals(("오는", "10월", "오는", "17일")), signals(("10월", "17일"))
    assert preview.ahead == {1017} and preview.days == {1017} and not report.ahead
    assert announced(preview, report) and announced(report, preview)
    assert not announced(preview, signals(("내일", "17일")))
    assert not announced(signals(("지난", "17일")), report)  # 지난: a day it looks back on
    # a day named far from a known publication day is background: the publication day counts
    old = signals(("24일",), datetime(2024, 10, 10, 3, tzinfo=timezone.utc))
    assert old.days == {1010} and not old.named_days
    near = signals(("9일",), datetime(2024, 10, 10, 3, tzinfo=timezone.utc))
    assert near.days == {9} and near.named_days


def test_occurrence_counters_are_one_unit() -> None:
    """2차, 7연속, 13차례, 3번째 count which occurrence of a repeated happening a lead
    reports: one unit, so 7연속 and 7차례 agree and 7연속 and 13차례 do not."""
    from ranknews.stories.signals import ORDINAL, figure_conflicts, signals_from
    from ranknews.text.analysis import Analysis

    def figures(*lead: str) -> dict:
        return signals_from(Analysis((), (), (), (), lead_numbers=lead, numbers=lead)).figures

    assert figures("7연속")[ORDINAL] == figures("7차례")[ORDINAL] == {"7"}
    assert figure_conflicts(figures("7연속", "3.5%"), figures("7차례", "3.5%")) == 0
    assert figure_conflicts(figures("7연속", "3.5%"), figures("13차례", "3.5%")) == 0  # % agrees
    assert figure_conflicts(figures("7연속"), figures("13차례")) == 1


def test_analysis_counts_occurrences_written_out(analyzer: Analyzer) -> None:
    lead = analyzer.analyze("BTS 멤버 중 두 번째 전역…세 차례 연기 끝 2번째 발표, 3번 출구", "")
    assert lead.lead_numbers == ("2번째", "3차례", "2번째", "3번")
    assert analyzer.analyze("두 번 만났다, 첫 번째 재판", "").lead_numbers == ("1번째",)


def test_repeated_happening_of_another_occurrence_is_another_story(analyzer: Analyzer) -> None:
    """The 7th and the 13th rate hold share every name, word and figure (3.5%) and name no
    day: only the occurrence tells them apart. Two reports of the 7th stay together."""
    hold = ("한국은행 금융통화위원회가 기준금리를 연 3.5%로 {n} 동결했다. 금통위는 이날 "
            "통화정책방향 회의를 열고 물가와 가계부채, 환율 흐름을 고려해 기준금리를 "
            "현 수준에서 유지하기로 결정했다. 이창용 총재는 기자간담회에서 물가 상승률이 "
            "목표 수준으로 수렴할 것이라는 확신이 들 때까지 긴축 기조를 이어가겠다고 밝혔다.")
    inputs = _inputs(
        ("seventh", "한은 기준금리 3.5% 7연속 동결", hold.format(n="7연속")),
        ("seventh2", "한은, 기준금리 3.5%로 7차례 연속 동결", hold.format(n="7차례 연속")),
        ("thirteenth", "한은 기준금리 3.5% 13차례 연속 동결", hold.format(n="13차례 연속")),
    )
    stories = dict(cluster_inputs(inputs, settings_clusterer(Settings()), analyzer))
    assert stories["seventh"] == stories["seventh2"] != stories["thirteenth"]


def test_analysis_keeps_the_time_words_of_lead_dates(analyzer: Analyzer) -> None:
    lead = analyzer.analyze("협회 내일(16일) 임원회의",
                            "제이홉이 오는 17일 전역한다. 지난 2021년 8월 3명이 다음 달 3일 "
                            "모인다. 어제(23일) 5명이 다쳤다.").lead_numbers
    assert lead == ("내일", "16일", "오는", "17일", "지난", "2021년", "지난", "8월", "3명",
                    "오는", "3일", "23일", "5명")


def _post(url: str, title: str, body: str, outlet: str = "연합뉴스", domain: str = "yna.co.kr",
          hours: float = 0) -> Article:
    return Article(url=url, outlet=outlet, outlet_domain=domain, title=title,
                   blocks=tuple(Paragraph(p) for p in body.split("\n")),
                   published_at=T0 + timedelta(hours=hours))


CRASH = ("29일 오전 9시 3분쯤 전남 무안국제공항에서 181명이 탑승한 방콕발 제주항공 여객기가 "
         "착륙 중 활주로를 이탈해 외벽에 충돌했다. 소방당국은 179명이 숨지고 2명이 구조됐다고 "
         "밝혔다. 국토교통부는 조류 충돌 가능성을 조사하고 있다.")
FIRE = ("28일 오후 10시 26분쯤 김해국제공항 계류장에서 승객 170명과 승무원 6명을 태운 홍콩행 "
        "에어부산 여객기 꼬리 쪽에서 불이 났다. 탑승객은 비상 슬라이드로 모두 탈출했으며 "
        "인명 피해는 없었다.")


OTHER = ("방콕발 제주항공 여객기가 29일 오전 무안국제공항에 착륙하다 활주로를 이탈해 "
         "179명이 숨졌다. 생존자 2명은 승무원으로 병원으로 옮겨졌다. 국토교통부와 "
         "소방당국은 조류 충돌과 랜딩기어 이상 가능성을 함께 조사하고 있다. 유가족들은 "
         "무안국제공항 대합실에 모여 신원 확인을 기다렸다. 정부는 사고 수습 본부를 꾸렸다.")


def _board(db) -> list[int]:
    result = save_articles(db, [
        _post("https://www.yna.co.kr/1", "제주항공 여객기 무안공항 참사 179명 사망", CRASH),
        _post("https://news.example/1", "무안공항 제주항공 참사…179명 사망·2명 생존",
              "[예시일보] " + CRASH + "\n관련기사 목록", outlet="예시일보",
              domain="news.example", hours=1),
        _post("https://other.example/1", "무안 제주항공 여객기 활주로 이탈 179명 숨져",
              OTHER,
              outlet="다른신문", domain="other.example", hours=2),
        _post("https://www.yna.co.kr/2", "김해공항 에어부산 여객기 화재…인명피해 없어", FIRE,
              hours=3),
    ])
    return result.inserted


def _wire_mark(conn, board_no: int) -> tuple[int, float] | None:
    """The wire copy mark the article page shows: (the original's number, containment)."""
    pages = PageMap()
    pages.refresh(conn, force=True)
    return article_view(conn, pages, board_no, size=20, default_mode="full").wire_copy


def test_queue_analysis_stories_and_wire_copies(db, analyzer: Analyzer) -> None:
    numbers = _board(db)
    with db.read() as conn:
        assert queue_length(conn) == 4
    done = _process(db)
    assert done == 4
    with db.read() as conn:
        assert queue_length(conn) == 0 and queue_length(conn, "stories") == 0
        story = story_store.story_of(conn, numbers[0])
        assert story_store.members(conn, story) == numbers[:3]
        assert story_store.story_of(conn, numbers[3]) == numbers[3]
        sizes = story_store.story_sizes(conn, numbers)
        assert sizes[numbers[1]] == (numbers[0], 3) and sizes[numbers[3]] == (numbers[3], 1)
        copy = _wire_mark(conn, numbers[1])
        assert copy is not None and copy[0] == numbers[0]
        assert _wire_mark(conn, numbers[2]) is None


def test_wire_copy_found_outside_its_story_and_batch(db, analyzer: Analyzer) -> None:
    """The original is looked for among the recent wire posts, not only the copy's story."""
    wire = save_articles(db, [_post("https://www.yna.co.kr/1", "제주항공 여객기 무안공항 참사",
                                    CRASH)]).inserted[0]
    _process(db)  # an earlier batch
    copy = save_articles(db, [_post("https://copy.example/9", "새해 앞둔 공항의 비극",
                                    "[복사일보] " + CRASH, outlet="복사일보",
                                    domain="copy.example", hours=5)]).inserted[0]
    with db.write() as conn:  # the operator keeps them apart: different stories
        story_store.add_links(conn, [(wire, copy)], "apart", "테스트",
                              datetime.now(timezone.utc))
    _process(db)
    with db.read() as conn:
        assert story_store.story_of(conn, copy) != story_store.story_of(conn, wire)
        found = _wire_mark(conn, copy)
    assert found is not None and found[0] == wire


def test_revision_goes_back_on_the_queue(db, analyzer: Analyzer) -> None:
    numbers = _board(db)
    _process(db)
    save_articles(db, [_post("https://www.yna.co.kr/1", "제주항공 여객기 무안공항 참사 179명 사망",
                             CRASH + "\n정부는 국가애도기간을 선포했다.")])
    with db.read() as conn:
        assert queue_length(conn) == 1
    assert _process(db) == 1
    with db.read() as conn:
        assert story_store.story_of(conn, numbers[0]) == numbers[0]


def test_operator_split_and_merge_survive_restory(db, analyzer: Analyzer) -> None:
    numbers = _board(db)
    settings = Settings()
    _process(db)
    now = datetime.now(timezone.utc)
    with db.write() as conn:
        new_id = story_store.split(conn, numbers[0], [numbers[2]], "다른 사건", now, actor="test")
        story_store.merge(conn, numbers[0], numbers[3], "같은 날 공항 사고 묶음", now,
                          actor="test")
    assert restory(db, settings, None) == 4
    with db.read() as conn:
        assert story_store.story_of(conn, numbers[2]) == new_id == numbers[2]
        assert story_store.members(conn, numbers[0]) == [numbers[0], numbers[1], numbers[3]]


def test_restory_continues_a_story_open_at_the_period_start(db, analyzer: Analyzer) -> None:
    """restory settles again from the start of the hour bucket of its start; the stories
    open before it carry on (from the assigner's snapshot of that bucket)."""
    numbers = _board(db)
    settings = Settings()
    _process(db)
    # the crash story was founded at T0; the period starts within T0's hour: all four posts
    assert restory(db, settings, T0 + timedelta(minutes=30)) == 4
    with db.read() as conn:
        assert story_store.members(conn, numbers[0]) == numbers[:3]
        assert story_store.story_of(conn, numbers[3]) == numbers[3]
    # a later start: the story founded before it still takes the period's posts
    assert restory(db, settings, T0 + timedelta(minutes=90)) == 3
    with db.read() as conn:
        assert story_store.story_of(conn, numbers[2]) == numbers[0]
        assert story_store.members(conn, numbers[0]) == numbers[:3]


def test_restory_command_by_days(db, database_url: str, analyzer: Analyzer) -> None:
    numbers = _board(db)  # 2024-06-18 10:00 to 13:00 in Seoul
    _process(db)
    runner = CliRunner()
    day = runner.invoke(app, ["restory", "--since", "2024-06-18", "--db", database_url])
    assert day.exit_code == 0, day.output
    assert "다시 묶은 글 4건" in day.output
    # a day after the last post: settled again from the assigner's last snapshot before it
    # (the last post's hour), which changes nothing
    later = runner.invoke(app, ["restory", "--since", "2024-06-19", "--db", database_url])
    assert later.exit_code == 0 and "다시 묶은 글 1건" in later.output
    with db.read() as conn:
        assert story_store.members(conn, numbers[0]) == numbers[:3]
    bad = runner.invoke(app, ["restory", "--since", "18/06/2024", "--db", database_url])
    assert bad.exit_code == 2 and "날짜 형식" in bad.output  # a usage error


def test_cluster_command_prints_one_line_per_article(tmp_path: Path) -> None:
    lines = [
        {"id": "x1", "url": "https://a/1", "outlet": "a",
         "title": "제주항공 무안공항 참사 179명 사망",
         "text": CRASH, "published": None},
        {"id": "x2", "url": "https://b/1", "outlet": "b",
         "title": "무안 제주항공 여객기 179명 숨져",
         "text": CRASH, "published": "2024-12-29"},
        {"id": "x3", "url": "https://c/1", "outlet": "c", "title": "김해공항 에어부산 화재",
         "text": FIRE, "published": "2025-01-28T22:30:00+09:00"},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "utf-8")
    result = CliRunner().invoke(app, ["cluster", str(path)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["x1", "x2", "x3"]
    assert out[0]["story"] == out[1]["story"] == "x1" and out[2]["story"] == "x3"


def test_cluster_command_rejects_bad_lines_in_korean(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"title": "id 없음"}\n', "utf-8")
    result = CliRunner().invoke(app, ["cluster", str(path)])
    assert result.exit_code == 1 and "읽을 수 없는 줄" in result.output


# -- pages ---------------------------------------------------------------------------------

def _site(db, analyzer: Analyzer, **settings):
    from ranknews.web.app import create_app

    numbers = _board(db)
    claimed = _post("https://other.example/1", "무안 제주항공 여객기 활주로 이탈 179명 숨져",
                    OTHER, outlet="다른신문", domain="other.example", hours=2)
    claimed.tags = ("단독",)
    save_articles(db, [claimed])
    _process(db)
    app = create_app(Settings.build(**settings), db, cache=False)
    return numbers, AppClient(app)


def test_story_page_shows_full_coverage_and_json_twin(db, analyzer: Analyzer) -> None:
    numbers, client = _site(db, analyzer)
    page = client.get(f"/stories/{numbers[0]}")
    assert page.status_code == 200
    html = page.text
    assert "관련 기사 3건" in html and "첫 보도" in html
    for outlet in ("연합뉴스", "예시일보", "다른신문"):
        assert outlet in html
    assert "통신사 기사 전재" in html and "더 먼저 나온 보도가 있습니다" in html
    data = client.get(f"/stories/{numbers[0]}.json").json()["story"]
    assert [p["board_no"] for p in data["posts"]] == numbers[:3]
    assert data["first"]["board_no"] == numbers[0]
    assert data["posts"][1]["wire_copy_of"] == numbers[0] and data["posts"][0]["wire"]
    assert data["exclusive_claims"] == [{"board_no": numbers[2], "outlet": "다른신문",
                                         "really_first": False}]


def test_board_and_article_show_story_size_and_wire_label(db, analyzer: Analyzer) -> None:
    numbers, client = _site(db, analyzer)
    rows = {r["board_no"]: r for r in client.get("/index.json").json()["board"]["rows"]}
    assert rows[numbers[1]]["story"]["size"] == 3 and rows[numbers[3]]["story"] is None
    assert "관련 기사 3건" in client.get("/").text
    article = client.get(f"/articles/{numbers[1]}")
    assert "통신사 기사 전재" in article.text and f"/stories/{numbers[0]}" in article.text
    assert client.get(f"/articles/{numbers[1]}.json").json()["article"]["wire_copy_of"][
        "board_no"] == numbers[0]


def test_one_row_per_story_board(db, analyzer: Analyzer) -> None:
    numbers, client = _site(db, analyzer, board_one_row_per_story=True)
    rows = [r["board_no"] for r in client.get("/index.json").json()["board"]["rows"]]
    assert rows == [numbers[3], numbers[2]]  # the fire, and the crash story's newest post


def test_unknown_story_is_a_korean_404(db, analyzer: Analyzer) -> None:
    _, client = _site(db, analyzer)
    response = client.get("/stories/99999")
    assert response.status_code == 404 and "이야기 99999번이 없습니다" in response.text


def _stories_board(db, stories: list[int]) -> list[list[int]]:
    """Posts for stories of the given sizes, interleaved in time; returns each story's posts."""
    posts, owner = [], []
    for round_ in range(max(stories)):
        for s, size in enumerate(stories):
            if round_ < size:
                posts.append(_post(f"https://x.example/{s}/{round_}", f"이야기 {s} 보도 {round_}",
                                   f"본문 {s} {round_}", outlet="엑스", domain="x.example",
                                   hours=len(posts) / 10))
                owner.append(s)
    numbers = save_articles(db, posts).inserted
    members: dict[int, list[int]] = {}
    for number, s in zip(numbers, owner):
        members.setdefault(s, []).append(number)
    now = datetime.now(timezone.utc)
    with db.write() as conn:
        story_store.save_members(conn, [(b, ms[0], 1.0) for ms in members.values() for b in ms],
                                 now)
    return [members[s] for s in range(len(stories))]


def test_one_row_per_story_pages_are_full_and_walk_both_ways(db) -> None:
    from ranknews.store.board import PageMap

    # 9 stories, many posts each, interleaved: a page of 4 posts holds few distinct stories
    stories = _stories_board(db, [5, 1, 7, 2, 6, 1, 4, 3, 1])
    from ranknews.store.articles import hide

    hide(db, stories[6][-1], "테스트", actor="test")  # a hidden head: the story's previous post leads
    heads = sorted((ms[-2] if s == 6 else ms[-1] for s, ms in enumerate(stories)), reverse=True)
    pages = PageMap()
    walked, cursor = [], None
    with db.read() as conn:
        while True:
            page = story_store.story_board_page(conn, pages, size=4, before=cursor)
            walked.append([r.board_no for r in page.rows])
            if page.older is None:
                break
            cursor = page.older
        back = []
        while True:
            page = story_store.story_board_page(conn, pages, size=4, after=page.rows[0].board_no) \
                if page.newer is not None else None
            if page is None:
                break
            back.insert(0, [r.board_no for r in page.rows])
    assert walked == [heads[0:4], heads[4:8], heads[8:]]  # full pages, each story once
    assert back == walked[:-1]


def test_one_row_per_story_walk_that_gives_up_early_goes_on(db, monkeypatch) -> None:
    from ranknews.store.board import PageMap

    stories = _stories_board(db, [6, 1, 6, 1, 6, 1])
    heads = sorted((ms[-1] for ms in stories), reverse=True)
    monkeypatch.setattr(story_store, "STORY_BOARD_ROUNDS", 1)  # one batch of 5 posts a page
    seen, cursor = [], None
    with db.read() as conn:
        for _ in range(20):
            page = story_store.story_board_page(conn, PageMap(), size=2, before=cursor)
            seen += [r.board_no for r in page.rows]
            if page.older is None:
                break
            cursor = page.older
    assert seen == heads  # short pages, but every story once and in order


def test_one_row_per_story_board_refuses_page_numbers(db, analyzer: Analyzer) -> None:
    _, client = _site(db, analyzer, board_one_row_per_story=True)
    response = client.get("/?page=2")
    assert response.status_code == 400 and "이전/다음" in response.text
