"""Korean morphological analysis with kiwipiepy, done once per article and shared.

Stories (which articles report the same event), trends (which nouns burst) and search (which
terms match a query) all read the same ``Analysis``. Kiwi costs about 14 µs per character on
one core here, so an article is analysed once and the result stored beside it.

Terms are the content words a reader would search for or a story would share:
- common and proper nouns (NNG, NNP), as Kiwi splits them: 집단휴진 → 집단, 휴진;
- Latin and number runs written together in the text, joined back and lower-cased:
  HBM3E (Kiwi: HBM/SL 3/SN E/SL) → "hbm3e", 5G → "5g";
- ``phrases`` holds adjacent nouns written without a space joined again (집단휴진), so that
  compound names and noun phrases are available whole;
- ``numbers`` holds counted numbers as written, a number with the counter or unit right after
  it (18일, 179명, 3.25%, 234.64포인트): the dates, tolls and figures that tell one event from
  another event about the same people; an occurrence is counted whole (2번째), also when its
  number is a word (두 번째 → 2번째, 세 차례 → 3차례): a second announcement is not the
  first. ``lead_numbers`` are those of the headline and the first ``lead_chars`` characters
  of the body, where Korean news states when it happened;
  a date there that a time word puts before or after the article's own day is preceded by
  that word (``TIME_WORDS``): 지난 7일 → "지난", "7일"; 오는 17일 and 다음 달 3일 → "오는", …;
  내일(16일) → "내일", "16일". A background date (the match of a week ago) and an announced
  one (the ceremony to come) are then not taken for the day the article reports.

``noun_phrases`` gives the keyword units trends count: each run of nouns and Latin words written
together, whole, in reading order (박대준 even when Kiwi splits it as 박대/준; 대한의사협회;
SK하이닉스; hbm3e; 5000선; 100달러; 배달의민족, written with 의 inside one word; 비과세 with
its prefix), plus the proper nouns inside a longer run (삼성전자노조 → 삼성전자), so a name is
counted the same whether or not a suffix noun was glued to it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from ranknews.models import Analysis  # noqa: F401  (where stages have found it)

ANALYZER_VERSION = 6  # 3: lead_numbers carry time words (TIME_WORDS); 4: keyword phrases;
# 5: occurrences written out are counted (2번째 whole, 두 번째 → 2번째, 세 차례 → 3차례);
# 6: a name written with 의 inside (배달의민족), a prefixed noun (비과세) are one keyword phrase
TERMS_SINCE = 2  # analyses from this version on have today's terms, entities and phrases
_NOUN_TAGS = frozenset({"NNG", "NNP"})
_LATIN_TAGS = frozenset({"SL", "SN", "SH"})
# Time words that put the date right after them before or after the article's own day, as
# Kiwi reads them: 지난 (지나/VV + ᆫ/ETM), 오는 (오/VV + 는/ETM), or one noun (지난달, 내일).
PAST, NEXT, TOMORROW = "지난", "오는", "내일"
TIME_WORDS = frozenset({PAST, NEXT, TOMORROW})
_TIME_NOUNS = {"지난달": PAST, "지난주": PAST, "지난해": PAST, "작년": PAST, "내일": TOMORROW,
               "다음달": NEXT, "다음주": NEXT, "내년": NEXT}
_TIME_VERBS = {("지나", "ᆫ"): PAST, ("오", "는"): NEXT}
# Tokens a time word's date may be written with: 지난 2016년 5월 24일, 내일(16일), 다음 달 3일.
_DATE_TAGS = frozenset({"SN", "SSO", "SSC"})
_DATE_PARTS = frozenset({"년", "월"})  # a date goes on after these: 2016년 5월 24일
_DATE_UNITS = _DATE_PARTS | {"일"}  # the counted numbers a time word is kept for
# Numeral words (MM) that count an occurrence with 번째 or 차례: 첫 번째, 두 차례.
_NUMERALS = {"첫": 1, "한": 1, "두": 2, "세": 3, "네": 4, "다섯": 5, "여섯": 6, "일곱": 7,
             "여덟": 8, "아홉": 9, "열": 10}
# What may follow a number to count it: 일/명/시 (NNB), 포인트/세대 (NNG), %/㎞ (SW), km (SL).
_COUNTER_TAGS = frozenset({"NNB", "NNG", "SW", "SL"})


@dataclass(frozen=True, slots=True)
class Token:
    form: str
    tag: str  # Kiwi (Sejong) tag: NNG, NNP, JKS, SL, SN, ...
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class _Terms:
    terms: tuple[str, ...]
    entities: tuple[str, ...]
    phrases: tuple[str, ...]
    numbers: tuple[tuple[str, int], ...] = ()  # (counted number, offset in the text)
    qualified: tuple[tuple[str, int], ...] = ()  # numbers with their time words, in order


class Analyzer:
    """A loaded Kiwi model (about a second to load: make one and pass it around)."""

    def __init__(self, *, body_chars: int = 2000, num_workers: int = 1,
                 lead_chars: int = 150) -> None:
        from kiwipiepy import Kiwi

        self.body_chars = body_chars
        self.lead_chars = lead_chars
        self._kiwi = Kiwi(num_workers=num_workers)
        # one call at a time: workers on threads and the web's query analysis share one model
        # (Kiwi's own threads work inside a call on a list of texts)
        self._lock = threading.Lock()

    def _tokenize(self, texts: str | list[str]) -> list:
        with self._lock:
            return list(self._kiwi.tokenize(texts))

    def terms(self, text: str) -> tuple[str, ...]:
        """Terms of a short text such as a query or a headline."""
        return self._terms(self._tokenize(text), text).terms

    def tokens(self, text: str) -> list[Token]:
        """Kiwi's morphemes of a short text (a search query), with their offsets."""
        return [Token(t.form, t.tag, t.start, t.start + t.len) for t in self._tokenize(text)]

    def readings(self, text: str, n: int) -> list[tuple[list[Token], float]]:
        """Kiwi's ``n`` best readings of a short text (a word of a query), best first, each
        with its log-probability score."""
        with self._lock:
            found = self._kiwi.analyze(text, top_n=n)
        return [([Token(t.form, t.tag, t.start, t.start + t.len) for t in tokens], score)
                for tokens, score in found]

    def analyze(self, title: str, body: str = "") -> Analysis:
        return self.analyze_many([(title, body)])[0]

    def analyze_many(self, items: Sequence[tuple[str, str]], *,
                     keyword_texts: Sequence[Sequence[str]] | None = None) -> list[Analysis]:
        """Analyse (title, body) pairs in one Kiwi call (it can use several cores).

        With ``keyword_texts`` (for each item, the texts whose noun phrases are its keyword
        candidates: the clean headline and the lead), each Analysis also carries those noun
        phrases (``keywords``). They come from the same call: a keyword text that is the
        title, or the start of the body (a lead that is the first paragraph), is read from
        the tokens already made for it; only another text (a summary) is tokenized too."""
        texts: list[str] = []
        for title, body in items:
            texts.append(title or "")
            texts.append((body or "")[: self.body_chars])
        plans = [self._keyword_plan(texts, i, wanted)
                 for i, wanted in enumerate(keyword_texts or [()] * len(items))]
        tokens = self._tokenize(texts)
        results = []
        for i in range(0, 2 * len(items), 2):
            head = self._terms(tokens[i], texts[i])
            body = self._terms(tokens[i + 1], texts[i + 1])
            body_lead = tuple(n for n, at in body.qualified if at < self.lead_chars)
            results.append(Analysis(
                title_terms=head.terms,
                body_terms=body.terms,
                entities=tuple(dict.fromkeys(head.entities + body.entities)),
                phrases=tuple(dict.fromkeys(head.phrases + body.phrases)),
                version=ANALYZER_VERSION,
                numbers=tuple(n for n, _ in head.numbers + body.numbers),
                lead_numbers=tuple(n for n, _ in head.qualified) + body_lead,
                keywords=tuple(_noun_phrases(_within(tokens[at], end), texts[at][:end])
                               for at, end in plans[i // 2]),
            ))
        return results

    @staticmethod
    def _keyword_plan(texts: list[str], item: int,
                      wanted: Sequence[str]) -> list[tuple[int, int]]:
        """Where each keyword text of ``item`` is read from: (index in ``texts``, length);
        a text not already there is added to ``texts``."""
        title, body = texts[2 * item], texts[2 * item + 1]
        plan = []
        for text in wanted:
            if text == title:
                plan.append((2 * item, len(title)))
            elif text and body.startswith(text):
                plan.append((2 * item + 1, len(text)))
            else:
                texts.append(text)
                plan.append((len(texts) - 1, len(text)))
        return plan

    def noun_phrases(self, texts: Sequence[str]) -> list[tuple[str, ...]]:
        """For each text, its noun runs written together (see the module docstring)."""
        return [_noun_phrases(tokens, text)
                for tokens, text in zip(self._tokenize(list(texts)), texts)]

    @staticmethod
    def _terms(tokens: Iterable, text: str) -> _Terms:  # noqa: ANN001
        terms: list[str] = []
        entities: list[str] = []
        phrases: list[str] = []
        numbers: list[tuple[str, int]] = []
        run: list = []  # adjacent noun tokens with no space between them
        latin_start = latin_end = -1
        number = None  # the SN token just before, to pair with its counter
        qualified: list[tuple[str, int]] = []  # numbers, each after its time word if any
        word = number_word = before = None  # time word in force; the number's; last token
        numeral = None  # the value of a numeral word just before (두 번째, 세 차례)
        for tok in tokens:
            end = tok.start + tok.len
            if number is not None and tok.start == number.start + number.len \
                    and tok.tag in _COUNTER_TAGS:
                numbers.append((number.form + tok.form, number.start))
                if number_word is not None and tok.form in _DATE_UNITS:
                    qualified.append((number_word, number.start))
                qualified.append(numbers[-1])
            _ordinal(tok, before, numeral, numbers, qualified)
            if tok.tag == "MM":
                numeral = _NUMERALS.get(tok.form)
            elif not (tok.form == "번" and tok.tag == "NNB"):  # kept over 번 for its 째
                numeral = None
            word = _time_word(before, tok, word)
            before = tok
            # a number inside a name (HBM3E, K9) counts nothing
            glued = tok.start > 0 and text[tok.start - 1].isalpha()
            number = tok if tok.tag == "SN" and not glued else None
            number_word = word if number is not None else None
            if tok.tag in _LATIN_TAGS:
                if tok.start == latin_end:  # written together: HBM + 3 + E
                    latin_end = end
                    terms[-1] = text[latin_start:latin_end].lower()
                else:
                    latin_start, latin_end = tok.start, end
                    terms.append(text[latin_start:latin_end].lower())
                if tok.tag == "SL" or not text[latin_start:latin_end].isdigit():
                    _set_last_entity(entities, text[latin_start:latin_end],
                                     tok.start == latin_start)
                _close_run(run, phrases)
                continue
            latin_end = -1
            if tok.tag in _NOUN_TAGS:
                terms.append(tok.form)
                if tok.tag == "NNP":
                    entities.append(tok.form)
                if run and run[-1].start + run[-1].len != tok.start:
                    _close_run(run, phrases)
                run.append(tok)
            else:
                _close_run(run, phrases)
        _close_run(run, phrases)
        return _Terms(tuple(terms), tuple(dict.fromkeys(entities)), tuple(phrases),
                      tuple(numbers), tuple(qualified))


def _ordinal(tok, before, numeral: int | None, numbers: list, qualified: list) -> None:  # noqa: ANN001
    """Occurrences written out: 2번째 (Kiwi: 2/SN 번/NNB 째/XSN) becomes one counted number
    "2번째" instead of "2번"; a numeral word before 번째 or 차례 (두 번째, 세 차례) is counted
    too ("2번째", "3차례"), as if written in digits. 두 번 (twice) alone is not."""
    if tok.tag == "XSN" and tok.form == "째" and before is not None and before.form == "번" \
            and _touch(before, tok):
        # the counted number whose 번 this is: it ends where 째 begins (2번째, not 3번 … 째)
        if numbers and numbers[-1][0].endswith("번") \
                and numbers[-1][1] + len(numbers[-1][0]) == tok.start:
            old = numbers[-1]
            numbers[-1] = (old[0] + "째", old[1])
            if qualified and qualified[-1] == old:
                qualified[-1] = numbers[-1]
        elif numeral is not None:  # 두 번째: the numeral was in force at 번
            numbers.append((f"{numeral}번째", before.start))
            qualified.append(numbers[-1])
    elif numeral is not None and tok.form == "차례" and tok.tag in ("NNB", "NNG"):
        numbers.append((f"{numeral}차례", tok.start))
        qualified.append(numbers[-1])


def _time_word(before, tok, word: str | None) -> str | None:  # noqa: ANN001
    """The time word in force at ``tok``: set by 지난/오는/내일…, kept over the tokens a date is
    written with (numbers, brackets, 년 and 월), dropped at any other token (일 included: the
    number after a day is no longer part of the date)."""
    if tok.tag in ("NNG", "MAG") and tok.form in _TIME_NOUNS:
        return _TIME_NOUNS[tok.form]
    if tok.tag == "NNG" and tok.form == "달" and before is not None and before.form == "다음":
        return NEXT  # 다음 달
    if tok.tag == "ETM" and before is not None and before.tag == "VV":
        return _TIME_VERBS.get((before.form, tok.form))  # 지나+ᆫ, 오+는
    if word is not None and (tok.tag in _DATE_TAGS
                             or (tok.tag == "NNB" and tok.form in _DATE_PARTS)):
        return word
    return None


def _noun_phrases(tokens: Iterable, text: str) -> tuple[str, ...]:  # noqa: ANN001
    units: list[str] = []
    run: list = []  # noun and Latin tokens written together

    def close() -> None:
        if not run:
            return
        start, end = run[0].start, run[-1].start + run[-1].len
        whole = text[start:end]
        # a number alone is a word only when it is a level or an amount (5000, 1500), not a
        # count or a date part (3, 12)
        if not all(t.tag == "SN" for t in run) or (whole.isdigit() and len(whole) >= 4):
            units.append(whole.lower() if whole.isascii() else whole)
            # the names inside a longer word (삼성전자노조 → 삼성전자), but not the pieces of
            # a name Kiwi split (장동혁 → 장동/혁 is one name)
            if len(run) > 1 and any(t.tag != "NNP" for t in run):
                units.extend(t.form for t in run if t.tag == "NNP" and t.form != whole)
        run.clear()

    tokens = list(tokens)
    for i, tok in enumerate(tokens):
        if tok.tag == "SH":  # a hanja abbreviation (美, 與) is a word of its own
            close()
            run.append(tok)
            close()
        elif tok.tag == "JKG" and run and _touch(run[-1], tok) and i + 1 < len(tokens) \
                and tokens[i + 1].tag in _NOUN_TAGS and _touch(tok, tokens[i + 1]):
            run.append(tok)  # 의 written inside one word is part of a name: 배달의민족
        elif tok.tag == "XPN" and i + 1 < len(tokens) and tokens[i + 1].tag in _NOUN_TAGS \
                and _touch(tok, tokens[i + 1]):
            if not (run and _touch(run[-1], tok)):
                close()
            run.append(tok)  # a prefix is part of its noun: 비과세, 재건축, 불가역
        elif tok.tag == "NNB" and run and run[-1].tag == "SN" and _touch(run[-1], tok):
            run.append(tok)  # an amount with its unit: 100달러, 1500원
        elif tok.tag in _NOUN_TAGS or tok.tag in ("SL", "SN"):
            if not (run and _touch(run[-1], tok) and _glue(run[-1].tag, tok.tag)):
                close()
            run.append(tok)
        else:
            close()
    close()
    return tuple(units)


def _within(tokens: Iterable, end: int) -> list:  # noqa: ANN001
    """The tokens that lie wholly in the first ``end`` characters of their text."""
    return [t for t in tokens if t.start + t.len <= end]


def _touch(before, after) -> bool:  # noqa: ANN001
    return before.start + before.len == after.start


def _glue(before: str, after: str) -> bool:
    """Whether two tokens written together make one word: a number joins Latin letters
    (HBM3E, 5G, G7) and the noun after it (5000선, 3분기), but not a noun before it."""
    if after == "SN":
        return before == "SL"
    return True


def _set_last_entity(entities: list[str], name: str, new: bool) -> None:
    if new or not entities:
        entities.append(name)
    else:
        entities[-1] = name


def _close_run(run: list, phrases: list[str]) -> None:  # noqa: ANN001
    if len(run) > 1:
        phrases.append("".join(t.form for t in run))
    run.clear()


@lru_cache(maxsize=1)
def shared_analyzer() -> Analyzer:
    """One analyzer per process for callers that have none passed in (the CLI)."""
    return Analyzer()


@lru_cache(maxsize=4)
def analyzer_for(threads: int) -> Analyzer:
    """One analyzer per process and thread count (the analysis stage: Kiwi's threads work on
    a batch's texts in parallel)."""
    return shared_analyzer() if threads <= 1 else Analyzer(num_workers=threads)
