"""Safeguarding triage: could this text be a disclosure about a specific child at
risk now, or an allegation against someone who works with children?

A small scored model, not a phrase list. Word-bounded, inflected signals fall in
families (physical harm, sexual harm, exploitation, FGM risk, neglect, carers under
the influence, self-harm, allegations against professionals). Idioms that use the
same words ("a bruising meeting", "locked in to a contract", "hit us hardest") are
removed first. A family's weight counts for more when the text is about a specific
child (pronouns, "a boy on my caseload", a name or age) and is happening now, and
for less when it discusses a service (strategy, policy, training, statistics) or a
case long closed. The reasons name families and cues only, never the text, so
they can be stored beside the item and shown to the safeguarding lead.

A false alarm costs a lead a minute (their "send to moderation" releases it); a
miss can cost a child. The threshold leans towards alarms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OBJECT = r"(?:him|her|them|me|us|the (?:child|baby|boy|girl|kids|children|toddler))"
# Idioms and service talk that reuse harm words: removed before looking for signals.
_IDIOMS = re.compile(
    r"\bbruising (?:meeting|experience|encounter|session|inspection|year|week|"
    r"conversation|day|process|time)s?\b"
    r"|\b(?:hit|hits|hitting) (?:us|the (?:team|service|budget|early help)|our \w+|"
    r"services|budgets?|hard|hardest|the ground)\b(?: hard(?:est)?)?"
    r"|\blocked in(?:to)? (?:to )?(?:a|an|the|our)? ?(?:\w+ )?(?:contract|system|"
    r"agreement|arrangement|lease|deal)\b"
    r"|\b(?:kill|kills|killing|killed) (?:the team|continuity|morale|us|it|our \w+)"
    r"|\bnearly killed\b|\bbudget cuts?\b|\bcuts? (?:to|in) (?:the )?(?:budget|"
    r"funding|services?|staff)|\bcut (?:back|down|short)\b"
    r"|\b(?:restraint|restraining) (?:training|policy|figures|data|records?)\b"
    r"|\bburn(?:s|ed|ing|t)? (?:\w+ ){0,4}?out\b|\bburnout\b"
    r"|\b(?:hit|hits|hitting|meet|meeting|missing) (?:the |our )?(?:timescales?|"
    r"targets?|deadlines?|figures|the point|kpis?)\b"
    r"|\b(?:paperwork|reasoning|information|records?|file|details?|evidence|papers?) "
    r"(?:\w+ ){0,4}?(?:is|are|was|were|went|goes) missing\b"
)
_FAMILIES: dict[str, tuple[str, float]] = {
    "physical": (
        r"\b(?:hit|hits|hitting|smack\w*|slap\w*|punch\w*|kick(?:s|ed|ing)?|"
        r"beat(?:s|en|ing)? (?:"
        + _OBJECT
        + r"|up)|push(?:es|ed|ing)? "
        + _OBJECT
        + r"|shov\w*|grab(?:s|bed|bing)? "
        + _OBJECT
        + r"|drag(?:s|ged|ging)? "
        + _OBJECT
        + r"|throttl\w*|strangl\w*|chok(?:e|es|ed|ing) "
        + _OBJECT
        + r"|restrain(?:s|ed|ing)? "
        + _OBJECT
        + r"|(?:lock|locks|locked|locking|"
        r"shut|shuts) (?:\w+ ){0,2}in\b|belt\b|slipper|black eye|marks? on (?:his|"
        r"her|their)|bruis\w*|burns?\b|burnt|scald\w*|fractur\w*|broken (?:arm|leg|"
        r"wrist|rib|bone)s?|(?:cut|split|burst) lip|injur\w*|hurt(?:s|ing)? "
        + _OBJECT
        + r"|shak(?:e|es|ing|en)|shook "
        + _OBJECT
        + r"|grip(?:s|ped|ping)? (?:\w+ ){0,2}(?:face|neck|arm|throat)|hands? "
        r"(?:round|around) (?:\w+['’]?s? )?(?:neck|throat))",
        1.5,
    ),
    "sexual": (
        r"\b(?:touch(?:ed|es|ing) (?:her|him|them|me)|sexual\w*|groom\w*|indecent|"
        r"rape\w*|explicit (?:images|photos|pictures)|nudes?\b|sexually|strok(?:es|ed|"
        r"ing) (?:her|his) (?:hair|leg|face|arm)|comes? into (?:her|his|the) "
        r"(?:room|bedroom|bathroom)|does things|(?:our|their|a) secret\b|not to tell "
        r"(?:anyone|anybody|her parents|his parents|mum|dad)|keep (?:their|our|it|the) "
        r"(?:chats?|messages|secret)|calling (?:her|him) ['‘]?babe)",
        2.0,
    ),
    "exploitation": (
        r"£\d+|\b(?:(?:going|gone|went|been|was|is|reported) missing|missing "
        r"(?:\w+ ){0,3}(?:times|again|overnight)|(?:hasn't|has not|not) been home|"
        r"new (?:phones?|trainers|clothes)|(?:two|three|several) phones|cash|"
        r"older ['‘]?(?:lads|men|"
        r"boys|males|associates|man|mates?|friends?|boyfriend)|adult (?:men|males)|"
        r"picked up by|picks (?:him|her) up|found by (?:the )?police|county lines|"
        r"running drugs|drugs? (?:runs?|debt)|vapes|lifts|with alcohol on (?:her|him)|"
        r"gives? (?:her|him|them) (?:cannabis|drugs|alcohol|money|weed)|be nice to)",
        1.5,
    ),
    "fgm": (
        r"\b(?:to be cut\b|be cut\b|"
        r"cutting\b(?! (?:her|his|their) (?:arms|legs|wrists))|"
        r"special (?:ceremony|procedure|party)|become a woman|circumcis\w*)",
        1.5,
    ),
    "neglect": (
        r"\b(?:no food|not (?:eaten|been fed|fed)|hungry|fridge (?:was |is )?empty|"
        r"left (?:alone|on (?:their|his|her) own|home alone)|rotten teeth|toothache|"
        r"untreated|never (?:seen|been to) a (?:dentist|doctor|gp)|no heating|"
        r"nappy rash|faltering growth|filthy|soiled|centiles?|not brought|"
        r"no (?:bottles|formula|nappies|milk)|watered[- ]down)",
        1.5,
    ),
    "influence": (
        r"\b(?:drunk|intoxicated|under the influence|smok(?:ing|ed) (?:cannabis|weed|"
        r"crack)|high on|using drugs|smel(?:led|t|ls?) (?:strongly )?of (?:alcohol|"
        r"drink|cannabis|weed)|slurr\w*|unsteady|glassy|barely conscious|methadone|"
        r"passed out)",
        1.5,
    ),
    "self_harm": (
        r"\b(?:kill (?:herself|himself|themselves|myself)|suicid\w*|cutting (?:her|"
        r"his|their) (?:arms|legs|wrists)|self[- ]harm\w*|overdose\w*|wants? to die|"
        r"nobody would miss|better off dead|end (?:it|her life|his life))",
        2.0,
    ),
    "trafficking": (
        r"\b(?:(?:isn't|is not|not|never) allowed to (?:phone|call|see|go out|leave)|"
        r"not registered (?:at|with) (?:any|a) (?:school|gp|doctor)|never seen outside|"
        r"cleans,? cooks|works? for (?:the|her|his) (?:family|keep))",
        1.5,
    ),
    "professional": (
        r"\b(?:messag\w+ (?:one of )?(?:the |our )?(?:girls?|boys?|child|pupils?|"
        r"young people|him|her)|on social media|gave (?:him|her|them) (?:cigarettes|"
        r"money|gifts|lifts)|giving (?:\w+ ){0,4}(?:cigarettes|gifts|lifts)|"
        r"drove (?:a|the) (?:pupil|child|girl|boy) home|allegation (?:was made |"
        r"made )?(?:against|about))",
        1.5,
    ),
}
_SIGNALS = {family: re.compile(pattern) for family, (pattern, _w) in _FAMILIES.items()}
_WEIGHTS = {family: weight for family, (_p, weight) in _FAMILIES.items()}
# FGM named with a girl and a plan: travel, tradition, "doing it properly". Three
# separate searches, so the check stays linear however often the words recur.
_FGM_RISK = (
    re.compile(r"\b(?:fgm|cut|cutting)\b"),
    re.compile(r"\b(?:daughters?|girls?|baby)\b"),
    re.compile(
        r"\b(?:travel\w*|abroad|trip|holiday\w*|tradition|ceremony|do it properly|"
        r"somalia|sudan|egypt|eritrea|ethiopia|gambia|guinea|mali|sierra leone)\b"
    ),
)
_WORKER = re.compile(
    r"\b(?:foster carer|carer|teacher|night worker|residential (?:staff|worker)|"
    r"agency (?:worker|staff|social worker)|staff member|member of staff|coach|"
    r"volunteer|teaching assistant|youth worker|one of the (?:residential )?staff|"
    r"support worker|childminder)s?\b"
)
_SPECIFIC_CHILD = re.compile(
    r"\b(?:he|she|him|his|her|hers|himself|herself|he's|she's)\b|\b(?:a|the|this|my|"
    r"our|one|two|three) (?:\w+ )?(?:boy|girl|baby|toddler|toddlers|child|lad|young "
    r"person|teenager|infant|pupil|kids?|children|daughter|son|sister|brother|"
    r"resident)\b|\bon my caseload\b|\bone of (?:our|the) (?:girls|boys|children|"
    r"young people|kids)\b|\b\d{1,2}[- ]?(?:year|yr|month|week|day)s?[- ]old\b"
)
_NOW = re.compile(
    r"\b(?:today|yesterday|last night|this (?:morning|afternoon|week|month)|on "
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|again|keeps?|"
    r"still|now|currently|at the moment|when i visited|this summer|in the holidays|"
    r"told me|disclosed|showed me|said)\b"
)
_JUST_NOW = re.compile(
    r"\b(?:today|yesterday|last night|this (?:morning|afternoon|week)|on (?:monday|"
    r"tuesday|wednesday|thursday|friday|saturday|sunday)|told me|disclosed)\b"
)
_DISCLOSURE = re.compile(
    r"\b(?:told (?:me|us|the \w+)|disclosed|showed (?:me|us)|said (?:that )?(?:his|"
    r"her|their|he|she)|allegation)"
)
# Talk about a service, not a child: strategies, policies, figures, generic
# groups. (A "strategy discussion" or a "LADO referral" is the opposite: a
# process started for a child, so those are not counted here.)
_SERVICE_TALK = re.compile(
    r"\b(?:strateg(?:y|ies)(?! (?:discussion|meeting))|polic(?:y|ies)|pathways?|"
    r"protocols?|toolkits?|training|guidance|approach|procedures?|statistics|data|"
    r"figures|annual report|audits?|thresholds?|categor\w*|framework|screening|"
    r"templates?|budgets?|contracts?|inspection|commissioners?|quarter\w*|themes?|"
    r"common|across the county|histories|every year|young people with|when a "
    r"(?:child|young person)|referrals|waiting lists?|wait too long)\b"
)
_LONG_AGO = re.compile(
    r"\b(?:years ago|in (?:19|20)\d\d|closed case|historic\w*|used to|back in)\b"
)
LABELS = {
    "physical": "physical harm or chastisement",
    "sexual": "sexual harm or grooming",
    "exploitation": "signs of exploitation",
    "fgm": "FGM risk",
    "neglect": "neglect of a child's needs",
    "influence": "a carer under the influence",
    "self_harm": "self-harm or suicidal words",
    "trafficking": "signs of trafficking or modern slavery",
    "professional": "an allegation about someone who works with children",
}
THRESHOLD = 2.0


@dataclass(frozen=True)
class Triage:
    score: float
    reasons: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)


def triage(text: str, phrases: tuple[str, ...] = ()) -> Triage:
    """Score one text. ``phrases`` are the safeguarding lead's own words
    (SAFEGUARDING_PHRASES): any of them, word-bounded, flags the text."""
    lowered = _IDIOMS.sub(" ", text.lower())
    families = _families(lowered)
    own = [
        p
        for p in phrases
        if re.search(r"\b" + re.escape(p) + r"(?:s|es|d|ed|ing)?\b", lowered)
    ]
    if not families and not own:
        return Triage(0.0, ())
    score, cues = _context(lowered)
    score += sum(_WEIGHTS[f] for f in families)
    reasons = [LABELS[f] for f in families] if score >= THRESHOLD else []
    reasons += [f"the safeguarding lead's phrase list: {p}" for p in own]
    if not reasons:
        return Triage(score, ())
    return Triage(score, (*reasons, *cues))


def _families(lowered: str) -> list[str]:
    families = [f for f, pattern in _SIGNALS.items() if pattern.search(lowered)]
    if "exploitation" in families:
        indicators = {
            "missing" if "missing" in m.group(0) else m.group(0)
            for m in _SIGNALS["exploitation"].finditer(lowered)
        }
        if len(indicators) < 2:
            families.remove("exploitation")  # going missing alone is not enough
    if "fgm" not in families and all(p.search(lowered) for p in _FGM_RISK):
        families.append("fgm")
    harm = {"physical", "sexual", "professional"} & set(families)
    if harm and _WORKER.search(lowered):
        families = sorted({*families, "professional"})
    return families


def _context(lowered: str) -> tuple[float, list[str]]:
    """What the text says about whom and when: a score to add, and the cues."""
    score, cues = 0.0, []
    if _SPECIFIC_CHILD.search(lowered):
        score += 1.0
        cues.append("about a specific child")
    now = _NOW.search(lowered) is not None
    if now:
        score += 0.5
        cues.append("happening now or just told")
    if _DISCLOSURE.search(lowered):
        score += 0.5
    talk = len(_SERVICE_TALK.findall(lowered))
    if talk:
        score -= min(3.0, 1.0 * talk)
        cues.append("discusses a service")
    if _LONG_AGO.search(lowered) and not _JUST_NOW.search(lowered):
        score -= 2.0  # "years ago now": long ago, unless something happened today
    return score, cues
