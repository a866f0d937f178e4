"""Duplicates on arrival: URL normalisation, updated versions, wire copies, two-channel data."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from conftest import shared_data
from sqlalchemy import func, select

from ranknews.dedup import containment, normalize_url, shingles
from ranknews.dedup.wire import find_original
from ranknews.extract.blocks import html_to_blocks
from ranknews.models import Article, Paragraph
from ranknews.pipeline.saving import save_articles
from ranknews.store.schema import articles
from ranknews.text.headline import split_tags

T0 = datetime(2024, 6, 16, 9, tzinfo=timezone.utc)
BODY = ("대한의사협회는 16일 서울 용산구 의협 회관에서 기자회견을 열고 18일 전면 휴진을 "
        "예정대로 진행한다고 밝혔다. 의협은 정부가 의대 증원 재검토 요구를 받아들이지 않으면 "
        "무기한 휴진에 들어가겠다고 했다. 정부는 불법 집단행동에 엄정 대응하겠다는 입장이다. "
        "환자단체는 휴진 철회를 촉구했다. 보건복지부는 진료 명령을 내렸다.")


def article(url: str, title: str = "의협, 18일 전면 휴진 강행", body: str = BODY,
            outlet: str = "연합뉴스", domain: str = "yna.co.kr", **kw) -> Article:
    tags, clean = split_tags(title)
    return Article(url=url, outlet=outlet, outlet_domain=domain, title=clean, tags=tags,
                   blocks=tuple(Paragraph(p) for p in body.split("\n") if p),
                   published_at=kw.pop("published_at", T0), **kw)


@pytest.mark.parametrize("variant", [
    "https://www.yna.co.kr/view/AKR2024?utm_source=naver&utm_medium=news",
    "https://m.yna.co.kr:443/view/AKR2024/",
    "https://yna.co.kr/view/AKR2024/amp",
    "https://www.yna.co.kr/view/AKR2024?fbclid=IwAR0x&amp=1",
])
def test_normalize_url_removes_tracking_mobile_amp(variant: str) -> None:
    assert normalize_url(variant) == normalize_url("https://www.yna.co.kr/view/AKR2024")


def test_normalize_url_keeps_parameters_that_name_the_article() -> None:
    a = normalize_url("http://www.kbsm.net/news/view.php?idx=368944&utm_campaign=x")
    b = normalize_url("http://www.kbsm.net/news/view.php?idx=368945")
    assert a != b and "idx=368944" in a


def _count(db) -> int:
    with db.read() as conn:
        return conn.execute(select(func.count()).select_from(articles)).scalar()


def test_same_article_under_other_urls_is_one_post(db) -> None:
    first = save_articles(db, [article("https://www.yna.co.kr/view/AKR2024")])
    again = save_articles(db, [article("https://m.yna.co.kr/view/AKR2024?utm_source=fb"),
                               article("https://www.yna.co.kr/view/AKR2024/amp")])
    assert len(first.inserted) == 1 and not again.inserted
    # each variant is accounted for, and each is the one stored post
    assert again.unchanged == first.inserted * 2
    assert _count(db) == 1


def test_updated_version_is_a_revision_not_a_new_post(db) -> None:
    first = save_articles(db, [article("https://www.yna.co.kr/view/AKR1")])
    update = article("https://www.yna.co.kr/view/AKR2", title="의협, 18일 전면 휴진 강행(종합)",
                     body=BODY + "\n의협은 오후 추가 입장을 냈다.",
                     published_at=T0 + timedelta(hours=3))
    second = save_articles(db, [update])
    assert second.revised == first.inserted and not second.inserted
    assert _count(db) == 1
    # the new address is remembered: the same update again changes nothing
    assert save_articles(db, [update]).unchanged == first.inserted


def test_same_headline_with_another_body_stays_two_posts(db) -> None:
    """The conflict trap: an outlet reuses a headline for a different story."""
    save_articles(db, [article("https://www.yna.co.kr/view/P1", title="[포토] 오늘의 날씨",
                               body="맑고 쌀쌀한 토요일 아침 서울 여의도 공원에서 시민들이 "
                                    "산책하고 있다. " * 3)])
    other = save_articles(db, [article("https://www.yna.co.kr/view/P2", title="[포토] 오늘의 날씨",
                                       body="비가 내리는 월요일 부산 해운대 해수욕장에 "
                                            "우산을 쓴 관광객들이 걷고 있다. " * 3)])
    assert len(other.inserted) == 1 and _count(db) == 2


def test_same_headline_at_another_outlet_is_another_post(db) -> None:
    save_articles(db, [article("https://www.yna.co.kr/view/AKR9")])
    other = save_articles(db, [article("https://news.sbs.co.kr/1", outlet="SBS",
                                       domain="news.sbs.co.kr")])
    assert len(other.inserted) == 1


def test_empty_bodies_never_match_by_content(db) -> None:
    save_articles(db, [article("https://a.example/1", title="첫 번째 속보", body="")])
    other = save_articles(db, [article("https://a.example/2", title="다른 속보", body="")])
    assert len(other.inserted) == 1


def test_wire_copy_found_and_own_reporting_not() -> None:
    wire = article("https://www.yna.co.kr/view/W1")
    wire.board_no = 7
    copy = article("https://daily.example/1", outlet="어느일보", domain="daily.example",
                   body="[어느일보=홍길동 기자] " + BODY + "\n관련기사: 다른 소식")
    own = article("https://daily.example/2", outlet="어느일보", domain="daily.example",
                  body="의협이 휴진을 강행하면서 동네 의원 문이 닫혔다. 환자들은 발길을 "
                       "돌렸고 약국도 한산했다. 주민들은 불편을 호소했다. " * 2)
    found = find_original(copy, [wire])
    assert found is not None and found[0].board_no == 7 and found[1] >= 0.6
    assert find_original(own, [wire]) is None
    assert find_original(wire, [wire]) is None  # a wire story is never a copy


def _channel_text(item: dict) -> str:
    content = item["content"] or ""
    if content.lstrip().startswith("<"):
        return "\n".join(b.text for b in html_to_blocks(content) if isinstance(b, Paragraph))
    return content


def test_two_channels_same_articles_found_by_text() -> None:
    """ebest (plain text) vs naver (HTML): each ebest article's best text match among the naver
    articles is its twin (pairs line up by title); articles without a twin match nothing."""
    folder = shared_data("duplicates")
    naver = json.loads((folder / "naver.json").read_text(encoding="utf-8"))
    ebest = json.loads((folder / "ebest.json").read_text(encoding="utf-8"))
    naver_sh = [shingles(_channel_text(n)) for n in naver]
    titles = [n["title"] for n in naver]
    right = judged = 0
    for item in ebest:
        own = shingles(_channel_text(item))
        if len(own) < 40:
            continue  # empty or too short: the check must not claim a match
        scores = [containment(own, other) for other in naver_sh]
        best = max(range(len(naver)), key=scores.__getitem__)
        if item["title"] in titles:
            judged += 1
            right += titles[best] == item["title"]
        else:
            assert scores[best] < 0.5, item["title"]
    assert judged >= 15
    assert right / judged >= 0.9


def test_conflict_examples_same_title_is_not_same_article() -> None:
    """Same headline from several outlets: the wire text through two channels is one text;
    the outlets' own versions are not identical copies of it."""
    for name in ("conflict-example-1.json", "conflict-example-2.json"):
        items = json.loads(shared_data("duplicates", name).read_text(encoding="utf-8"))
        texts = [shingles(_channel_text(i)) for i in items]
        wire = [k for k, i in enumerate(items) if i["provider"] in ("11", "연합뉴스")]
        assert len(wire) == 2
        a, b = wire
        assert max(containment(texts[a], texts[b]), containment(texts[b], texts[a])) >= 0.6
        for k in range(len(items)):
            if k not in wire:
                assert containment(texts[k], texts[b]) < 0.9


@pytest.mark.parametrize("a, b", [
    ("https://www.example.co.kr/news/view.php?n=1", "https://www.example.co.kr/news/view.php?n=2"),
    ("http://www.kbsm.net/news/view.php?no=123", "http://www.kbsm.net/news/view.php?no=124"),
    ("https://n.news.naver.com/main/read.nhn?oid=001&aid=0014767890",
     "https://n.news.naver.com/main/read.nhn?oid=001&aid=0014767891"),
    ("https://n.news.naver.com/main/read.nhn?oid=001&aid=0014767890",
     "https://n.news.naver.com/main/read.nhn?oid=020&aid=0014767890"),
    ("https://www.example.com/article?id=5&from=main", "https://www.example.com/article?id=5"),
    ("https://www.example.com/view?output=1", "https://www.example.com/view"),
])
def test_normalize_url_never_drops_a_parameter_it_does_not_know(a: str, b: str) -> None:
    """Unknown parameters may be the article's identity: two such URLs stay two URLs."""
    assert normalize_url(a) != normalize_url(b)


@pytest.mark.parametrize("tracked", [
    "https://www.yna.co.kr/view/AKR2024?utm_source=naver&utm_medium=news&utm_campaign=x",
    "https://www.yna.co.kr/view/AKR2024?fbclid=IwAR0x",
    "https://www.yna.co.kr/view/AKR2024?gclid=abc&UTM_Term=y",
    "https://www.yna.co.kr/view/AKR2024?ref=twitter&ref_src=twsrc",
    "https://www.yna.co.kr/view/AKR2024?igshid=1&msclkid=2&mc_cid=3&mc_eid=4&_ga=5",
    "https://www.yna.co.kr/view/AKR2024?outputType=amp",
])
def test_normalize_url_drops_listed_tracking_parameters(tracked: str) -> None:
    assert normalize_url(tracked) == normalize_url("https://www.yna.co.kr/view/AKR2024")


def test_normalize_url_keeps_identity_and_drops_tracking_in_one_url() -> None:
    a = normalize_url("https://m.news.example.com/read?aid=7&utm_source=kakao&oid=1#comments")
    b = normalize_url("https://news.example.com/read?oid=1&aid=7")
    assert a == b == "https://news.example.com/read?aid=7&oid=1"


@pytest.mark.parametrize("url", [
    "https://www.hankyung.com/article/2025120894251", "http://M.MK.co.kr/news/economy/1/",
    "https://www.sedaily.com/NewsView/2H1/Amp", "https://x.example", "https://x.example:8443/a",
    "https://user@x.example/a", " https://x.example/a/ ", "HTTPS://X.example/A",
    "https://x.example/a#frag", "https://[::1]/a", "ftp://x.example/a",
])
def test_normalize_url_plain_path_is_the_general_path(url: str) -> None:
    """The fast path for query-less addresses gives what urllib's general path gives."""
    from ranknews.dedup.urls import _general
    assert normalize_url(url) == _general(url.strip())


def test_repeated_lines_in_one_batch_are_each_accounted_for(db) -> None:
    """Every article of a batch is inserted, revised or unchanged: a later copy of a post in
    the same batch is never silently dropped, and a changed copy leaves a revision."""
    a = article("https://www.yna.co.kr/view/R1")
    changed = article("https://www.yna.co.kr/view/R1", title="의협, 18일 전면 휴진 강행(종합)",
                      body=BODY + "\n의협은 오후 추가 입장을 냈다.")
    other = article("https://www.yna.co.kr/view/R2", title="다른 기사 제목입니다",
                    body="전혀 다른 내용의 기사 본문입니다. " * 20)
    variant = article("https://m.yna.co.kr/view/R1?utm_source=fb",
                      title="의협, 18일 전면 휴진 강행(종합)",
                      body=BODY + "\n의협은 오후 추가 입장을 냈다.")
    result = save_articles(db, [a, a, other, changed, variant])
    assert result.inserted == [1, 2]
    assert result.unchanged == [1, 1] and result.revised == [1]
    assert result.articles == 5 and result.repeated == 3
    assert _count(db) == 2
    with db.read() as conn:
        from ranknews.store.articles import get_article, revisions
        assert get_article(conn, 1).tags == ("종합",)
        assert [r["snapshot"]["title"] for r in revisions(conn, 1)] == ["의협, 18일 전면 휴진 강행"]


def test_one_batch_gives_what_one_at_a_time_gives(db) -> None:
    """Saving [v1, v2, v1] in one batch leaves the same post and history as three saves."""
    from ranknews.store.articles import get_article, revisions

    def versions(url: str, title: str, body: str) -> list[Article]:
        v1 = article(url, title=title, body=body)
        return [v1, article(url, title=f"{title}(2보)", body=body), v1]

    together = save_articles(db, versions("https://www.yna.co.kr/view/S1", "의협 휴진", BODY))
    # another story, or the dedup keys would make the second set the first post again
    apart = [save_articles(db, [v]) for v in versions(
        "https://www.yna.co.kr/view/S2", "정부 대응", "정부는 진료 명령을 내렸다. " * 20)]
    assert together.inserted == [1] and together.revised == [1, 1]
    assert apart[0].inserted == [2] and apart[1].revised == apart[2].revised == [2]
    with db.read() as conn:
        history = [[(r["revision"], r["content_hash"], r["snapshot"]["tags"])
                    for r in revisions(conn, n)] for n in (1, 2)]
        final = [get_article(conn, n) for n in (1, 2)]
    assert [[(n, tags) for n, _, tags in h] for h in history] == [[(1, []), (2, ["2보"])]] * 2
    assert [(f.title, f.tags) for f in final] == [("의협 휴진", ()), ("정부 대응", ())]


def test_same_headline_in_one_batch_finds_the_right_post(db) -> None:
    """Two different stories under one headline in a batch, then an update of each: each
    update joins its own story (the headline key proposes both, the bodies decide)."""
    rain = ("비가 내리는 월요일 부산 해운대 해수욕장에 우산을 쓴 관광객들이 걷고 있다. "
            "기상청은 남부 지방에 최고 80mm의 비가 오겠다고 예보했다. 항공편 일부가 결항했고 "
            "해안 도로에는 차량 통제가 이어졌다.")
    sun = ("맑고 쌀쌀한 토요일 아침 서울 여의도 공원에서 시민들이 산책하고 있다. 아침 최저 "
           "기온은 영하 3도까지 내려갔고 한낮에는 영상 8도로 오르겠다. 미세먼지 농도는 전국이 "
           "좋음 수준을 보이겠다.")
    title = "[포토] 오늘의 날씨"
    result = save_articles(db, [
        article("https://www.yna.co.kr/view/W1", title=title, body=sun),
        article("https://www.yna.co.kr/view/W2", title=title, body=rain),
        article("https://www.yna.co.kr/view/W3", title=title, body=rain + "\n오후에 그친다."),
        article("https://www.yna.co.kr/view/W4", title=title, body=sun + "\n낮엔 풀린다."),
    ])
    assert result.inserted == [1, 2] and result.revised == [2, 1]


def test_body_fingerprint_ignores_every_kind_of_space_and_punctuation() -> None:
    """The stored ``c:`` keys depend on ``flatten`` staying the same function: letters and
    digits only. Every whitespace character must go (flatten removes plain spaces itself and
    leaves the rest to ``[\\W_]``), and letters of every script stay."""
    import re
    import sys

    from ranknews.dedup.fingerprint import body_fingerprint, flatten

    spaces = [c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()]
    assert all(re.fullmatch(r"[\W_]", c) for c in spaces)
    assert flatten("삼성전자,\u3000메타\tAI 칩\u00a0‘MTIA’_수주\n가능성…") == "삼성전자메타AI칩MTIA수주가능성"
    body = "이재용 삼성전자 회장이 메타 AI 칩 수주에 나섰다. " * 10
    respaced = body.replace(" ", "\u00a0").replace(".", "…") + "\u2028"
    assert body_fingerprint(body) == body_fingerprint(respaced) is not None
    assert body_fingerprint(body) != body_fingerprint(body.replace("메타", "아마존"))


class _RecordingLookup:
    """The stored posts of ``stored`` (board number → article) as a save's lookup sees them,
    recording which ones were read in full."""

    def __init__(self, stored: dict[int, Article]) -> None:
        from ranknews.dedup import article_keys
        from ranknews.store.prepare import StoredPost

        self.stored = stored
        self.posts = {n: StoredPost(n, a.url, None, f"hash{n}", 1, a.published_at)
                      for n, a in stored.items()}
        self.keys = [(k, n) for n, a in stored.items() for k in article_keys(a)]
        self.read_in_full: list[int] = []

    def posts_by_url(self, urls: list[str]) -> list:
        return [p for p in self.posts.values() if p.url in urls]

    def numbers_by_key(self, keys: list[str]) -> list[tuple[str, int]]:
        return [(k, n) for k, n in self.keys if k in keys]

    def posts_by_number(self, numbers: list[int]) -> list:
        return [self.posts[n] for n in numbers]

    def articles(self, numbers: list[int]) -> dict[int, Article]:
        self.read_in_full.extend(numbers)
        return {n: self.stored[n] for n in numbers}


def test_a_recurring_headline_reads_only_the_posts_an_update_could_be() -> None:
    """A headline an outlet uses every day names more stored posts every day. A new article
    under it is compared only with the ones published within the update gap; it still joins
    the post it updates, and a month-old post's body under a new date is a new post."""
    from ranknews.dedup.plan import SavePlan
    from ranknews.pipeline.saving import prepare_article

    title = "[표] 외국인 순매수 상위 종목"
    def table(day: int) -> str:  # another day's figures: no run of characters in common
        return " ".join(chr(0xAC00 + (day * 131 + k * 17) % 11172) * 2 for k in range(120))

    daily = {n: article(f"https://www.yna.co.kr/view/T{n}", title=title, body=table(n),
                        published_at=T0 - timedelta(days=n)) for n in range(1, 41)}
    lookup = _RecordingLookup(daily)
    update = article("https://www.yna.co.kr/view/NEW", title=title,
                     body=daily[1].text + "\n오후 수치를 더했다.", published_at=T0)
    month_old = article("https://www.yna.co.kr/view/OLD", title=title,
                        body=daily[30].text + "\n오후 수치를 더했다.", published_at=T0)
    plan = SavePlan([prepare_article(a, now=T0, dialect="sqlite") for a in (update, month_old)],
                    lookup)
    assert sorted(lookup.read_in_full) == [1, 2, 3]  # within three days of T0, not 40 posts
    assert [(kind, post.board_no) for kind, post in plan.outcomes] == [
        ("revised", 1), ("inserted", None)]
