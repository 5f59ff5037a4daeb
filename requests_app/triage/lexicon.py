"""How patients describe each red flag: the target rules of the matcher, as regular expressions.

Written for the way people type into a clinic form: everyday words ("wee",
"down there", "asleep" for numb), functions instead of symptoms ("my foot
slaps", "can't walk on my heels"), numbers ("38.5", "lost 8 kg", "9/10"),
events instead of "trauma" ("came off my bike"), and a few Spanish words.
Misspellings are mostly fixed before matching (see `spelling`), so these
patterns name each word once.

Every pattern is matched case-insensitively against the whole text and
stays inside one sentence (`_` never crosses . ! ? ; or a line break).
Labels are the flag codes in upper case, plus two markers that only
combine with other findings: BILATERAL (both legs) and WORSENING.
"""

from __future__ import annotations

# Any character that does not end a sentence; `gap(n)` is up to n of them.
_ = r"[^.!?;\n]"


def gap(n: int) -> str:
    return rf"{_}{{0,{n}}}?"


def plain_gap(n: int) -> str:
    """Up to n characters of the same sentence with no negation among them ("pain doesn't go down...")."""
    return rf"(?:(?!\b(?:not|no|never|nothing|doesn'?t|don'?t|didn'?t|isn'?t|won'?t|wont|dont|doesnt)\b){_}){{0,{n}}}?"


def any_of(*alternatives: str) -> str:
    return "(?:" + "|".join(alternatives) + ")"


# Determiners and side words before a body part: "my left", "the back of my", "both".
DET = r"(?:(?:my|the|his|her|their|your|one|a|an|both|two|dos|ambas|that|this|that|either|each|left|right|l|r|lt|rt|other|whole|entire|outer|inner|outside|inside|front|back|bottom|top|side|sole|of|la|el|mi|mis|los|las|de|lower|upper)\s+){0,5}"
LIMB = any_of(
    r"legs?", "foot", "feet", r"toes?", "calf", "calves", r"shins?", r"thighs?", r"ankles?", r"knees?", r"heels?",
    r"soles?", r"hamstrings?", r"piernas?", r"pies?", r"dedos", r"muslos?", r"tobillos?", r"rodillas?",
)  # fmt: skip
PLURAL_LIMB = r"\b(?:legs|feet|thighs|calves|shins|piernas|pies)\b"

# "Cannot" and its everyday forms. The strong form is for function ("cannot walk").
CANT_STRONG = any_of(
    r"can'?t", "cannot", "can not", r"couldn'?t", "could not", "unable to", "not able to", "no longer able to",
    "can no longer", "can barely", "can hardly", "barely", "hardly", "impossible to", r"struggl(?:e|es|ing|ed) to",
    "no puedo", "no me puedo", "no podía",
)  # fmt: skip
CANT = any_of(CANT_STRONG[3:-1], "hard to", r"difficult(?:y)?(?: to| in)?", "trouble", r"problems?", "issues?")

# Numbness in its strong forms, which on their own are worth a call.
NUMB_STRONG = any_of(
    r"numb(?!er)\w*", r"par(?:a|e)?esth\w*", r"hyp(?:o)?(?:a)?esth\w*", r"dys(?:a)?esth\w*", r"tingl\w*", r"pins\s*(?:and|n|&|'n'|an|\+|'n)?\s*needles", r"prickl\w*",
    r"hormigue\w*", r"adormecid[oa]s?", r"entumecid[oa]s?", r"dormid[oa]s?", r"pins\s*(?:&|and)\s*needl\w*",
)  # fmt: skip
# Words that mean numb only next to a body part ("my foot is asleep", "can't feel my toes").
NUMB_WEAK = any_of(
    r"asleep", r"(?:goes|going|went|gone|fall(?:s|en)?|fell)\s+to\s+sleep", r"sleeping", r"dead",
    r"no (?:feeling|sensation)", r"(?:lost|losing|loss of|lack of|less|reduced|decreased|altered|odd|weird|funny|strange) (?:the |all |some )?(?:feeling|sensation)",
    r"(?:can'?t|cannot|can not|couldn'?t|could not|can barely|can hardly|don'?t|do not) (?:really |properly |fully )?feel",
    r"like (?:novocaine|an anaesthetic|anesthetic|cotton wool|wood|rubber|a limb (?:that'?s|that has) been sat on|it'?s been sat on)",
    r"frozen", r"no siento", r"fuzzy", r"buzz\w*", r"vibrat\w*", r"fizz\w*", r"crawling", r"ants? (?:crawling|under)",
    r"se me (?:duerme|duermen|durmi[oó])", r"(?:wearing|in) a (?:thick )?sock", r"sock that isn'?t there",
    r"(?:belongs?|belonged) to someone else", r"made of (?:wood|cardboard)", r"like (?:wood|cardboard)", r"switch\w* off", r"like (?:i'?m )?(?:walking|standing) on (?:cotton wool|a sponge|pebbles|sand)", r"(?:diminished|dulled|dull|muted) (?:feeling|sensation)", r"sensation of being asleep",
)  # fmt: skip

NUMB_ANY = any_of(NUMB_STRONG, NUMB_WEAK)
# "Dead legs" is what runners call tired legs: "dead" counts only beside one limb (see LEG_NUMBNESS).
NUMB_WEAK_NOT_DEAD = NUMB_WEAK.replace(r'r"dead", ', "").replace("|dead|", "|")
# Any change of feeling: enough, in the saddle area, for an emergency ("my bits feel weird").
ALTERED = any_of(
    NUMB_ANY[3:-1], r"(?:feels?|feeling|felt|is|are) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,2}(?:weird|strange|odd|funny|different|rubbery|fuzzy|not (?:my own|right|there))",
    r"rubbery", r"like (?:after )?(?:a |the )?dentist", r"(?:local )?an(?:a)?esthetic", r"not my own skin",
    r"barely (?:noticed|notice|felt|feel)", r"diminished", r"reduced feeling", r"(?:less|no|reduced) sensitiv\w*",
    r"peculiar", r"(?:belongs?|belonged) to someone else", r"not (?:really )?mine", r"(?:scarcely|hardly|barely) feel",
    r"someone else", r"cardboard\w*", r"\bdull(?:ed)?\b", r"(?:can'?t|couldn'?t|cannot|could not) feel (?:a thing|anything)",
)  # fmt: skip

SADDLE_AREA = any_of(
    "groin", r"genital\w*", r"privates?", r"private (?:parts|area|bits)", "crotch", r"perin(?:a|e)\w*", "perineum",
    r"between (?:my |the )?legs", r"inner thighs?", r"butt(?:ocks?| cheeks?)?", r"bum(?! bag)", r"bottom(?! of)",
    "backside", r"\barse", r"\bass\b", r"anus", r"anal", "rectum", "back passage", "down there", r"(?:my )?bits",
    r"nether regions?", "saddle", r"where (?:you'?d|you would|you|i|one) (?:would )?sit", r"sit(?:ting)? bones?", r"penis", "vagina", "vulva", r"labia",
    r"scrotum", r"testicles?", r"balls", r"toilet paper", r"tissue when", r"wip(?:e|es|ing)\b", "entrepierna",
    r"genitales", "ingle", r"gl[uú]teos?", r"nalgas?", r"zona (?:de la )?silla", r"ah[ií] abajo", r"toilet seat",
    r"undercarriage", r"nethers?", r"downstairs", r"(?:lady|man|girl|boy) bits", r"taint", r"gooch", r"(?:the )?(?:bit|part|area|parts) (?:i|you) sit on",
    r"seat area", r"(?:the )?seat\b", r"entre las piernas", r"partes [ií]ntimas", r"zona [ií]ntima", r"trasero", r"culo",
    r"insides? of (?:my |both |the )?thighs", r"sitting on the toilet",
)  # fmt: skip

PEE = any_of(
    r"pee(?!l)\w*", r"wee(?!\s+(?:bit|while|one|lad|lass|hours|run|jog|hill|bits))(?:s|ing|d|e)?\b", r"urin\w*",
    r"piss\w*", r"void(?:ing)?", r"micturi\w*", "the toilet", "the loo", "the bathroom", "the restroom",
    r"number (?:one|1)", r"orin\w*", "hacer pis", r"pis\b", r"pipi",
)  # fmt: skip
POO = any_of(
    r"poo+(?:s|ing|ed|p|ps|ping|pped)?", r"bowels?", r"stools?", r"number (?:two|2)", r"bowel movements?", "bm",
    "caca", "popo", r"heces",
)  # fmt: skip
BLADDER = any_of("bladder", "vejiga", "waterworks")
PASS_URINE = any_of(
    r"pee", r"wee", r"urinate", r"piss", r"pass (?:urine|water)", r"empty (?:my |the )?bladder",
    r"go (?:to the )?(?:toilet|loo|bathroom|restroom)", r"go(?= properly| at all| even|\s*[,.!?]|$)",
    r"do a (?:wee|pee)", r"orinar", r"hacer pis", r"ir al baño", r"start (?:the )?(?:flow|stream|peeing|weeing|urinating|to pee|to wee)",
    r"stop (?:the )?(?:flow|stream|peeing|weeing|urinating)", r"hold (?:it|my (?:pee|wee|urine|bladder|bowels?|poo))\b",
    rf"control (?:my |the )?(?:{BLADDER}|{POO}|{PEE})", rf"feel (?:when|if|that) (?:i )?(?:need|have|want) to (?:go|{PEE}|{POO})",
    r"tell (?:when|if) (?:i )?(?:need|have) to go", r"feel (?:the )?(?:urge|need)", r"poo+p?",
)  # fmt: skip

VEHICLE = any_of(
    r"cars?", "auto", "automobile", "vehicle", "truck", "lorry", "van", "bus", "suv", r"motor ?bikes?",
    r"motorcycles?", "moto", "taxi", "uber", "jeep", "pickup", "driver", "motorist", "coche", "carro",
)  # fmt: skip
HEIGHT = any_of(
    "ladder", r"roof\w*", r"scaffold\w*", "balcony", r"tree", "wall", "cliff", "ledge", "loft", "attic",
    r"heights?", r"horses?", r"bunk(?: bed)?", r"(?:flight of )?stairs", "staircase", "window", "trampoline",
    "climbing wall", "rock face", "deck", "platform", "stage", "mezzanine", r"escaleras?", r"tejado", r"techo",
    r"caballo",
)  # fmt: skip
PAIN = any_of(
    r"pain\w*", r"ache?s?", r"aching", r"hurt\w*", r"sore(?:ness)?", r"throbb\w*", r"spasms?", "dolor", "agony"
)

TARGETS: dict[str, tuple[str, ...]] = {
    # --- emergency ---------------------------------------------------------
    "SADDLE_NUMBNESS": (
        rf"{ALTERED}{gap(28)}\b{SADDLE_AREA}",
        rf"\b{SADDLE_AREA}{gap(45)}{ALTERED}",
        r"saddle (?:an(?:a)?esthesia|area|region|numbness|sensation)",
        r"like (?:i'?m )?sitting on (?:a |an )?(?:cushion|pillow|ball|sponge|balloon|something)",
        r"(?:can'?t|cannot|barely|hardly|don'?t) (?:really )?feel (?:the )?(?:loo|toilet) roll",
        r"(?:paper|tissue|wip\w*)[^.!?;\n]{0,60}(?:can'?t|cannot|scarcely|barely|hardly|don'?t|do not|not) (?:really )?feel",
        r"(?:toilet|lavatory|loo) seat (?:feels?|is) (?:peculiar|odd|weird|strange|different|funny|numb)|the seat feels (?:peculiar|odd|weird|strange|different|funny)",
        r"(?:not|no|don'?t|can'?t|cannot|couldn'?t|barely) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?feel (?:the )?(?:toilet )?(?:paper|tissue)|skin (?:there |down there )?(?:is|feels?) (?:not (?:mine|my own)|like it'?s not mine|someone else'?s)",
        r"(?:sex|intercourse) (?:feels?|is|has been) (?:different|numb|weird|strange)|erectile|can'?t (?:get|keep) an erection|erection (?:problems?|issues?|trouble)",
        r"(?:can'?t|cannot|couldn'?t|don'?t|do not) (?:really )?feel (?:it )?when (?:i )?(?:wipe|pee|wee|poo|go to the toilet)",
        r"(?:can'?t|cannot|couldn'?t|don'?t|do not|barely|hardly) (?:really )?feel (?:myself|anything|it|much)[^.!?;\n]{0,30}(?:toilet|loo|wip\w*|\bsit\w*|down there)",
        r"(?:wiping|when i wipe)[^.!?;\n]{0,40}(?:feels?|is|was) (?:different|weird|strange|odd|funny|numb|like)",
        rf"\b{SADDLE_AREA}{gap(60)}(?:can'?t|couldn'?t|cannot|could not|don'?t|didn'?t) (?:feel|notice) (?:a thing|anything|it|much|the [\w']+)",
    ),
    "BLADDER_BOWEL": (
        r"incontinen\w*",
        r"(?:urinary )?hesitancy|poor (?:urinary )?stream|(?:feels? |sensation of )?incomplete (?:emptying|voiding)|feels? incomplete|urinary (?:retention|incontinence|symptoms|changes|frequency|problems|difficult\w*)",
        r"cauda equina(?! (?:warning|card|leaflet|info|information|article|symptoms|signs|red flags|checklist))",
        r"(?:peeing|pooping|pooing|weeing|wetting|soiling|pissing|leaking) (?:myself|my (?:pants|trousers|shorts|knickers|underwear|bed)|the bed)",
        r"(?:haven'?t|have not|can'?t|cannot|couldn'?t|could not) (?:been able to )?go (?:to the (?:toilet|loo|bathroom) )?properly",
        rf"(?:need|needing|urge|feel like i need) to (?:go|{PEE})[^.!?;\n]{{0,30}}(?:nothing|can'?t|cannot|won'?t|doesn'?t)",
        r"(?:wet|peed|pooed|pooped|soiled|messed|wee'?d|pissed) (?:myself|himself|herself|themselves|my(?:self| pants| trousers| shorts| knickers| underwear| bed)|his (?:pants|trousers|bed)|her (?:pants|trousers|bed)|the bed)",
        rf"{CANT}{gap(12)}\b{PASS_URINE}",
        r"(?:haven'?t|have not|hasn'?t|didn'?t|did not) (?:been able to )?(?:(?:passed?|had a) (?:urine|water|wee|pee)|peed|pee|weed|wee|urinated|urinate|been for a (?:wee|pee))",
        r"(?:bladder|body) (?:doesn'?t|does not|won'?t|no longer) (?:tell|let) me (?:know )?(?:when|if)|(?:reminders?|alarms?|timers?)[^.!?;\n]{0,30}(?:go|pee|wee|toilet|loo|bathroom)|(?:go|going|pee|peeing)[^.!?;\n]{0,30}(?:reminders?|alarms?|timers?)",
        r"(?:takes?|took|taking) (?:ages|forever|a long time|so long|a while) to (?:empty|start|go|get going|finish)|had a (?:small |little |bit of a |tiny )?leak",
        rf"strain\w*{gap(12)}(?:{PEE}|go|empty|start|{POO})",
        rf"(?:push|force|squeez\w*) (?:to|when i|it) (?:{PEE}|go|get it)",
        r"nothing (?:would |will |wants to |seems to )?(?:comes?|came|coming|come) out",
        r"(?:tiny|little|small|wee) (?:bit|amount|dribble) out|still (?:feel|feels|felt) (?:really |so )?full",
        rf"(?:toilet|loo|bathroom|{PEE}|urinal)[^.!?;\n]{{0,40}}nothing (?:happens|comes|came|much)",
        r"(?:can'?t|cannot|don'?t|do not) (?:tell|feel|know) (?:when|if) (?:it'?s|its|it is|my bladder is|i'?m|im) full|only go when i remember",
        r"(?:only|just) (?:a )?(?:dribble|trickle|drip|few drops)",
        r"dribbl\w*",
        r"(?:weak|slow|stop[- ]?start|start[- ]?stop|interrupted) (?:flow|stream)",
        r"(?:flow|stream) (?:is |has been |keeps )?(?:weak|slow|stop\w*|start\w*|interrupt\w*)",
        rf"{BLADDER} (?:feels? |is |always )?(?:full|heavy)",
        r"(?:stream|flow) (?:is |has been |feels |got )?(?:weird|strange|odd|different|funny|not right)|stops and starts|starts and stops",
        r"wait (?:ages|forever|a long time|a while|for ages) (?:for it )?to (?:get going|start|come)",
        r"can'?t tell (?:if|when) (?:i'?m|im|i am|it'?s) (?:done|finished|empty)",
        r"(?:haven'?t|havent|have not|hasn'?t|hasnt) (?:been able to )?(?:gone|been|go)(?: to the (?:toilet|loo|bathroom))? since",
        r"can'?t tell (?:if|when|whether) (?:i )?(?:need|have|want) (?:to go|a (?:poo|wee|pee|number)|to (?:pee|wee|poo))",
        r"(?:pee|wee|urine|poo|stool) (?:just )?(?:comes|came|leaks|leaked|dribbles|dribbled) out (?:on its own|by itself|without)",
        r"(?:go|going|pee|peeing|wee|weeing) by the clock|it (?:sort of |kind of |just )*(?:just )?happens",
        r"(?:didn'?t|did not|don'?t|do not|can'?t|couldn'?t) (?:even )?(?:feel|notice) it coming",
        rf"(?:didn'?t|did not|don'?t|do not) (?:realise|realize|know|notice|feel) (?:that )?(?:i )?(?:needed|had|wanted|need|have) (?:to go|to {PEE}|to {POO}|a (?:{PEE}|{POO}|number))",
        r"until it was too late|too late to (?:get to|make it)|(?:didn'?t|did not|couldn'?t|could not) make it to the (?:toilet|loo|bathroom)",
        r"(?:\d+|hours|all day|a whole day)\s*(?:hrs?|hours)? without (?:going|peeing|weeing|needing|a wee|a pee)|catheter\w*",
        r"can'?t (?:tell|feel) (?:if|when|whether) (?:i'?m|im|i am) (?:peeing|weeing|going|urinating)|incomplete emptying|doesn'?t (?:fully )?empty",
        r"(?:don'?t|do not|didn'?t|no longer|doesn'?t|can'?t) (?:get|feel|have|notice|sense) (?:the |any |that )?(?:normal |usual )?(?:feeling|sensation|urge|need|signal)",
        r"(?:urinary |urine )?retention|retain\w* (?:urine|water|pee)",
        rf"(?:lost|losing|loss of|lose|no|poor|less|reduced|weaker|weak) (?:control|sensation|feeling)\s+(?:of|over|in|with)?\s*(?:my |the )?(?:{BLADDER}|{POO}|{PEE})",
        rf"(?:{BLADDER}|{POO}|{PEE}|toilet|loo|bathroom) (?:control|problems?|issues?|trouble|changes?|accidents?|leak\w*|dysfunction|symptoms?|weakness|habits? (?:have )?changed|(?:is|are|feels?|has been|have been) (?:weird|strange|different|funny|off|not right|odd|hard|difficult|slow|weak))",
        rf"(?:problems?|issues?|trouble|difficult\w*|changes?|accidents?|leak\w*|weird|strange) (?:with |when |in |of )?(?:my |the )?(?:{BLADDER}|{POO}|{PEE}|peeing|weeing|urinating|urination|pooing|pooping|going to the toilet)",
        rf"accidents? (?:with|in|w/?) (?:a |my |his |her )?(?:pants|underwear|shorts|trousers|knickers|undies|jeans|bed|{BLADDER}|{POO}|{PEE})",
        r"(?:no clue|no idea|no warning|didn'?t know|did not know|didn'?t feel|did not feel) (?:that )?(?:it was |it )?coming",
        rf"(?:haven'?t|havent|no|not|don'?t|didn'?t|never) (?:had |have |get |got |feel |felt )?(?:the |any )?(?:urge|need) to (?:{PEE}|go)",
        r"(?:press|push|squeez)\w* (?:on |in )?(?:my )?(?:tummy|belly|stomach|abdomen|bladder)|(?:get|getting) (?:the )?(?:wee|pee|urine|it) out",
        rf"leak\w* (?:urine|pee|wee|a bit|a little|some|when|from|{POO})|(?:urine|pee|wee) leak\w*",
        r"(?:wear(?:ing)?|need(?:ing)?|use|using|had to (?:wear|use)|put on) (?:a |an |some )?(?:pads?|diapers?|nappy|nappies|depends|incontinence pads?|pull-?ups|panty liners?)",
        rf"(?:don'?t|do not|didn'?t|did not|can'?t|cannot|no longer|doesn'?t|does not) (?:feel|notice|know|sense|get|have) (?:when|if|the urge|the need|that|any urge|the sensation)\b{gap(20)}(?:go|{PEE}|{POO}|toilet|{BLADDER}|full)",
        rf"no (?:urge|sensation|feeling) (?:to|when|of|that|if) (?:i )?(?:need to )?(?:my |the )?(?:go|{PEE}|{POO}|{BLADDER})",
        rf"(?:numb|no feeling|can'?t feel)\w* (?:when|while) (?:i )?(?:{PEE}|go to the (?:toilet|loo|bathroom)|{POO})",
        r"(?:make|made|makes|making|doing|does|did|do) (?:[\w']+ )?(?:pipi|pee|wee|water|poo) (?:on|in) (?:herself|himself|myself|themselves|the bed)|without (?:to )?know(?:ing)? it",
        r"me (?:orin|hice pis|hago pis)\w*|incontinencia|no (?:siento|controlo) (?:la vejiga|cuando|el pis)",
        r"no (?:puede|pod[ií]a|pudo|puedo) (?:orinar|hacer pis|ir al baño)|no sale (?:casi )?nada|sale (?:muy )?poco|sale poquito",
        r"me cuesta (?:orinar|hacer pis|mear)|(?:no|sin) (?:vac[ií]o|vaciar|puedo vaciar) (?:la |mi )?vejiga|no vac[ií]o",
        rf"(?:{PEE}|{POO})\w* (?:on|in) (?:myself|my (?:pants|shorts|sleep|bed))",
    ),
    "MAJOR_TRAUMA": (
        r"(?:car|road|traffic|motor|vehicle|auto|motorbike|motorcycle|highway|freeway|motorway|head-?on|rta|mva|mvc|rtc|bus|truck) (?:crash|accident|collision|wreck|smash|pile-?up)\b(?! (?:repair|garage|shop|body|centre|center|course|test|dummy))",
        rf"(?:hit|struck|knocked (?:down|over)|run over|ran over|clipped|mowed down|hit and run|side-?swiped|bumped|tapped|thrown)\s+(?:by|from|off)?\s*(?:a |an |the |some )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?{VEHICLE}\b",
        rf"{VEHICLE} (?:hit|struck|clipped|knocked|ran into|drove into|backed into|reversed into|ran me over|ran over|went into|crashed into|slammed into) me",
        rf"(?:hit|struck|knocked|clipped|ran over|run over|mowed|bumped|tapped|thrown|wiped out|taken out|side-?swiped){gap(30)}\bby (?:a |an |the |some )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?{VEHICLE}\b",
        rf"(?:fell|fall|falling|fallen|tumbl\w*|slipped|came off|thrown|flew|dropped|went (?:flying|over|base over apex|arse over tit|head over heels)|landed|crash\w*|came a cropper)[^.!?;\n]{{0,40}}\b(?:off|from|down|through|out of)\s+(?!(?:a |the )?(?:few|couple|\d|one|two|three|last|bottom)\b)(?:a |the |my |our |an |some )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?{HEIGHT}\b",
        r"came off[^.!?;\n]{0,30}(?:canter|gallop|trot|horse|mare|pony|stallion|gelding)|(?:mare|horse|pony|gelding|stallion) (?:spooked|bolted|reared|bucked|threw)",
        r"pedestrian|(?:fell|fall) from (?:a )?height|(?:climbing|bouldering|trampoline|skiing|snowboard) (?:fall|accident|crash)",
        r"rear[- ]?ended|t-?boned|head-?on|whiplash|airbag|fender[- ]?bender|shunted|written off|write-?off|totall?ed (?:the |my |our )?(?:car|truck|van)|(?:car|vehicle) (?:was |got )?totall?ed",
        r"crash\w* (?:my|the|our|a|into a|into the|into another) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:car|truck|van|motorbike|motorcycle)",
        r"(?:rolled|flipped) (?:the|my|our) (?:car|truck|suv|van)",
        rf"(?:fell|fall|falling|fallen|tumbled|slipped|came|come|coming|thrown|flew|dropped|jumped)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,2}}(?:off|from|down|out of|through|de)\s+(?!(?:a |the )?(?:few|couple|\d|one|two|three|last|bottom)\b)(?:a |the |my |our |an |some |la |el |una |un )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?{HEIGHT}\b",
        r"(?:fell|fall|falling|dropped|drop)\s+(?:about |around |like |over |nearly |roughly )?(?:\d+|two|three|four|five|six|seven|eight|ten|twelve|several|a few)\s*(?:ft|feet|foot|metres?|meters?|m|stories|storeys|floors)\b",
        r"(?:\d+|two|three|four|five|six|ten)\s*(?:ft|feet|foot|metres?|meters?|m)\s+(?:fall|drop)",
        r"(?:bike|bicycle|cycling|mtb|mountain bike|road bike|ski|skiing|snowboard\w*|motocross|riding)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,5}(?:at speed|high speed|at \d+\s*(?:mph|km/?h|kph)|\d+\s*(?:mph|km/?h|kph))",
        r"(?:at speed|high speed|at \d+\s*(?:mph|km/?h|kph)|\d+\s*(?:mph|km/?h|kph))\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,5}(?:crash\w*|fell|came off|went over|hit|flew|thrown)",
        r"over (?:the |my )?(?:handle ?)?bars|helmet (?:cracked|broke|split|smashed)|(?:cracked|broke|split|smashed) (?:my )?helmet|knocked (?:out|unconscious)|lost consciousness|blacked out",
        r"(?:black|red) run|\bpiste\b|dirt ?bike|motocross|quad ?bike|\batv\b",
        r"(?:\d+\s*(?:mph|km/?h|kph)|at speed|high speed|fast descent|descending fast|flying down|bombing down|going (?:pretty |really |very |quite |way too )?fast|too fast)[^.!?;\n]{0,60}(?:crash\w*|fell|came off|went over|hit|flew|thrown)|(?:crash\w*|fell|came off|went over|thrown)[^.!?;\n]{0,60}(?:\d+\s*(?:mph|km/?h|kph)|at speed|high speed|fast descent|descending)",
        r"came off (?:my |the |a |his |her )?horse|came off at (?:a |the )?(?:canter|gallop|trot)|horse (?:threw|bucked|spooked|fell|kicked)|thrown (?:off|from) (?:my |the |a )?horse",
        r"(?:me ca[ií]|se cay[oó]|ca[ií]da|fell|fall|falling|ladder|escalera)[^.!?;\n]{0,60}\b(?:\d+(?:[.,]\d+)?|two|three|four|five|six|dos|tres)\s*(?:m|metres?|meters?|metros?|ft|feet|foot)\b",
        r"(?:me ca[ií]|se cay[oó]) (?:de|desde|del) (?:la |una |el |un )?(?:escalera|tejado|techo|caballo|andamio|balc[oó]n|[aá]rbol)",
        r"(?:skiing|snowboarding|ski|climbing|bouldering|paragliding|skydiving|trampolin\w*|gymnastics|rugby|horse riding|riding|motocross) (?:accident|crash|fall)",
        r"(?:fell|crashed|wiped out) (?:while|when) (?:skiing|snowboarding|climbing|riding a horse|horse riding)",
        r"accidente de (?:coche|carro|auto|moto|tr[aá]fico)|atropell\w*|choque de (?:coche|carro|auto)",
        r"(?:me ca[ií]|se cay[oó]|accidente|choqu[eé])[^.!?;\n]{0,30}\b(?:moto|motocicleta|autopista|carretera)",
    ),
    # --- urgent --------------------------------------------------------------
    "LEG_NUMBNESS": (
        rf"{NUMB_STRONG}(?!\s+(?:lip|lips|mouth|tongue|gums?|cheek|jaw|face)\b)(?:\s+(?:in|down|into|through|around|on|of|at|across|along|en)\s+{DET}{LIMB}\b)?",
        rf"\b{LIMB}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,4}}(?:is|are|feels?|feeling|felt|goes|going|gone|went|gets|getting|keeps?|has|have|turns?|turned)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,4}}{NUMB_WEAK_NOT_DEAD}",
        rf"\b{LIMB}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,4}}(?:is|are|feels?|feeling|felt|goes|going|gone|went|gets|getting|keeps?|has|have|turns?|turned)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,6}}{NUMB_STRONG}",
        rf"{NUMB_WEAK_NOT_DEAD}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,3}}(?:in\s+|on\s+)?{DET}{LIMB}\b",
        rf"\b(?:leg|foot|toes?|calf|shin|thigh|sole|heel)\b{gap(60)}\bdead\b(?! legs?)|dead (?:feeling|sensation) in|dead to the touch",
        r"(?:as if|like) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,3}wrapped in (?:cling ?film|plastic|a sock|cotton wool|bandages?)|wrapped in cling ?film",
        rf"\b{LIMB}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,2}}(?:fell|falls|falling|fallen|goes|going|went|gone) (?:to )?(?:asleep|sleep)",
        rf"(?:feeling|sensation) (?:in|on) (?:my |the )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?{LIMB} (?:is |has )?(?:gone|disappeared|went|different|weird|strange|odd|off|reduced)",
        rf"\b{LIMB}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,2}}(?:feels?|is|are) (?:like )?(?:wood|rubber|cotton wool|not mine|not my own|someone else'?s)",
    ),
    "LEG_WEAKNESS": (
        r"foot\s*drop|drop\s*foot|drop(?:ped|ping|s)? (?:my |the )?foot|(?:foot|toes) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,2}drops?\b|(?:foot|leg) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,2}(?:lazy|sluggish|wonky|floppy|flops)",
        rf"(?:walk|stand)(?:ing)? on (?:my |your |the )?heels{gap(60)}(?:can'?t|cannot|couldn'?t|unable|not able|impossible|won'?t|wont)",
        r"(?:pull|drag|haul|lift) (?:my|her|him|them)(?:self|selves)? up (?:the )?stairs|(?:hold|holding|grab|grabbing|use|using) (?:on to |onto )?(?:the )?(?:rail|railing|banister|bannister|handrail)|lift(?:ing)? (?:my |the )?(?:left |right )?leg (?:up )?with my hands|legs? (?:won'?t|don'?t|will not|do not) (?:carry|hold) me",
        r"no tiene fuerza|sin fuerza|no tengo fuerza|me tropiez\w*|tropiez\w*|se (?:me|le) dobla\w*",
        r"(?:flip-?flops?|sandals?|slippers?|shoes?|clogs?) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:keeps? |keep )?(?:flying|falling|coming|slipping) off|(?:keep |i )trip\w* (?:on|over) (?:kerbs|curbs|the kerb|the curb|steps|nothing|carpets?|rugs?)",
        r"(?:holding|hold|grab\w*|hang\w*) (?:on ?to|onto) (?:the )?(?:furniture|walls?|counter|table|chairs?|banister|bannister|rail|railing|handrail)|furniture[- ]walking",
        r"puppet|strings? (?:were |was )?cut|rag ?doll|cooked spaghetti|like noodles",
        r"(?:leg|foot) (?:strength|power) (?:is |has been )?(?:going|gone|getting|fading|dropping|failing)|(?:strength|power) (?:is |has been )?(?:going|fading|dropping|failing) in (?:my )?(?:leg|foot)",
        r"(?:leg|foot) (?:[\w']+ )?(?:stops?|stopped|quits?) working|(?:won'?t|wont|doesn'?t|does not|will not) (?:go|come|lift) up",
        r"drag\w* (?:it|them)\b|flaps?\b|flapping|flipper",
        rf"{CANT_STRONG}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+)?(?:put|take|bear) (?:any |much )?weight (?:on|through) (?:it|my|the|her|his|that)",
        r"scuff\w* (?:my |the |his |her )?(?:toe|foot)|\bfeeble\b|(?:legs?|calf|calves|thighs?) (?:feel |feels |are |is )?(?:like )?(?:lead|leaden)",
        r"(?:leg|foot|knee|ankle) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,2}(?:isn'?t|is not|not|won'?t|doesn'?t) (?:working|cooperat\w*|responding)(?: properly| right)?|wobbly (?:left |right )?(?:leg|knee|foot)",
        r"\b(?:legs?)\s+(?:started |keeps? |is |was )?(?:dragging|drags|giving up|switching off|not firing)|drag\w* (?:them|it) (?:round|around|along)",
        r"\b(?:foot|feet|toes?)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,3}(?:drags?|dragging|dragged|slaps?|slapping|slapped|flops?|flopping|floppy|catch(?:es|ing)?|caught|scuff\w*|scrap\w*|clips?|clipping|smacks?|smacking|slams?|slamming)",
        rf"drag\w* {DET}(?:foot|feet|leg|toes)",
        r"(?:trip\w*|stumbl\w*|catch\w*|caught) (?:over|on) (?:my )?(?:own )?(?:left |right )?(?:foot|feet|toes|nothing)",
        r"keep(?:s|ing)? (?:tripping|stumbling|falling over)",
        rf"{CANT_STRONG}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+)?(?:lift|raise|pick up|pull up|flex|point|bend|move|wiggle|push off (?:with|on))\s+(?:up\s+)?{DET}(?:left |right |big )?(?:foot|toes?|ankle|leg)",
        rf"{CANT_STRONG}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+)?push off\b",
        rf"{CANT_STRONG}\s+(?:[\w']+\s+)?(?:lift|raise) {DET}knee",
        rf"{CANT}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+)?(?:walk|stand|balance|go up|get up|rise|lift (?:myself|up))\s+(?:up\s+)?on(?:to)?\s+{DET}(?:heels?|toes|tip ?toes?|tiptoes?)",
        r"(?:heel|toe|calf) (?:raises?|walk\w*)[^.!?;\n]{0,30}(?:can'?t|cannot|impossible|fail\w*|unable)",
        r"(?:knee|leg|legs|ankle)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,3}(?:gives?|gave|giving|give)\s+(?:way|out|in)",
        r"(?:knee|leg|legs)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,3}(?:buckl\w*|collaps\w*|folds?|folded|went from under|goes from under|go from under|gives under)",
        r"buckl(?:es|ed|ing) (?:under|on)",
        rf"(?:no|lost|losing|loss of|little|less|without) (?:strength|power|control) (?:in|of|over) {DET}(?:legs?|foot|feet|ankles?|calf|calves|thighs?)",
        r"(?:leg|foot) (?:won'?t|will not|doesn'?t|does not|isn'?t|is not) (?:hold|support|do what|work|obey|respond|listen)\w*",
        r"\b(?:legs?|knees?)\b[^.!?;\n]{0,40}(?:won'?t|don'?t|will not|do not|can'?t|cannot) (?:carry|hold|support) me",
        r"paraly\w*|wonky leg|floppy foot|foot (?:is |feels )?floppy",
        r"pierna d[eé]bil|debilidad|no puedo levantar el pie|se me dobla la (?:rodilla|pierna)",
        r"pierna[^.!?;\n]{0,30}d[eé]bil|(?:casi )?no (?:puedo|puede) (?:levantar|mover)(?:la|lo)?\b",
        r"\bweakness\b(?! in (?:my |the )?(?:core|glutes?|hips?|abs|back|upper body|arms?|hands?|stomach|mid-?section))",
    ),
    # "Weak" next to a leg: also what runners say of tired legs, so checked for exertion (see context).
    "LEG_WEAK_WORD": (
        rf"\bweak\w*\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,2}}(?:in\s+)?{DET}{LIMB}\b",
        rf"\b{LIMB}\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,4}}weak\w*",
        rf"\b{LIMB}\b{plain_gap(30)}\bweak\w*",
        rf"\b{LIMB}\s+(?:[\w']+\s+){{0,3}}(?:like |as )?(?:jelly|jello|wobbly|lead|leaden|heavy as lead|noodles|spaghetti)\b",
    ),
    "RADIATING_LEG_PAIN": (
        r"\bs?ciat\w*|\bci[aá]tic\w*",
        rf"(?:shoot\w*|radiat\w*|travel\w*|spread\w*|go(?:es|ing)?|went|run(?:s|ning)?|zing\w*|zap\w*|shock\w*|electric\w*|burn\w*|sharp|stabb\w*|lightning|bolt\w*|{PAIN}|refer\w*|moves?|moving|extends?|extending|reach\w*|all the way|baja|corre|shoots)\b{plain_gap(40)}\b(?:down|into|to|through|towards?|along|hasta|por)\s+(?:the (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){{0,2}}of\s+)?{DET}(?:leg|thigh|calf|calves|shin|foot|feet|ankle|knee|toes?|hamstring|heel|sole|piernas?|pies?|muslos?)\b",
        r"\bdown\s+(?:to\s+)?(?:the (?:back|side|outside|front) of\s+)?(?:my|the|one|his|her|left|right|l|r|both|each|that)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+)?(?:legs?|thighs?|calf|calves|shins?|feet|foot|heels?)\b",
        rf"from {DET}(?:back|lower back|butt|bum|buttock|glute|hip|spine|low back)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,4}}(?:down |in)?to\s+(?:my |the )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+)?(?:leg|knee|foot|calf|ankle|toes|heel|thigh)",
        r"\bradic\w*|\b[ls][1-5](?:/[ls]?[1-5])? (?:distrib\w*|dermatom\w*|root|nerve|radic\w*)|dermatom\w*|(?:nerve|nervy) pain|(?:pinched|trapped|compressed|irritated|squashed) nerve|nerve (?:is |being )?(?:pinched|trapped|compressed|irritated)|radicul\w*",
        r"(?:electric(?:al)?|lightning) (?:shocks?|zaps?|jolts?|bolts?|current|pain)|zingers|shooting pains?|hot wire|red[- ]hot wire",
        r"(?:zing\w*|zap\w*|electric\w*|shoot\w*|shock\w*|lightning)[^.!?;\n]{0,40}\b(?:legs?|calf|calves|thighs?|foot|feet|heels?|shins?)\b",
    ),
    "FEVER": (
        r"(?<!hay )(?<!cabin )(?<!spring )fe+ve+r(?!\s+pitch)\w*",
        r"febrile|feverish",
        r"\btemp(?:erature)?\b(?=\s*(?:of|was|is|at|around|up|spik\w*|high|reading|hit|went|\d))(?!\s*(?:was|is|of|at|around|went|hit)?\s*(?:minus|-\s?\d|below|freezing|sub-?zero|outside|cold|low|normal))",
        r"(?:high|had a|have a|running a|spiking a|with a|got a|slight|mild|little) (?:high |bit of a |slight )?temp(?:erature)?\b",
        r"\b3[7-9](?:[.,]\d)?\s*(?:°|º|degrees?|deg)?\s*c\b|\b3[89][.,]\d\b",
        r"\b(?:99[.,][5-9]|10[0-6](?:[.,]\d)?)\s*(?:°|º|degrees?|deg)?\s*f\b|\b(?:99[.,][5-9]|10[0-6](?:[.,]\d)?)\s*(?:°|º|degrees)",
        r"\bchills\b|\bthe chills|shiver\w*|shaking (?:chills|all over|uncontrollably)|rigou?rs|night ?sweats?",
        r"sweat\w* (?:at night|through the night|in bed|in my sleep|all night|buckets at night)|(?:soaked|drenched|soaking|wet) (?:in |with |through )?(?:sweat|the sheets|my sheets|the bed|my pyjamas|my pajamas)",
        r"hot and cold|fiebre|escalofr\w*|calentura|sudores? noctur\w*",
        r"teeth (?:were |are |kept |keep )?chattering|chattering teeth|can'?t get warm|under (?:two|2|three|3|extra|four) (?:duvets|blankets|quilts)|roasting|hot to (?:the )?touch|boiling up",
        r"flu[- ]like|feel(?:ing|s)? (?:really |very |a bit |quite )?(?:feverish|shivery|hot and cold)|shivery|burning up|clammy",
        r"(?:waking|wake|woke|woken) (?:up )?(?:drenched|soaked|soaking|in a (?:pool of )?sweat|sweating|sweaty)|change[- ]the[- ]sheets|(?:changing|change|changed) the sheets",
        r"\b(?:99[.,][5-9]|10[0-6][.,]\d)\b|(?:running|temp|fever|spiking|reading|hit|of) (?:a |at |of )?10[0-6]\b",
    ),
    "CANCER_HISTORY": (
        r"\bcancer\w*(?! scare| care| ward| unit| centre| center| nurs\w*| hospital| patients| clinic| team| department| research| charity)",
        r"\bcáncer\b",
        r"\btumou?r\w*",
        r"\bchemo\w*|\bquimio\w*|radiotherap\w*|radiation (?:therapy|treatment)|had radiation|oncolog\w*",
        r"lymphoma|leuka?emia|myeloma|melanoma|sarcoma|carcinoma|metasta\w*",
        r"\b(?:bone|spine|spinal|liver|lung|brain) mets\b|\bmets\b (?:to|in)",
        r"\b(?:hx|history|h/o)\s+(?:of\s+)?ca\b|\b(?:breast|prostate|lung|bowel|colon|colorectal|kidney|renal|thyroid|skin|ovarian|cervical|bladder|pancreatic|testicular)\s+ca\b|\bca\s+(?:of the\s+)?(?:breast|prostate|lung|bowel|colon|kidney)",
        r"hormone (?:jabs|injections|therapy|treatment|tablets) for (?:the |my )?(?:prostate|breast)|malignant|cancerous|the (?:nasty|bad) kind|oncology",
        r"the big c\b|in remission|mastectomy|lumpectomy|tamoxifen|letrozole|anastrozole|zoladex",
    ),
    "WEIGHT_LOSS": (
        r"(?:lost|losing|lose|dropped|dropping|shed|shedding|down|loss of|perd\w*|baj[eé])\s+(?:about |around |like |over |nearly |almost |roughly |~|maybe |at least )?(?:\d+(?:[.,]\d+)?|a|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|a few|a couple|some|several|a lot of|lots of|loads of|so much)\s*(?:kgs?|kilos?|kilograms?|lbs?|pounds?|stone|st)\b",
        r"\b\d+(?:[.,]\d+)?\s*(?:kgs?|kilos?|lbs?|pounds?)\s+(?:down|lighter|off|less|lost|gone)",
        r"(?:lost|losing|dropped|dropping|shed|shedding|lose)\s+(?:(?!not|no|never)[\w']+\s+){0,4}weight",
        r"weight (?:loss|has been dropping|is dropping|has dropped|dropped|falling|is falling|has fallen|going down|coming off|keeps dropping|keeps going down)",
        r"(?:clothes|trousers|pants|jeans|belt|shorts) (?:are |feel |have got |got |getting )?(?:loose|looser|falling off|baggy|too big)",
        r"p[eé]rdida de peso|(?:baj[eé]|perd[ií]) (?:de )?peso|adelgac\w*",
        r"(?:lost|losing|dropped|dropping) (?:some |a lot of |so much |loads of )?(?:wait|wieght|weigth|wight)\b",
        r"(?:reduction|decrease|drop|fall|loss) (?:of|in) (?:my |the )?(?:body ?)?weight|weight (?:reduction|decrease)",
        r"(?:dropped|lost|gone down|down) (?:a |one |two |three |\d+ )?(?:dress |clothes |clothing |jeans |trouser |pant |belt )?sizes?\b",
        r"(?:ring|rings|watch|belt|trousers|jeans)[^.!?;\n]{0,30}(?:sliding|slipping|falling|slides|slips|falls) off|(?:new|extra|another) (?:hole|notch)",
        r"(?:hanging|falling) off me|(?:lost|losing) (?:my )?appetite|no appetite|(?:belt|waist) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,3}(?:notch|notches|hole|holes) tighter|(?:looking|look|got|getting|become|gone|going) (?:so |really |very )?(?:thin|skinny|gaunt|bony)",
    ),
    "NIGHT_PAIN": (
        rf"(?:{PAIN}|it|this|back)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){{0,3}}(?:wakes?|woke|waking|woken|keeps? me (?:up|awake)|keeps? waking)\b",
        r"\b(?:wak(?:es|ing)|woke|woken) me\b|(?:worse|pain\w*|ache) (?:when |while )?(?:supine|recumbent|lying supine|flat on my back)",
        rf"(?:woken|woke|wake|waking) (?:me )?(?:up )?(?:by|with|from|because of|in|due to) (?:the |my |bad |severe |terrible |awful )?(?:{PAIN}|my back)",
        r"(?:can'?t|cannot|can not|unable to|couldn'?t) (?:get to |fall )?(?:sleep|asleep)(?!\s+(?:[\w']+\s+){0,3}(?:because of|due to|with|from) (?:the |my |our )?(?:neighbou?rs?'?|noise|baby|kids?|children|party|heat|work|stress|snoring|partner|dog|cat|jet ?lag|shifts?|worry|worrying))",
        rf"(?:hardly|barely|not|haven'?t been|can'?t) (?:get any )?(?:sleep|sleeping|slept)\w* (?:because|due|from|with|for) (?:of )?(?:the )?(?:{PAIN}|it|my back)",
        rf"(?:{PAIN}|it|worse|worst|bad|agony|unbearable)\s+(?:(?!but\b|fine\b|ok\b|okay\b|better\b|eases?\b|goes\b|gone\b|stops?\b|settles?\b|disappears?\b|except\b|not\b|no\b|only\b)\w+\s+){{0,6}}(?:at night|in the night|overnight|during the night|in bed|lying (?:down|still|flat|in bed)|(?:when|while|if) (?:i'?m |i am |i )?(?:lying|laying|lie|lay|rest|resting|still|in bed|sleeping|asleep|trying to sleep)|at rest|even (?:at|when|while|lying|resting|sitting still)|de noche|por la noche)",
        r"nothing (?:helps?|eases?|works?|relieves?|touches|takes|seems to|makes?|made|gets rid)|no position (?:is |feels )?(?:comfortable|helps|eases)|can'?t get comfortable|no (?:comfortable )?position",
        r"(?:painkillers|pain killers|pain ?meds?|meds|medication|ibuprofen|advil|tylenol|paracetamol|naproxen|aleve|codeine|tramadol|nurofen|pills|rest|resting)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,2}(?:don'?t|do not|doesn'?t|does not|didn'?t|did not|not|aren'?t|isn'?t|barely|hardly|won'?t|never|no longer)\s+(?:even\s+)?(?:help|work|touch|ease|do anything|take the edge|make a dent|relieve|making a difference|do a thing|helping|working)",
        rf"constant (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:{PAIN})|(?:{PAIN}) (?:is |has been )?(?:constant|there all the time|24/7|non-?stop|unrelenting|relentless)|day and night|night and day|all day and (?:all )?night|never (?:stops|lets up|goes away|eases)|doesn'?t (?:ever )?(?:stop|let up|ease off) (?:even|at all)",
        r"me despierta|no puedo dormir|dolor (?:por|en|durante) la noche",
        r"(?:can'?t|cannot|unable to|couldn'?t) (?:lie|lay) (?:down|flat|in bed|on my back)",
        r"(?:paracetamol|ibuprofen|painkillers|pain killers|tablets|pills|meds|heat|hot water bottle|ice|rest)\b[^.!?;\n]{0,30}\b(?:does|do|did) (?:absolutely )?(?:nothing|zilch|zip|sod all|bugger all)|(?:worst|worse|bad) when (?:i'?m|im|i am) (?:doing )?(?:absolutely )?nothing",
        r"(?:can only|have to|having to|had to|only able to|forced to) sleep\w* (?:in|on) (?:a |the |my )?(?:chair|armchair|recliner|sofa|couch|floor)(?! next to)",
        rf"(?:{PAIN}|it) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){{0,2}}(?:gets|getting|got|keeps getting) me up",
        r"(?:lying|laying|lie|lay|rest|resting|sitting still|being still|in bed|bed rest)\b (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,3}makes? (?:it|the pain|things|my back) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?worse",
        r"(?:painkillers|pain killers|pain ?meds?|meds|medication|ibuprofen|advil|tylenol|paracetamol|naproxen|aleve|codeine|tramadol|nurofen|pills|nsaids?|analgesi\w*)\s+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+\s+){0,2}(?:does|do|did) (?:absolutely )?nothing|not touching (?:it|the pain)",
    ),
    "SEVERE_PAIN": (
        rf"{CANT_STRONG}\s+(?:even\s+|really\s+|properly\s+)?(?:walk|stand|straighten|get (?:out of|up from|off|up off|into|in and out of) (?:bed|the bed|my bed|the floor|the couch|the sofa|a chair|my chair|the toilet|the car)|get up|put (?:any )?weight on|bear weight|weight ?bear|move|roll over|turn over in bed|get dressed|put on (?:my )?(?:socks|shoes)|sit up|take a step|make it to|caminar|andar|levantarme|enderezarme|moverme)",
        r"(?:i'?m|im|i am|i'?ve been|ive been|been|walking|walk|stuck|standing|left|permanently|all) (?:[\w']+ )?(?:hunched|bent|doubled|stooped|crooked|listing|leaning|tilted|twisted)(?: right)? (?:over|forward|sideways|to (?:one|the) side|to the (?:left|right)|like|up|double)",
        r"(?:hunched|bent|doubled|stooped) (?:over |double )?(?:in|with|from) (?:the )?(?:pain|agony)|(?:bent|hunched|stooped) (?:over )?like (?:an old|a|an)|can'?t (?:stand|get) (?:up )?straight"
        r"walking (?:like (?:an old|a question mark|a banana|quasimodo|a crab|a 90)|bent|hunched|crooked|sideways)|on all fours|(?:had to |have to |could only )crawl\w*|crawl(?:ed|ing)? (?:to|on|around|up|into|out of|along)(?! (?:under|beneath))|bed ?ridden|bed ?bound|laid up|stuck in bed|confined to bed",
        r"(?:using|need|needed|on|with) (?:a |the |my |[\w']+'s )?(?:crutches|walking stick|cane|walker|wheelchair)",
        r"\b(?:8|9|10|eight|nine|ten)(?:[.,]5)?\s*(?:/|out of|outta|of)\s*(?:10|ten)\b(?!\s*(?:runs|times|days|of|people|miles|km|weeks|nights))|\b1[1-9]\s*/\s*10\b",
        r"(?:pain|it)(?:'s| is| was| at| about| around| level| score| rated| like|\s)+(?:an? )?(?:8|9|10|eight|nine|ten)(?:[.,]5)?\b(?!\s*(?:k|km|mi|miles|minutes|mins?|days|weeks|months|years|hours|am|pm|times|%|x|ks|kms))",
        r"unbearable|excruciating|agoni[sz]\w*|\bagony|worst pain|(?:severe|extreme|crippling|debilitating|screaming|incapacitat\w*) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:pain|ache|spasms?|back pain)|crying (?:in|with|from|because of) (?:the )?pain|in tears|insoportable|dolor (?:muy )?fuerte",
    ),
    "MINOR_TRAUMA": (
        r"\bfell\b(?!\s+(?:behind|short|apart|in love|(?:down|into) a rabbit hole|for it|off the (?:wagon|pace|plan)|asleep|sick|ill|pregnant|through|into (?:a |the |my )?(?:habit|routine|rut|pattern)|out of (?:love|shape|the habit|routine|my routine)|off (?:pace|my pace|the pace|training|my plan)|back (?:to|on|into)|flat|silent|to sleep|for|victim))",
        r"\bfalling\b(?!\s+(?:behind|asleep|apart|off the pace|out of|into|short|for))",
        r"\b(?:a|my|the|bad|nasty|hard|big|small|little|minor|awkward|heavy|slight|this)\s+(?:fall|tumble|spill)\b(?!\s+(?:marathon|race|half|season|10k|5k|training|running|run|ultra|series|schedule|block|plan|break|semester|term|weather|colou?rs|foliage|leaves|trail|cross|xc))",
        r"took a (?:tumble|fall|spill|digger|header)|went down hard|wiped out|wipe ?out|face-?plant\w*",
        r"(?:tripped|slipped|stumbled|skidded)\s+(?:on|over|and|while|when|in|down|off|at|up|going)",
        r"came off (?:my|the|a|his|her) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:bike|bicycle|scooter|e-?scooter|skateboard|board|mtb|cycle)",
        r"crash\w* (?:my|on my|off my|on the|off the|on a) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:bike|bicycle|scooter|cycle)|(?:bike|bicycle|cycling|scooter) (?:crash|accident|fall|spill)",
        r"landed (?:hard |heavily |awkwardly |flat |square |squarely |right )?on (?:my )?(?:back|bum|butt|tailbone|coccyx|side|hip|spine|bottom|backside|arse|ass)",
        r"(?:knocked|bumped) (?:over|down|into) by|(?:hit|struck|clipped|bumped|knocked|barged|ploughed into|plowed into) (?:in the back )?by (?:a |an |another |some )?(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:cyclist|bike|bicycle|runner|dog|scooter|kid|child|person|player)",
        r"collided|collision|tackled",
        r"(?<!pain )(?<!it )(?<!ache )\bfall (?:on|onto|over|down|from|in|off)\b|\bfalls (?:on|onto|over|down|from)\b",
        r"(?:dog|kid|child|someone|a runner|cyclist|player) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:jump\w*|ran|crash\w*|knock\w*|bump\w*|barged|slammed) (?:on|into) me",
        r"(?:feet|legs) (?:went|came|slid|shot) (?:out )?from under me|base over apex|arse over (?:tit|teakettle)|head over heels|came a cropper",
        r"missed (?:a|the|the last|my) (?:step|footing)|miss-?step|lost my footing|landed (?:badly|awkwardly|wrong)",
        r"(?:hit|banged|bashed|smacked|whacked|knocked|bumped|cracked|jarred) (?:my )?(?:lower |upper |mid )?(?:back|spine|tailbone|coccyx) (?:hard |badly |really hard )?(?:on|against|into)",
        r"(?<!by )\baccident\b(?! prone)",
        r"me ca[ií]|se cay[oó]|ca[ií]da|me resbal\w*|tropec\w*",
    ),
    # --- markers that combine with leg findings -------------------------------
    "BILATERAL": (
        r"\bboth\b(?: of (?:my|the))?(?: \w+)? (?:legs|feet|sides|thighs|calves|knees|ankles|shins|buttocks|hips|heels)",
        r"\b(?:legs|feet) (?:are |feel |have |both )+(?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ ){0,2}both\b|\b(?:legs|feet) (?:are |feel )?both\b",
        r"\bboth of (?:em|them|'em)\b|\bbilat\b|\bboth\s+(?:legs|feet)|bilateral\w*|left and right|right and left|\bl and r\b|\br and l\b|each leg|either leg|\bboth\b(?= (?:are|feel|went|go|have|keep|sides|of them))",
        r"\b(?:my |me |the )?two legs|both me legs|ambas piernas|las dos piernas|los dos pies|ambos pies|ambos lados|(?:on |in )?(?:either|each) (?:foot|feet|leg|side)",
        r"(?:now|also|and)? ?(?:in )?(?:my |the )?(?:left|right) (?:leg|foot|side|one|calf|thigh) (?:too|as well|also)\b|(?:spread|moved|gone|going|travell?ed) (?:(?!(?:not|no|never|nothing|none|don'?t|doesn'?t|didn'?t|isn'?t|aren'?t|wasn'?t|weren'?t|won'?t|hasn'?t|haven'?t)\b)[\w']+ )?(?:to|into) (?:my |the )?(?:other|left|right) (?:leg|side|foot)",
        r"switch\w* (?:sides|legs)|alternat\w* (?:sides|legs|between)|one side then the other|down both sides|on both sides",
        r"(?:now|also|too|as well|then|spread\w* to|moved to|started in|into) (?:in )?the other (?:leg|foot|side|one)|other (?:leg|foot|side) (?:too|as well|now|also|started)",
    ),
    "WORSENING": (
        r"(?:getting|got|gets|growing|grows|becoming|became|become|gone|going)\s+(?:much |a lot |a bit |progressively |steadily |even |quickly |rapidly |noticeably |way )?(?:worse|weaker|more (?:numb|weak|floppy)|less (?:strong|able))",
        r"(?:worse|weaker)\s+(?:and (?:worse|weaker)|by the (?:hour|day|minute)|every (?:single )?(?:day|hour|morning|few hours)|each (?:day|hour|morning)|since (?:yesterday|this morning|last night|monday|tuesday|wednesday|thursday|friday|saturday|sunday)|overnight|today than|than (?:yesterday|this morning|last night))",
        r"climb\w* up|creep\w* up|spread\w* up|moving up|travell?ing up|go(?:es|ing)? downhill|progressive\w*|rapidly|worsening|deteriorat\w*|\bsudden\w*|all of a sudden|more and more|spreading|cada (?:vez|d[ií]a) (?:m[aá]s|peor)|empeora\w*|going downhill|downhill fast",
        r"(?:fewer|less|shorter|weaker)\b[^.!?;\n]{0,30}\b(?:each|every) day|(?:each|every) day\b[^.!?;\n]{0,40}\b(?:fewer|less|shorter|weaker)\b",
        r"(?:worse|weaker)\b[^.!?;\n]{0,30}\bthan (?:it was |they were |i was )?(?:yesterday|this morning|last night|earlier|before|a few days ago|last week)",
        r"(?:yesterday|last night|this morning|few days ago|couple of days ago|days ago|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b[^.!?;\n]{0,80}\b(?:today|now|tonight|this morning|this afternoon|by (?:dinner|lunch|tea|bedtime|the evening|evening|tonight|the afternoon|noon|lunchtime))\b",
    ),
}

LABEL_TO_FLAG: dict[str, str] = {
    "SADDLE_NUMBNESS": "saddle_numbness",
    "BLADDER_BOWEL": "bladder_bowel",
    "MAJOR_TRAUMA": "major_trauma",
    "LEG_NUMBNESS": "leg_numbness",
    "LEG_WEAKNESS": "leg_weakness",
    "LEG_WEAK_WORD": "leg_weakness",
    "RADIATING_LEG_PAIN": "radiating_leg_pain",
    "FEVER": "fever",
    "CANCER_HISTORY": "cancer_history",
    "WEIGHT_LOSS": "weight_loss",
    "NIGHT_PAIN": "night_pain",
    "SEVERE_PAIN": "severe_pain",
    "MINOR_TRAUMA": "minor_trauma",
}
MARKERS = frozenset({"BILATERAL", "WORSENING"})
LEG_LABELS = frozenset({"LEG_NUMBNESS", "LEG_WEAKNESS", "LEG_WEAK_WORD", "RADIATING_LEG_PAIN"})
WEAKNESS_LABELS = frozenset({"LEG_WEAKNESS", "LEG_WEAK_WORD"})
