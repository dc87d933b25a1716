"""What a link or page title says: is it a report (部门预算 / 部门决算 / 绩效自评), a list of
reports (…公开目录), or something else; and the agency, fiscal year and kind it names.

Only hints come out of here: the extractor reads the report itself and uses a hint only where
the text is silent. The words are data (words.csv)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cnfiscal.discover.vocab import words

ROLES = ("report", "listing", "excluded", "vague", "mention", "other")

_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "000012345678" + "9")
_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_CN_YEAR = re.compile(r"[二][〇零○Ｏ一二三四五六七八九]{3}(?=\s*年)")
_YEAR = re.compile(r"((?:19|20)\d\d)\s*(?:年度?|(?=部门|单位|预算|决算|绩效|预决算))")
_BRACKETED = re.compile(r"[【\[〔][^】\]〕]{0,20}[】\]〕]")
_ORG_CHARS = re.compile(r"[\u4e00-\u9fff（）()]+$")
_LEAD_WORDS = ("关于公开", "关于", "公开", "印发")


@dataclass(frozen=True)
class TitleInfo:
    role: str  # one of ROLES
    kind: str = ""  # budget | final_account | performance | "" (not said)
    year: int | None = None
    agency: str = ""
    word: str = ""  # the word that decided the role (kind, exclusion or listing word)

    @property
    def is_report(self) -> bool:
        return self.role == "report"

    def hints(self) -> dict:
        out: dict = {}
        if self.agency:
            out["agency"] = self.agency
        if self.year:
            out["fiscal_year"] = self.year
        if self.kind:
            out["doc_kind"] = self.kind
        return out

    def merged(self, fallback: TitleInfo) -> TitleInfo:
        """This title's fields, the fallback's where this one says nothing."""
        return TitleInfo(
            self.role,
            self.kind or fallback.kind,
            self.year or fallback.year,
            self.agency or fallback.agency,
            self.word or fallback.word,
        )


def _normalize(text: str) -> str:
    text = (text or "").translate(_WIDE_DIGITS).replace("\xa0", " ").replace("\u3000", " ")
    text = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), text)
    return re.sub(r"\s+", " ", text).strip()


def _segments(text: str) -> list[str]:
    parts = [text]
    for sep in words().title_seps:
        parts = [piece for part in parts for piece in part.split(sep)]
    return [p.strip() for p in parts if p.strip()]


def _kind_word(text: str) -> tuple[str, str, int] | None:
    """The longest kind word in `text`: (word, kind, position)."""
    for word, kind in words().kinds:
        pos = text.find(word)
        if pos >= 0:
            return word, kind, pos
    return None


def _trim_org(text: str) -> str:
    """The organisation a run of text ends with: the longest prefix that ends with an
    organisation suffix, after dropping bracketed tags and lead words (关于…)."""
    text = _BRACKETED.sub("", text).strip(" ：:、，,。.-—_")
    m = _ORG_CHARS.search(text)
    if not m:
        return ""
    run = m.group(0)
    for lead in _LEAD_WORDS:
        if run.startswith(lead):
            run = run[len(lead) :]
            break
    best = ""
    for suffix in words().org_suffixes:
        idx = run.rfind(suffix)
        if idx >= 0 and idx + len(suffix) > len(best):
            best = run[: idx + len(suffix)]
    return best if len(best) >= 3 else ""


def _agency(text: str, kind_pos: int, year: re.Match | None) -> tuple[str, int, int]:
    """The agency named before the year or between the year and the kind word, and its
    span (so exclusion words inside the name — 审计局, 采购中心 — do not count)."""
    spans = []
    if year is not None and year.start() < kind_pos:
        spans = [(0, year.start()), (year.end(), kind_pos)]
    else:
        spans = [(0, kind_pos)]
    for start, end in spans:
        piece = text[start:end]
        org = _trim_org(piece)
        if org:
            at = text.find(org, start)
            return org, at, at + len(org)
    return "", 0, 0


def _classify_segment(text: str) -> TitleInfo:
    vocab = words()
    found = _kind_word(text)
    if found is None:
        mention = next((w for w in vocab.mentions if w in text), "")
        return TitleInfo("mention" if mention else "other", word=mention)
    word, kind, pos = found
    year_m = _YEAR.search(text)
    year = int(year_m.group(1)) if year_m else None
    agency, a_start, a_end = _agency(text, pos, year_m)
    rest = text[:a_start] + text[a_end:]
    excluded = next((w for w in vocab.exclude if w in rest), "")
    if excluded:
        return TitleInfo("excluded", kind, year, agency, excluded)
    listing = next((w for w in vocab.listing if w in rest), "")
    if listing:
        return TitleInfo("listing", kind, year, agency, listing)
    if year is None and not agency:
        return TitleInfo("vague", kind, None, "", word)  # a bare column name: 部门预算
    return TitleInfo("report", kind, year, agency, word)


_PRIORITY = {role: n for n, role in enumerate(ROLES)}


def classify_title(text: str) -> TitleInfo:
    """Classify a title. Page titles carry the column and the site after a separator
    ("<article>_<column>_<site>"): each part is read and the most telling one wins; an agency
    missing from it is taken from a part that is only an organisation's name."""
    text = _normalize(text)
    if not text:
        return TitleInfo("other")
    parts = _segments(text)
    infos = [_classify_segment(p) for p in parts]
    best = min(range(len(infos)), key=lambda i: _PRIORITY[infos[i].role])
    info = infos[best]
    if len(parts) > 1 and not info.agency and info.role in ("report", "listing"):
        for i, part in enumerate(parts):
            org = _trim_org(part)
            if i != best and org and org == _BRACKETED.sub("", part).strip():
                return TitleInfo(info.role, info.kind, info.year, org, info.word)
    return info


def exclusion(text: str) -> str:
    """The exclusion word of a title ('' if none): an attachment called 政府信息公开申请表 on
    a report's page is not the report. With a kind word the agency's name is spared (温州市审计局
    2026年部门预算); without one (a bare form's name) the whole text counts."""
    info = classify_title(text)
    if info.role == "excluded":
        return info.word
    if info.role in ("report", "listing", "vague"):
        return ""
    normalized = _normalize(text)
    return next((w for w in words().exclude if w in normalized), "")


def classify_titles(texts: list[str]) -> TitleInfo:
    """The most telling of several titles of one thing (a link's text, the page's
    ArticleTitle, its heading, its <title>), its missing fields filled from the others; a
    title that is only an organisation's name (天津's agency pages) gives the agency."""
    infos = [classify_title(t) for t in texts if t and t.strip()]
    if not infos:
        return TitleInfo("other")
    best = min(infos, key=lambda i: _PRIORITY[i.role])
    for other in infos:
        best = best.merged(other) if other.role in ("report", "listing", "vague") else best
    if not best.agency and best.role in ("report", "listing"):
        for text in texts:
            plain = _BRACKETED.sub("", _normalize(text or "")).strip()
            org = _trim_org(plain)
            if org and org == plain:
                return TitleInfo(best.role, best.kind, best.year, org, best.word)
    return best
