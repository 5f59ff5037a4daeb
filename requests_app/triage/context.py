"""When a mention does not count: the ConText rules (negation, someone else, resolved, hypothetical).

medspaCy's ConText algorithm gives each trigger phrase a direction and a
scope inside its sentence; these are the clinic's own rules, not its
default set. The default set treats any "if" as hypothetical, which would
dismiss "if I sit for ten minutes my leg goes numb": a real symptom. Here a
mention is dismissed only by a phrase that plainly says it is absent, over,
someone else's or a question, and every rule errs towards keeping a flag.

Categories:
- NEGATED_EXISTENCE: "no numbness", "tingling: none", "I don't have that".
- OTHER_EXPERIENCER: "my friend had sciatica", "mum has cancer"; its scope
  ends at the writer's own words ("...but I have numbness"), and a text
  written on someone's behalf ("for my son") keeps every mention.
- RESOLVED: "two years ago, fully gone now". Never applies to cancer, whose
  history is a flag however long ago.
- HYPOTHETICAL: "should I worry if my leg goes numb?", "what signs...".
- INTENTIONAL (weight loss only): "down 5 kg on purpose".
- EXERTION ("weak" legs only): "legs felt weak after the marathon".
- FIRST_PERSON: only ends OTHER_EXPERIENCER's scope.
- CLAUSE_TURN ("but", "now", "these days") ends every scope; CLAUSE (", it",
  "and my", "just") ends all but RESOLVED's, so that "numbness in my foot and
  pain down the leg, it took months but it fully resolved" is over as a whole.
- PSEUDO: phrases that contain a trigger word but do not negate
  ("not sure", "no idea why", "nothing helps").
"""

from __future__ import annotations

from dataclasses import dataclass, field

NEGATED = "NEGATED_EXISTENCE"
OTHER = "OTHER_EXPERIENCER"
RESOLVED = "RESOLVED"
HYPOTHETICAL = "HYPOTHETICAL"
INTENTIONAL = "INTENTIONAL"
EXERTION = "EXERTION"
FIRST_PERSON = "FIRST_PERSON"
PSEUDO = "PSEUDO"
# Where a trigger's scope ends: a turn ("but", "now") ends every scope; a new clause ends all but "resolved".
TURN = "CLAUSE_TURN"
CLAUSE = "CLAUSE"
BREAKS = frozenset({TURN, CLAUSE})

# Categories that dismiss a mention.
DISMISSING = frozenset({NEGATED, OTHER, RESOLVED, HYPOTHETICAL, INTENTIONAL, EXERTION})


@dataclass(frozen=True)
class Rule:
    literal: str
    category: str
    pattern: str
    direction: str
    max_scope: int | None = None
    allowed_types: frozenset[str] | None = None
    excluded_types: frozenset[str] | None = None
    terminated_by: frozenset[str] = field(default_factory=frozenset)


RELATIVE_OR_OTHER = (
    r"(?:friend|friends|buddy|mate|mates|pal|coach|teammate|training partner|running (?:partner|buddy|mate|club|group)"
    r"|club ?mate|colleague|co-?worker|boss|neighbou?r|room-?mate|flat-?mate|husband|hubby|wife|spouse|partner"
    r"|boyfriend|girlfriend|fianc[eé]e?|brother|sister|sibling|cousin|aunt|auntie|uncle|niece|nephew|grand\w+"
    r"|granny|gran|nan|nana|grandpa|grandma|mum|mom|mother|dad|father|parents?|in-?laws?|step-?mom|step-?dad"
    r"|relatives?|other runners|pt|patients?|clients?|one of (?:our|my|the) \w+|cat|kitten|puppy|pet"
    r"|a (?:man|woman|guy|lady|bloke|fellow|chap|girl|boy|lad) (?:at|from|in|on|i know)"
    r"|dog|amig[oa]s?|mam[aá]|madre|pap[aá]|padre|herman[oa]|espos[oa]|marido|abuel[oa]|t[ií][oa])(?:'s|s'|’s)?"
)

# A text about someone the writer is booking for: the mentions are the patient's.
ON_BEHALF = (
    r"\b(?:on behalf of|(?:booking|book|writing|write|wrote|asking|ask|typing|requesting|request|messaging|contacting|enquiring|inquiring|making this (?:request|appointment)|an appointment|appointment|this request|this is|this form is|filling (?:this|it) (?:in|out))(?: [\w']+){0,2} for)"
    r"\s+(?:my\s+)?(?P<who>son|daughter|kid|child|teen\w*|mum|mom|mother|dad|father|husband|wife|partner|boyfriend"
    r"|girlfriend|brother|sister|grand\w+)\b|\bpatient is my (?P<who2>\w+)"
)
# The writer speaks of their own back: relatives mentioned are context, not the patient.
OWN_COMPLAINT = (
    r"\b(?:my|i|i'?ve|i'?m|im|ive|me|mine|yo|tengo)\b[^.!?\n]{0,40}?\b(?:back|backache|spine|lumbar|pain|ache|aching|sore|stiff"
    r"|hurt\w*|injur\w*|numb\w*|tingl\w*|sciatica|espalda|dolor|duele|lumbar)\b"
)
# A relative as the subject of the text ("My wife couldn't get out of bed").
RELATIVE_SUBJECT = (
    r"(?:^|[.!?\n]\s*|^(?:hi|hello|hey|good (?:morning|afternoon|evening)|dear [\w ]{1,20})[,!.]?\s*)(?:(?:my|mi) |(?=(?:mum|mom|dad|mam[aá]|pap[aá]) ))(?P<who>mum|mom|mother|dad|father|husband|wife|partner|boyfriend|girlfriend|son|daughter|brother"
    r"|sister|grand\w+|marido|esposo|esposa|mujer|hijo|hija|madre|padre|mam[aá]|pap[aá])(?:'s)?\b"
)
# The writer's own symptoms in a text written for someone else ("I've had sciatica myself").
WRITER_OWN = r"\b(?:myself|my own|i'?ve had|i have had|i had)\b"
THIRD_PERSON = r"\b(?:he|she|his|her|him|they|their)\b"
# "Booking for myself, not my husband": the writer is the patient after all.
FOR_MYSELF = (
    r"\b(?:booking|writing|this is|request is|appointment is|asking) for (?:me|myself)\b|\bfor myself\b"
    r"|\b(?:la cita|esto|la consulta|la solicitud) es para m[ií]\b|\bpara m[ií]\b"
    r"|\b(?:appt|appointment|booking) (?:is )?for (?:me|myself|my own|my (?:sore |bad |lower |low )?back)\b|\bno,? (?:it'?s |its )?for me\b"
)

RULES: tuple[Rule, ...] = (
    # --- negation, forward: "no numbness", "I don't have any tingling" ---------------------
    Rule(
        "negation",
        NEGATED,
        r"\b(?:no|not|never|without|nor|neither|zero|nil|nothing|denies|deny|denied|sin|nunca|ni|tampoco"
        r"|ning[uú]n\w*|nada de|no tengo|don'?t|doesn'?t|didn'?t|haven'?t|hasn'?t|hadn'?t|isn'?t|aren'?t|wasn'?t"
        r"|weren'?t|do not|does not|did not|have not|has not|had not|is not|are not|was not|were not"
        r"|no longer|dont|doesnt|didnt|havent|hasnt|isnt|arent|wasnt)\b",
        "FORWARD",
        max_scope=8,
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    Rule(
        "negation phrase",
        NEGATED,
        r"free of|no signs? of|no hint of|no trace of|(?:no|negative) (?:history|hx) of|negative for|ruled out"
        r"|can'?t say (?:i'?ve|i have) (?:ever )?(?:had|noticed|felt)|cannot say i have|not that i'?ve noticed"
        r"|(?:i )?(?:don'?t|do not) think (?:i have|i'?ve had)|(?:i'?ve|i have) not (?:had|noticed)"
        r"|never (?:had|noticed|experienced|felt)",
        "FORWARD",
        max_scope=10,
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    # --- negation, backward: "numbness: none", "tingling - not really", "I don't have it" ----
    Rule(
        "answered no",
        NEGATED,
        r"(?:[:=?]|\s-|–|—)\s*(?:no|none|nope|nah|nil|negative|never|n|not really|not at all|absent|nothing)\b(?=\s*(?:[.,;!?)\n]|$))"
        r"(?!\s+(?:idea|change|better|relief|matter|way|clue|position|problem|longer|sure|reason))",
        "BACKWARD",
        max_scope=6,
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    Rule(
        "none after",
        NEGATED,
        r"\b(?:none|nil|(?:not really|not at all)(?=\s*(?:[.,;!?)]|$))|(?:i )?(?:have|do|did|am) not(?=\s*(?:[.,;!?)]|$))|also not|absent|not present|ruled out|not an issue|not a problem|no issues?"
        r"|no problems?|all clear|negative|(?:is|are|was|were|feels?|seems?) (?:totally |completely |all )?"
        r"(?:fine|normal|ok|okay|unaffected|good))\b(?! (?:of|to|with|but|except))",
        "BACKWARD",
        max_scope=5,
        excluded_types=frozenset({"CANCER_HISTORY"}),
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    Rule(
        "I don't have it",
        NEGATED,
        r"\b(?:i|but i|and i)\s+(?:don'?t|do not|dont|haven'?t|have not|havent)\s+(?:have|had|got|get|noticed|felt)?"
        r"\s*(?:it|that|those|them|this|these|any of (?:those|these|that|them|it)|either)\b(?!\s+(?:\w+\s+)?(?:before|until))"
        r"|\bi have (?:neither|none of (?:those|these|that|them))|neither (?:of (?:those|these|them) )?(?:applies|apply)"
        r"|(?:i'?ve|i have|ive) never had (?:it|that|them|this|one|any)\b|\bnever had (?:it|one)\b(?=\s*(?:[.,;!?]|$))"
        r"|\bi (?:don'?t|do not|dont) have\b(?=\s*(?:[,.;!?]|$))",
        "BACKWARD",
        max_scope=15,
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    # --- someone else: "my friend had sciatica", "mum has cancer" ---------------------------
    Rule(
        "someone else",
        OTHER,
        rf"\b(?:my |our |a |his |her |their |mi )?{RELATIVE_OR_OTHER}(?: of (?:mine|ours))?\b|\b(?:he|she|he'?s|she'?s)\b|\bif you\b",
        "FORWARD",
        max_scope=20,
        terminated_by=frozenset({FIRST_PERSON, CLAUSE}),
    ),
    Rule(
        "runs in the family",
        OTHER,
        r"runs in (?:the|my|our) family|family (?:history|hx)|\bfhx\b|in the family|(?:my|his|her) side of the family",
        "BIDIRECTIONAL",
        max_scope=8,
        terminated_by=frozenset({FIRST_PERSON, CLAUSE}),
    ),
    Rule(
        "charity",
        OTHER,
        r"charit\w*|fundrais\w*|raising money|raise money|donat\w*|sponsor\w*|race for life|relay for life|awareness",
        "BIDIRECTIONAL",
        max_scope=8,
        allowed_types=frozenset({"CANCER_HISTORY"}),
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    Rule(
        "the writer",
        FIRST_PERSON,
        r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|my|mine|myself|yo|tengo)\b|\b(?:says?|said|thinks?|thought|noticed"
        r"|notices|told me|tells me|reckons?|mentioned|pointed out|worried|worries|wants? me|made me|insisted|saw"
        r"|sees|watched|spotted)\b",
        "FORWARD",
        max_scope=1,
    ),
    # --- over and done: "fully gone now", "used to get" (never for cancer) -----------------
    Rule(
        "resolved after",
        RESOLVED,
        r"(?:gone(?=\s*(?:now|completely|since|for good|for (?:years|ages|months|a long time|a while)|away|totally|entirely|altogether|after|with|following|within|in \d|and|but|[.,;!?)]|$))|resolved|cleared(?: up)?|healed"
        r"|disappeared|went away|go(?:ne)? away|settled(?: down)?|subsided|sorted(?: out)?)"
        r"(?: now| since| completely| for good| by itself| on its own| after)?\b|(?:fully |completely )?recovered"
        r"|(?:treated|cleared|sorted) with (?:antibiotics|meds|medication|tablets|physio)|fine once|once i warmed up|after (?:i )?warmed up"
        r"|(?:hasn'?t|hasnt|has not|haven'?t|not) (?:happened|come back|returned) since|never happened again|in (?:high|middle|primary) school|in college|at uni"
        r"|(?:fully |completely )?went (?:after|with|following|within|in \d)"
        r"|got better|(?:totally|completely|fully|all) better|wore off|worn off|wears off|wearing off|back to normal|(?:is|are|was|all) fine now|all good now|ya pas[oó]|se me pas[oó]|desapareci[oó]"
        r"|(?:but|and|pero|y)\s+(?:it'?s\s+|its\s+|it\s+|they'?re\s+|they\s+|that'?s\s+|that\s+|ya\s+)?(?:se me |se )?(?:has |had |have |was |were |is |'s |s )?(?:been )?(?:all |completely |fully |totally |long )?"
        r"(?:gone(?=\s*(?:now|completely|since|for good|for (?:years|ages|months|a long time|a while)|away|totally|[.,;!?)]|$))|resolved|healed|cleared(?: up)?|settled|went away|disappeared|recovered|wore off|worn off|quit[oó]|pas[oó])"
        r"|(?:it|they|that|which) (?:went|stopped|cleared|settled|disappeared|vanished)(?: \w+){0,2} (?:after|when|once|by|within|completely|entirely)"
        r"|todo bien|ning[uú]n problema desde|sin problemas desde|se cur[oó]|se fue|desapareci[oó]"
        r"|(?:went|gone|disappeared|cleared|settled|resolved|stopped) (?:with)?in (?:a |an |\d+ |one |two |three |a few |a couple (?:of )?)?(?:days?|weeks?|hours?|months?)"
        r"|not back since|hasn'?t (?:been|come) back|(?:made|making) a (?:full|complete) recovery|(?:worked|been) (?:fine|perfectly|normally|normal|great|ok) (?:ever )?since"
        r"|(?:but|and)\s+(?:[\w']+\s+){0,4}(?:fixed|sorted|cured|cleared|resolved|healed|settled) (?:it|that|them|things)(?: up| out)?"
        r"|(?:was|been|has been|have been) (?:fine|ok|okay|good) for (?:\d+|many|several|two|three|five|ten|twenty) (?:yrs|years|decades)"
        r"|as a (?:teenager|kid|child|teen|student)|when i was (?:a )?(?:teenager|kid|child|teen|younger|at school|at uni|\d+)"
        r"|(?:fixed|sorted|cured) (?:it|that|them)(?: up| out)?(?: completely| fully| for good)"
        r"|symptom[- ]free since|no (?:problems|issues|trouble) since|\b(?:se me |se )?quit[oó]|(?:all |been |it'?s been |has been )?(?:fine|good|ok|okay|great)"
        r" (?:ever )?since|long gone|not had (?:it|any|one) since|all better(?: now)?|healed up|no longer an issue",
        "BACKWARD",
        excluded_types=frozenset({"CANCER_HISTORY"}),
        terminated_by=frozenset({TURN}),
    ),
    Rule(
        "resolved before",
        RESOLVED,
        r"used to (?:have|get|suffer)|previously had|recovered from|got over|got rid of"
        r"|in the past(?! (?:few |couple of |\d+ |two |three |several )?(?:days?|weeks?|months?|hours?|nights?))",
        "FORWARD",
        max_scope=10,
        excluded_types=frozenset({"CANCER_HISTORY"}),
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    # --- questions and worries: "should I worry if...", "what signs..." ----------------------
    Rule(
        "hypothetical",
        HYPOTHETICAL,
        r"what if|in case|\bif (?:i|it|my|the pain|this)(?= (?:[\w']+ ){0,2}(?:ever|ever get|start|starts|begin|begins|develop|develops|become|becomes"
        r"|spreads|moves|travels|turn|turns|went|goes|got|turned|came back|comes back|lose|lost|notice|developed|fell|fall|fell over|got hurt)\b)"
        r"|what (?:would|will|could|might) happen if"
        r"|(?:worried|afraid|scared|terrified|concerned|paranoid|anxious) (?:that )?i (?:might|may|could|will)(?= (?:have|be getting|get|be developing|lose|develop|end up))"
        r"|(?:worried|afraid|scared|terrified|anxious|paranoid) (?:of|about) (?=cancer|tumou?rs?|sciatica|cauda)"
        r"|(?:worried|scared|afraid|concerned|nervous|anxious) (?:that )?if\b"
        r"|(?:come back|return|call (?:back|us|you)|seek help|get (?:it )?checked|go to (?:the )?(?:er|a&e|hospital)) if|si alg[uú]n d[ií]a|si alguna vez|si tuviera|en caso de"
        r"|reading (?:about|up on)|read (?:up )?(?:about|on)|forum|when (?:i|we) (?:must|should|need to) (?:worry|be worried|go|call|seek)|(?:read|saw|watched|heard|found) (?:an? |the |this |some )?(?:article|post|blog|video|thing|story|piece|leaflet)"
        r"|(?:\bit|the (?:article|website|leaflet)) (?:said|says|mentioned|warned|lists?|listed)|asked (?:me )?(?:about|if|whether)"
        r"|(?:should|would|do|must) i (?:worry|be worried|be concerned|go|call|come"
        r"|seek|get)[^.?!]{0,25}\bif\b|(?:when|at what point) (?:should|do|would|must) i|warning signs?|red flags?"
        r"|(?:signs?|symptoms?) (?:of|like|such as|that|to watch|to look|i should)|look(?:ing)? out for"
        r"|watch(?:ing)? (?:out )?for|keep an eye (?:out )?for|(?:afraid|scared|worried|nervous|paranoid|anxious|concerned)"
        r" (?:of|about) (?:getting|developing|ending up with|it turning into|it becoming|having)|to (?:prevent|avoid)"
        r"|could (?:it|this|that) (?:lead to|turn into|become|develop into)|(?:is|are) there (?:a|any) risk|risk of"
        r"|(?:does|would|could) (?:that|this|it) mean|i read (?:that|about|online)|(?:article|website|page|blog|post)"
        r" (?:said|says|mentioned|mentions|lists|listed)|hypothetically|what (?:should|do) i (?:do|look)"
        r"|would (?:that|it) be|is it (?:bad|serious|an emergency) (?:if|when)|googl\w*|dr google|looked (?:it )?up online"
        r"|(?:could|might|may|will|would) (?:[\w']+ ){0,2}(?:lead to|turn into|become|develop into|end up as|progress to|end up with)"
        r"|(?:terrified|scared|afraid|worried|worry|fear|paranoid|convinced|panicking|panicked) (?:that )?(?:it'?s|it is|it might be|it could be|its)",
        "FORWARD",
        max_scope=15,
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    Rule(
        "if I got it",
        HYPOTHETICAL,
        r"\bif (?:i|you|someone|a runner) (?:ever )?(?:got|get|had|develop\w*|were to get|end up with|came down with)\b",
        "FORWARD",
        max_scope=8,
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    # --- weight lost on purpose ---------------------------------------------------------------
    Rule(
        "on purpose",
        INTENTIONAL,
        r"on purpose|purposely|deliberate\w*|(?<!un)\bintentional(?:ly)?|slimming|joined a (?:gym|club)|\bdiet\w*|calorie\w*|\bcutting|(?<!not )(?<!n't )(?<!nt )trying to (?:lose|drop|get"
        r"|slim|lean|shed)|\bplan\b|program(?:me)?|\bgoal|race weight|racing weight"
        r"|weight ?watchers|slimming|ozempic|wegovy|mounjaro|semaglutide|fasting|keto|macros|healthier|leaner",
        "BIDIRECTIONAL",
        max_scope=16,
        allowed_types=frozenset({"WEIGHT_LOSS"}),
    ),
    # --- tired legs after hard running ---------------------------------------------------------
    Rule(
        "muscle soreness",
        EXERTION,
        r"\bdoms\b|delayed onset muscle soreness|leg day",
        "BIDIRECTIONAL",
        max_scope=15,
        allowed_types=frozenset({"SEVERE_PAIN", "LEG_WEAK_WORD"}),
    ),
    Rule(
        "exertion",
        EXERTION,
        r"after (?:a |the |my |those |these |that |each |every )?(?:long |hard |big |hilly |fast |tough )?"
        r"(?:runs?|race|marathon|workout|session|intervals|reps|hills?|tempo|training|miles?|ultra|half|10k|5k|track)"
        r"|tired|fatigue\w*|heavy|worn out|exhausted|end of (?:the|a|my) (?:race|marathon|run)"
        r"|hit the wall|last (?:couple of |few )?(?:miles|km|k)|mile \d+|glycogen|bonk\w*|fuell?ing"
        r"|leg day|the gym|gym session|workout|squats|deadlifts|lifting weights|weights session",
        "BIDIRECTIONAL",
        max_scope=12,
        allowed_types=frozenset({"LEG_WEAK_WORD"}),
        terminated_by=frozenset({TURN, CLAUSE}),
    ),
    # --- phrases that look like triggers but are not ------------------------------------------
    Rule(
        "not a negation",
        PSEUDO,
        r"not sure|not certain|no idea|no matter|not only|not just|no change|no better|not better|no relief"
        r"|not improving|not getting better|not going away|(?:doesn'?t|does not|won'?t|will not) go away"
        r"|never goes away|never stops|without trying|not trying|not dieting|not on a diet|no diet|without dieting"
        r"|(?:haven'?t|have not|didn'?t|did not) (?:changed?|been trying)|no reason|for no reason|no explanation"
        r"|no (?:obvious|apparent|clear) (?:reason|cause)|not normal|isn'?t normal|not right|no doubt|no wonder"
        r"|not long|no time|none of (?:the|my|these|those)|not for long|not (?:much|a lot) (?:better|help)"
        r"|never (?:had|felt|experienced) (?:anything|something|pain|this|that)?\s*like|never before|not even"
        r"|(?:the )?(?:left|right|other)(?: leg| side| one| foot)? (?:is|are|feels?|seems?) (?:totally |completely |all |perfectly )?(?:fine|normal|ok|okay|good|grand|unaffected)"
        r"|(?:haven'?t|havent|have not|hasn'?t|hasnt|not) (?:[\w']+ )?gone since"
        r"|(?:haven'?t|havent|have not|hasn'?t|not|no|without|didn'?t|never) (?:been )?(?:dieting|trying|on a diet)"
        r"|not eating|not hungry|no appetite|no joke|can'?t tell if|not (?:a|an) (?:good|great)|no puedo|unintention\w*|unintended|not intentional"
        r"|without (?:meaning|wanting) to|(?:hasn'?t|has not|haven'?t|have not|hadn'?t|had not|not|never|didn'?t|did not"
        r"|won'?t|doesn'?t|does not|isn'?t|wasn'?t) (?:\w+ )?(?:(?:gone|went|go|going) away|resolved|healed|cleared(?: up)?"
        r"|settled(?: down)?|disappeared|recovered|improved|got better|gotten better|eased(?: off)?|stopped)",
        "PSEUDO",
    ),
    # --- where a trigger's scope ends ---------------------------------------------------------------
    Rule(
        "turn",
        TURN,
        r"\b(?:but|however|although|though|except|apart from|aside from|other than|besides|yet|still|whereas|now"
        r"|these days|this time|since then|pero|aunque|sino|ahora)\b",
        "FORWARD",
        max_scope=1,
    ),
    Rule(
        "clause break",
        CLAUSE,
        r"(?<!was )(?<!is )(?<!has )(?<!have )(?<!had )(?<!been )(?<!were )\b(?:just|only)\b|\b(?:then|since|because|plus|also|solo)\b"
        r"|\band(?=\s+(?:i|i'm|im|i've|my|it|it's|its|now|then|there|also|the pain|this|recently|lately)\b)"
        r"|,(?=\s*(?:i|i'm|im|i've|my|it|it's|its|now|then|there|also|the pain|this)\b)",
        "FORWARD",
        max_scope=1,
    ),
)

# A short sentence after a mention that says it is over ("Had sciatica in 2019. Fully gone now.").
RESOLVED_NEXT_SENTENCE = (
    r"^\s*(?:surgery|physio|physiotherapy|it|that|the operation|the op|treatment|rest) (?:fixed|sorted|cured|resolved) (?:it|that|them|everything)"
    r"|^\s*(?:everything|all|it|that) (?:is |has |'s )?(?:been )?(?:healed|fine|ok|okay|good|resolved|sorted)(?: ever)? since"
    r"|^\s*(?:all|been) (?:good|fine|ok|okay|well)(?: ever)? since|(?:^|\b(?:and|but|which)\s+)\s*(?:(?:it|that|this|they|both|all|which|symptoms?|that one|those|these)\s*(?:'s|s|is|are|was|were|has|have)?"
    r"\s*(?:been\s+)?)?(?:all |completely |totally |fully |long |now |since )?(?:gone|resolved|cleared|healed"
    r"|fine now|better now|went away|settled|disappeared|over|sorted|recovered|no problems? since|nothing since"
    r"|made a (?:full|complete) recovery|everything (?:has )?(?:worked|been) (?:fine|perfectly|normally|normal) since"
    r"|never came back|hasn'?t come back|haven'?t had (?:it|any|one) since)\b"
)
# Words that say a resolved problem came back: then "resolved" does not apply.
RECURRED = (
    r"\b(?:back again|(?<!never )(?<!not )(?<!hasn't )(?<!hasnt )(?<!strength )(?<!feeling )(?<!sensation )(?<!power )came back"
    r"|(?<!never )(?<!not )(?<!n't )(?<!nt )come back(?! if| to| for|\s*\?)|coming back"
    r"|is back|(?<!never )(?<!not )returned|(?<!no )(?<!without )(?<!any )recurr\w*|flared? (?:up )?again|again now|started again)\b"
)

# A mention followed by its answer: "tingling? no.", "numbness - none,".
ANSWERED_NO_AFTER = (
    r"^\s*(?:[a-z]{1,2}(?=\s*\?))?\s*(?:[?:=()\-–—,]\s*|\ba\s*:\s*|answer\s*:\s*)+(?:no|none|nope|nah|nil|negative|never|not really|not at all|n/?a|absent|normal|fine|ok"
    r"|okay|0|(?:i )?don'?t think so|(?:i )?do not think so|doubt it|not that i know(?: of)?|not as far as i know|never had (?:it|one|any|that))(?:[\s,]+(?:(?:i )?don'?t think so|not really|never))?\s*(?:[.,;!?\n)]|$|and\b)"
)
# A question about a symptom in general, in a text that says the writer does not have it.
GENERAL_QUESTION = r"^\s*(?:can|could|would|will|does|do|is|are|should|what|when|how|which|why|if)\b"
# A question that is plainly hypothetical, whoever's words come first ("if I got numbness..., would that be...?").
HYPOTHETICAL_QUESTION = (
    r"\bif (?:i|you) (?:ever )?(?:got|get|had|have|develop\w*|were to)\b|\bwould (?:that|it|this) be\b"
)
DISCLAIMER = (
    r"\b(?:mine (?:is|'s|has been) (?:just|only)|just curious|just asking|asking for (?:the future|a friend)"
    r"|no (?:leg |such )?symptoms|i don'?t have (?:any|it|that|those)|not that i have|i'?m fine myself"
    r"|(?:want|trying|hoping|like) to (?:avoid|prevent) (?:it|that|getting)|to avoid it"
    r"|(?:currently|right now|at the moment|for now) (?:just|only)|just (?:a )?(?:mild|sore|stiff|tight|achy|normal)"
    r"|(?:asking )?for prevention|to prevent|(?:no|none|nothing) (?:issues?|problems?|symptoms?)? ?(?:now|at the moment|currently))"
)
# Said plainly enough that every question in the text is about symptoms the writer does not have.
STRONG_DISCLAIMER = (
    r"\b(?:(?:haven'?t|have not|don'?t have|do not have) (?:got )?(?:any of (?:that|those|these|them|the (?:symptoms|signs|above|things))|either|those|that)"
    r"|none of (?:that|those|these)|it hasn'?t|it has not|(?:just|only) (?:asking|curious)|solo preguntando"
    r"|asking for (?:the future|a friend)|mine is (?:just|only|nothing like)|i don'?t have (?:it |that |this )?now"
    r"|i have (?:none|neither)|(?:asking )?out of curiosity|(?:asking )?for general info\w*|general question|(?:none|nothing|no issues|no problems|no symptoms) (?:at the moment|now|currently|right now)|\bi don'?t(?=\s*[,.;])|pain[- ]free"
    r"|my (?:feet|legs|bladder|bowels?|foot|leg|waterworks) (?:is|are|feel|feels) (?:fine|ok|okay|normal|good|strong))"
)
# In a text with such a disclaimer, these words mark a sentence as hearsay or worry, not a symptom.
HEARSAY = (
    r"\b(?:apparently|you (?:can|could|might|may|would)|can cause|could cause|they say|i read|reading|google\w*"
    r"|dr google|article|forum|terrified|scared|afraid|worried|worry|paranoid|nervous|talking about|is it normal)\b"
)
# "Me, I just want...": the writer speaks for themselves, whoever else the text mentions.
WRITER_SPEAKS_FOR_SELF = (
    r"\b(?:me,? i|as for me|for me,|i (?:just|only) (?:want|need)|my own|myself|i'?m the (?:one|patient))\b"
)
