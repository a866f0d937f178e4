"""Reporter names from bylines: "홍길동 기자", "[OSEN=박준형 기자]",
"(서울=연합뉴스) 홍길동 기자 =".

``authors`` holds people only: roles ("기자", "특파원", "에디터"…), e-mail addresses and
organisation names ("SBS NEWS", "연합뉴스TV", "디지털뉴스부") are not names and are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ranknews.extract.cleanup import EMAIL

_ROLES = ("선임기자", "수석기자", "전문기자", "인턴기자", "객원기자", "기자", "특파원", "에디터",
          "앵커", "논설위원", "논설실장", "위원", "칼럼니스트", "PD", "피디", "작가", "통신원",
          "리포터", "캐스터", "평론가", "교수", "대표", "기상캐스터", "편집위원", "부장", "차장",
          "국장", "팀장", "연구원", "변호사")
_ROLE_SUFFIX = re.compile(r"\s*(?:" + "|".join(sorted(_ROLES, key=len, reverse=True)) + r")\s*$")
_HANGUL_NAME = re.compile(r"^[가-힣]{2,4}$")
_LATIN_NAME = re.compile(r"^[A-Z][a-z]+(?:[ -][A-Z][a-z.]+){1,2}$")
# "홍길동 기자", "홍길동·김철수 기자", in datelines and sign-offs inside the body text.
_BYLINE = re.compile(
    r"(?:^|[\s\[(=/])((?:[가-힣]{2,4}\s*[·,ㆍ]\s*)*[가-힣]{2,4})\s*"
    r"(?:선임기자|수석기자|전문기자|인턴기자|객원기자|기자|특파원)(?=$|[\s\]).,=/]|입니다)"
)
# Places in datelines ("[OSEN=대전, 지형준 기자]", "(워싱턴=연합뉴스)") are not people.
_PLACES = set(
    "서울 부산 대구 인천 광주 대전 울산 세종 수원 창원 고양 용인 성남 청주 전주 천안 안산 "
    "제주 포항 김해 춘천 원주 강릉 안동 목포 여수 순천 군산 구미 경주 진주 평택 의정부 "
    "파주 김포 화성 시흥 경기 강원 충북 충남 전북 전남 경북 경남 무안 홍성 "
    "워싱턴 뉴욕 도쿄 베이징 상하이 파리 런던 베를린 모스크바 브뤼셀 제네바 홍콩 "
    "하노이 방콕 자카르타 뉴델리 두바이 카이로 시드니 토론토 로스앤젤레스 실리콘밸리 "
    "타이베이 싱가포르 마닐라 오사카 키이우 예루살렘 판문점 평양".split()
)
# Credits for photos and video name a photographer, not the article's author.
_CREDIT_BEFORE = re.compile(r"(?:사진|영상|그래픽|촬영|편집|화면|자료)\s*[=:/]?\s*$")
# "(서울=연합뉴스) 임화섭 김지헌 기자 =": several names separated by spaces only in datelines.
_DATELINE = re.compile(r"[(\[][^()\[\]=]{1,12}=[^()\[\]]{1,12}[)\]]\s*"
                       r"((?:[가-힣]{2,4}\s+)*[가-힣]{2,4})\s*(?:기자|특파원)\s*=")
_SPLIT = re.compile(r"\s*[,·ㆍ/&]\s*|\s+(?:and|그리고)\s+")
_NOT_NAMES = {"디지털", "뉴스부", "온라인", "취재팀", "편집부", "사회부", "정치부", "경제부",
              "국제부", "문화부", "연예부", "스포츠", "사진부", "영상부", "기획취재", "특별취재",
              "공동취재", "사진공동", "뉴스팀", "보도국", "연합뉴스", "뉴시스", "뉴스원"}


def person_names(raw: str, *, exclude: Iterable[str] = ()) -> list[str]:
    """The people named in a byline string, roles and e-mails removed, in order."""
    text = EMAIL.sub(" ", raw or "")
    text = re.sub(r"[\[\]()<>]|=", " ", text)
    names: list[str] = []
    excluded = {"".join(e.split()).lower() for e in exclude if e}
    for part in _SPLIT.split(text):
        name = _ROLE_SUFFIX.sub("", " ".join(part.split()))
        if _HANGUL_NAME.match(name.replace(" ", "")) and " " not in name:
            pass
        elif _LATIN_NAME.match(name):
            pass
        else:
            continue
        if name in _NOT_NAMES or name in _PLACES or "".join(name.split()).lower() in excluded:
            continue
        names.append(name)
    return list(dict.fromkeys(names))


def names_in_text(lines: Iterable[str]) -> list[str]:
    """Reporter names from datelines and sign-offs in the body ("홍길동 기자")."""
    found: list[str] = []
    for line in lines:
        for match in _DATELINE.finditer(line):
            found.extend(person_names(",".join(match.group(1).split())))
        for match in _BYLINE.finditer(line):
            if _CREDIT_BEFORE.search(line[max(0, match.start(1) - 8):match.start(1)]):
                continue
            found.extend(person_names(match.group(1)))
    return list(dict.fromkeys(found))
