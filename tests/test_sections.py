"""Sections: outlet section names and URLs mapped to the eight sections; the shipped classifier
(all eight sections, reads the body's lead, loads without scikit-learn, abstains when unsure,
trained only on text we may redistribute, accuracy floors on the headline digests, on pages of
6 outlets and on labelled stories of 98 outlets, none of which it is trained on)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest
from conftest import ROOT, shared_data

from ranknews.rank.sections import (
    MODEL_PATH,
    SECTIONS,
    SectionClassifier,
    assign_section,
    features,
    section_from_name,
    section_from_url,
    shipped_classifier,
)


@pytest.mark.parametrize("name, section", [
    ("정치", "정치"), ("증권", "경제"), ("부동산", "경제"), ("기업", "경제"), ("IT", "IT/과학"),
    ("iMBC 연예", "연예"), ("생활·문화", "생활/문화"), ("국제", "세계"), ("world", "세계"),
    ("사회", "사회"), ("스포츠", "스포츠"), ("IT·과학", "IT/과학"),
])
def test_outlet_section_names_map_to_the_eight_sections(name, section):
    assert section_from_name(name) == section
    assert section in SECTIONS


def test_unknown_or_empty_section_names_map_to_nothing():
    assert section_from_name("") is None and section_from_name(None) is None
    assert section_from_name("오피니언") is None


def test_section_words_in_the_url_path_count():
    mbc = "https://imnews.imbc.com/news/2023/enter/article/6470701_36161.html"
    assert section_from_url(mbc) == "연예"
    assert section_from_url("https://imnews.imbc.com/news/2023/society/article/1.html") == "사회"
    assert section_from_url("https://www.hankyung.com/article/2025120894251") is None


def test_the_outlet_section_wins_over_the_url_and_the_model():
    clf = shipped_classifier()
    title, url = "국회 본회의 통과", "https://x.kr/sports/1"
    assert assign_section(title, url, "증권", clf) == ("경제", "outlet")
    assert assign_section(title, url, None, clf) == ("스포츠", "url")


def test_the_shipped_model_classifies_headlines_without_scikit_learn():
    code = ("import sys; sys.modules['sklearn'] = None; "
            "from ranknews.rank.sections import shipped_classifier as s; "
            "print(s().classify('국민의힘 원내대표 선출…여야 본회의 합의 불발'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env={"PYTHONPATH": str(ROOT / "src")})
    assert result.stdout.strip() == "정치"


def test_the_model_tells_politics_from_economy_from_it():
    clf = shipped_classifier()
    assert clf.classify("여야, 국회 본회의서 특검법 표결…국민의힘 반발") == "정치"
    assert clf.classify("코스피 상승 마감…외국인 순매수에 반도체주 강세") == "경제"
    assert clf.classify("KAIST 연구팀, 차세대 배터리 전극 소재 개발") == "IT/과학"


def test_the_shipped_model_is_trained_on_redistributable_text_only():
    # ../shared/data's digests, pages and seed board allow test use only (issue 16)
    trained_on = json.loads(gzip.decompress(MODEL_PATH.read_bytes()))["trained_on"]
    sources = {part.split(" (")[0] for part in trained_on.split(", ")}
    assert "corpus" in sources and sources <= {"corpus", "sample"}, trained_on


def test_the_model_knows_all_eight_sections():
    assert sorted(shipped_classifier().classes) == sorted(SECTIONS)


@pytest.mark.parametrize("title, section", [
    ("KIA, 연장 끝내기 홈런으로 한국시리즈 1차전 승리", "스포츠"),
    ("걸그룹 컴백 앨범 초동 100만장 돌파", "연예"),
    ("美 대선 앞두고 공화당 후보 지지율 반등", "세계"),
    ("고속도로 추돌사고로 5명 부상…경찰 음주 여부 조사", "사회"),
    ("주말 전국 맑고 일교차 커…나들이 하기 좋은 날씨", "생활/문화"),
])
def test_the_model_files_the_five_sections_feeds_rarely_label(title, section):
    # headlines written for this test (not in benchmarks/section_corpus)
    corpus = "".join(p.read_text(encoding="utf-8")
                     for p in (ROOT / "benchmarks" / "section_corpus").glob("*.tsv"))
    assert title not in corpus
    assert shipped_classifier().classify(title) == section


def test_the_model_reads_the_lead_when_the_headline_says_little():
    clf = shipped_classifier()
    title = "\"끝까지 포기하지 않았다\""
    politics = ("여야는 국회 본회의에서 특검법 재표결을 두고 충돌했다. 더불어민주당 원내대표는 "
                "국민의힘이 표결을 막고 있다고 비판했고, 대통령실은 거부권 행사를 시사했다.")
    assert clf.guess(title).section != "정치"  # the headline alone gives no clue
    assert clf.guess(title, politics).section == "정치"


def test_the_rank_stage_gives_the_model_the_lead():
    clf = shipped_classifier()
    lead = ("국회 본회의에서 예산안 처리를 두고 여야가 밤늦게까지 대치했다. 국민의힘 원내대표는 "
            "더불어민주당의 단독 처리를 비판했고 대통령실은 재의요구권 행사를 검토하고 있다.")
    assert assign_section("한밤중 대치 소동", "", None, clf, lead=lead) == ("정치", "model")


def test_the_model_abstains_when_unsure():
    clf = SectionClassifier(["정치", "경제"], [0.0, 0.0], {}, threshold=0.6)
    assert clf.classify("아무 단서 없는 제목") is None  # 50/50
    assert clf.guess("아무 단서 없는 제목").confidence == pytest.approx(0.5)


def test_features_ignore_bracketed_labels_and_punctuation():
    assert features("[속보] 국회") == features("국회")
    assert features("‘민희진’…“하이브”") == features("민희진 하이브")


@pytest.mark.data
@pytest.mark.nodb
def test_held_out_accuracy_stays_above_the_floors(tmp_path):
    data = shared_data("headlines", "daily")
    pytest.importorskip("sklearn")
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "train_sections.py"), "--data", str(data),
         "--out", str(tmp_path / "model.json.gz")],
        capture_output=True, text=True, timeout=1200, check=True)
    lines = result.stdout.splitlines()

    def block(marker: str) -> tuple[float, float, dict[str, float]]:
        """(accuracy, majority-class baseline, per-section accuracy) of the first report whose
        heading holds ``marker``."""
        start = next(i for i, x in enumerate(lines) if marker in x and "accuracy" in x)
        head = lines[start]
        per_section = {}
        for line in lines[start + 1:]:
            if not line.startswith("  ") or line.lstrip().startswith(("answered", "the same")):
                break
            per_section[line.split()[0]] = float(line.split()[1])
        return (float(head.split("accuracy ")[1].split()[0]), float(head.split(": ")[-1][:5]),
                per_section)

    # the shipped model is trained on the project's own text only: every set below is held out
    # three business papers' feed headings, all 98 days (measured 0.593; their majority class,
    # 경제, is 0.672: a model trained on them learns that prior, 0.824 on the last 20 days)
    accuracy, _, per_section = block("held-out digests")
    assert accuracy >= 0.56, result.stdout
    assert per_section["경제"] >= 0.56 and per_section["정치"] >= 0.6, result.stdout
    accuracy, baseline, _ = block("held-out pages and seed board")  # measured 0.658
    assert accuracy >= 0.62 and accuracy > baseline + 0.25, result.stdout
    # other outlets' articles, never trained on (stories/dev.jsonl is evaluation only)
    stories, baseline, per_section = block("never trained on: labelled stories")
    assert stories >= 0.83 and stories > baseline + 0.35, result.stdout  # measured 0.863
    for section in ("경제", "정치", "사회", "세계", "스포츠"):
        assert per_section[section] >= 0.7, (section, result.stdout)
    # ...and without the corpus lines on the stories' kinds of event (measured 0.771)
    accuracy, _, _ = block("EVALUATION_TOPICS")
    assert accuracy >= 0.73, result.stdout
    # the digests-trained model, reported beside it on the same stories, does not do better
    # there (measured 0.804 against 0.863)
    compared, _, _ = block("compare: never trained on: labelled stories")
    assert stories >= compared and "side by side, the same items" in result.stdout, result.stdout
    # same data, same command, same bytes
    assert (tmp_path / "model.json.gz").read_bytes() == MODEL_PATH.read_bytes()
