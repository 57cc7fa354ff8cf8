import type { SafetyCategory } from './tables.ts';

/**
 * The safety screen every user message passes before any provider call.
 * Rules, not a model: transparent, multilingual (en, de, fr, es), testable
 * against the shipped labelled set (safety-labelled.json), and free of
 * network calls, so a crisis answer never waits on a provider. Idioms that
 * only sound alarming ("this fight is killing me", "je meurs de rire") are
 * removed before the crisis patterns run: false alarms drive people away.
 */
export interface SafetyVerdict {
  crisis: boolean;
  category: SafetyCategory | null;
}

export type RefusalTopic = 'diagnosis' | 'medication' | 'legal' | 'monitoring';

/** Lower case, no accents, plain apostrophes, one space: what the patterns see. */
export function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'")
    .replace(/ß/g, 'ss')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Hyperbole and idioms, cut out before the crisis patterns look. */
const IDIOMS: RegExp[] = [
  // en
  /\b(is|are|was|'s|'re|were|it's|its|this|that|keeps|kept) (\w+ )?killing me\b/g,
  /\bkilling (it|time)\b/g,
  /\bkill (some )?time\b/g,
  /\b(dying|die|died|dead) (of|from|with) (embarrassment|laughter|shame|boredom|curiosity|hunger|cringe|jealousy)\b/g,
  /\b(i'm|im|i am) dying to\b/g,
  /\bto die for\b/g,
  /\b(could|would|will|gonna|going to) (just )?(kill|murder|strangle) (him|her|them|you|my \w+) (if|when|for|because|next time|one day)\b/g,
  /\b(could|would) (just )?(kill|murder|strangle) (him|her|them|my \w+)\b/g,
  /\b(mum|mom|mother|dad|father|boss|he|she|they) (is|'s|are|will|'ll) (going to |gonna )?(kill|murder) (me|us)\b/g,
  /\bkill me now\b/g,
  /\bdrives? me (crazy|insane|nuts|mad)\b/g,
  /\bwant(ed)? to die of\b/g,
  /\b(scared|afraid) to death of (spiders|flying|heights|public speaking|commitment)\b/g,
  // de
  /\b(bringt|bringen|brachte) mich (noch |fast |echt |wirklich )?um\b/g,
  /\b(sterbe|sterben|starb) (fast |gleich )?vor (lachen|scham|langeweile|hunger|neugier)\b/g,
  /\bzum sterben (langweilig|schon|schon)\b/g,
  /\bich (konnte|konnte) (ihn|sie|ihm|ihr) (umbringen|erwurgen|toten)\b/g,
  /\b(umbringen|erwurgen),? wenn\b/g,
  /\btodmude\b/g,
  // fr
  /\b(ca|cela|cette \w+|ce \w+|il|elle|tu|ils|ces \w+) (me|nous) tue(nt)?\b/g,
  /\b(mourir|meurs|meurt|mort|morte|morts) (de|d') ?(rire|honte|faim|ennui|envie|fatigue|peur des araignees)\b/g,
  /\bje (pourrais|vais) (le|la|les) (tuer|etrangler)(,)? (s'il|si|quand)\b/g,
  /\bje (pourrais|pourrai) (le|la|les) (tuer|etrangler)\b/g,
  /\b(ma mere|mon pere|mon patron|il|elle) va me tuer (si|quand)\b/g,
  // es
  /\b(me|nos) (esta|estan|estas) matando\b/g,
  /\b(esto|esta \w+|este \w+) me mata\b/g,
  /\bme muero (de|por) (risa|verguenza|hambre|sueno|ganas|aburrimiento|celos)\b/g,
  /\bmuerto de (risa|verguenza|hambre|sueno|cansancio)\b/g,
  /\b(lo|la|los) (mato|matare|voy a matar) (si|cuando)\b/g,
  /\b(mi madre|mi jefe|el|ella) me va a matar (si|cuando)\b/g,
];

const PATTERNS: Record<SafetyCategory, RegExp[]> = {
  'self-harm': [
    // en
    /\bkill(ing)? myself\b/,
    /\b(end|ending|take|taking) my (own )?life\b/,
    /\bsuicid/,
    /\b(?<!(don't|dont|do not|never) )(want|wanna|wish|going|ready|plan(ning)?) (to )?(die|be dead|disappear forever)\b/,
    /\bwish i (was|were) dead\b/,
    /\b(don't|dont|do not) want to (live|be alive|exist|wake up|go on)( anymore)?\b/,
    /\bno (reason|point) (in |to )?(living|live|going on|being alive)\b/,
    /\b(better off|be better) without me\b/,
    /\bbetter off (if|when) i('m| am| was| were)? (gone|dead|not here|not around)\b/,
    /\b(hurt|hurting|cut|cutting|harm|harming|burn|burning) myself\b/,
    /\bself[- ]?harm/,
    /\b(take|swallow|taking) (all|a bottle of|the whole) (of )?(my |the |these )?(pills|tablets|meds)\b/,
    /\boverdos/,
    /\b(pills|tablets|meds)\b.{0,40}\b(take|swallow) (them all|all of them)\b/,
    /\b(jump|jumping) (off|from|in front)\b/,
    /\bend it all\b/,
    /\bcan'?t (go on|do this anymore|take it anymore)\b.*\b(die|dead|end|life|living)\b/,
    /\bnot (be|being) here anymore\b/,
    /\bgoodbye letter|suicide note\b/,
    // de
    /\bmich (\w+ )?(selbst )?(umbringen|toten|umzubringen)\b/,
    /\bbringe? ich mich um\b/,
    /\b(wunsche mir|will|mochte) (\w+ )?tot (zu )?sein\b/,
    /\bselbstmord|\bsuizid/,
    /\b(will|mochte|wunsche mir) (?!nicht\b|nie\b)(\w+ ){0,3}(sterben|tot sein)\b/,
    /\b(nicht mehr|kein bock mehr zu) leben\b/,
    /\bmir (das leben|etwas|was) (nehmen|antun|anzutun)\b/,
    /\bmich (ritzen|verletzen|schneiden)\b/,
    /\balles beenden\b/,
    /\bohne mich besser dran\b/,
    /\b(alle|die ganzen) tabletten\b/,
    // fr
    /\bme (suicider|tuer|foutre en l'air)\b/,
    /\bme scarifie/,
    /\b(en finir|mettre fin a (mes jours|ma vie))\b/,
    /\b(envie de|veux|voudrais) (mourir|disparaitre|crever)\b/,
    /\b(plus|pas) envie de vivre\b/,
    /\bme (faire du mal|scarifier|couper)\b/,
    /\bmieux sans moi\b/,
    /\b(toutes? )?(mes|les|des) (cachets|medicaments|pilules)\b.*\b(avaler|prendre tous|tout prendre)\b/,
    /\bavaler (tous|toutes) (mes|les)\b/,
    // es
    /\b(matarme|suicidarme|quitarme la vida)\b/,
    /\b(quiero|quisiera|deseo) (morir|morirme|estar muert[oa]|desaparecer)\b/,
    /\bno quiero (seguir )?(vivir|viviendo|despertar)\b/,
    /\bacabar con (todo|mi vida)\b/,
    /\b(hacerme dano|cortarme|lastimarme)\b/,
    /\bmejor sin mi\b/,
    /\b(todas )?(las|mis) pastillas\b.*\b(tomar(me)?|tragar(me)?)\b|\btomarme todas\b/,
  ],
  'harm-to-others': [
    // en
    /\b(want|wanna|going|gonna|plan(ning)?|about|ready) (to )?(hurt|harm|kill|stab|shoot|strangle|poison|beat up|murder) (him|her|them|my (husband|wife|partner|boyfriend|girlfriend|ex|kids?|children|son|daughter|baby))\b/,
    /\b(i have|i've got|i bought|got) a (gun|knife|weapon)\b/,
    /\b(make|making) (him|her|them) (pay|suffer|bleed)\b/,
    /\bhit (him|her|them|my \w+) (until|so hard|again)\b/,
    /\b(afraid|scared|worried) (that )?i('ll| will| might| may) (hurt|kill|harm|hit) (him|her|them|my \w+|the (baby|kids))\b/,
    /\b(shake|hurt|harm) the baby\b/,
    /\b(revenge|burn (his|her) (house|car))\b/,
    // de
    /\b(will|werde|mochte) (ihn|sie|ihm|ihr|meinen mann|meine frau|meinen freund|meine freundin) (wirklich )?(umbringen|toten|verletzen|weh tun|abstechen|erschiessen)\b/,
    /\b(ich habe|hab) (ein messer|eine waffe|eine pistole)\b/,
    /\b(angst|sorge),? (dass )?ich (ihm|ihr|ihn|sie|dem baby|den kindern) (etwas |was )?(antue|weh tue|verletze)\b/,
    // fr
    /\b(je vais|je veux|j'ai envie de) (le|la|les|lui) (tuer|poignarder|faire du mal|frapper|etrangler)\b/,
    /\bj'ai (un couteau|une arme|un pistolet)\b/,
    /\b(peur|crainte) de (lui|leur) faire du mal\b/,
    // es
    /\b(voy a|quiero|tengo ganas de) (matarlo|matarla|hacerle dano|lastimarlo|lastimarla|apunalarlo|pegarle)\b/,
    /\btengo (un cuchillo|una pistola|un arma)\b/,
    /\bmiedo de (hacerle dano|lastimarlo|lastimarla|hacerle algo)\b/,
  ],
  abuse: [
    // en
    /\b(he|she|my (husband|wife|partner|boyfriend|girlfriend|bf|gf)) (hits|hit|beats|beat|chokes|choked|strangles|strangled|slaps|slapped|kicks|kicked|punches|punched|pushed|shoves|shoved|burned|bit) me\b/,
    /\b(he|she)( has|'s)? (hit|beaten|choked|slapped|punched|kicked|raped) me\b/,
    /\b(afraid|scared|terrified) of (him|her|my (husband|wife|partner|boyfriend|girlfriend))\b/,
    /\b(afraid|scared|terrified) (for my life|of what (he|she)('ll| will| might| would) do)\b/,
    /\b(threaten(s|ed)?|threatening) (to )?(kill|hurt|take the kids|take my kids|leave me with nothing|me)\b/,
    /\b(won't|doesn't|does not|will not|wont|doesnt) (let|allow) me (to )?(see|leave|go out|have|talk|work|use)\b/,
    /\b(controls|checks|takes|took|reads) (all )?(of )?my (money|phone|messages|bank|passport|card)\b/,
    /\b(forced|forces|pressures|pressured|made) me (to )?(have sex|into sex|do things|sleep with)\b/,
    /\brap(e|ed) me\b|\bmarital rape\b/,
    /\b(choked|strangled|punched|slapped|kicked) me\b|\bby the throat\b/,
    /\block(s|ed)? me (in|out)\b/,
    /\b(not allowed|isn't allowing me|forbids me|forbidden) to (see|have|go|talk|leave)\b/,
    /\b(tracks|tracked|tracking|monitors) (my|me)\b/,
    /\bi('m| am) (not safe|unsafe) (at home|with him|with her)\b/,
    /\bdomestic (violence|abuse)\b/,
    // de
    /\b(er|sie|mein mann|meine frau|mein freund|meine freundin|mein partner) (schlagt|schlug|wurgt|wurgte|tritt|trat|schubst|schubste|ohrfeigt|vergewaltigt|verprugelt)( mich)?\b.*\bmich\b|\b(schlagt|schlug|wurgt|wurgte|tritt|trat|schubst|schubste|ohrfeigt|vergewaltigt|verprugelt) mich\b/,
    /\bangst vor (ihm|ihr|meinem mann|meiner frau|meinem freund|meinem partner)\b/,
    /\b(droht|drohte) (mir|mich|damit)\b/,
    /\bkontrolliert (mein|meine|alle meine) (handy|geld|nachrichten|konto)\b/,
    /\b(lasst|lasst) mich nicht (raus|gehen|arbeiten|meine)\b/,
    /\b(zwingt|zwang) mich\b/,
    /\bhausliche gewalt\b/,
    /\bsperrt mich ein\b/,
    // fr
    /\b(il|elle|mon mari|ma femme|mon copain|ma copine|mon conjoint) me (frappe|frappait|bat|battait|gifle|etrangle|pousse|viole|menace|force)\b/,
    /\bm'a (frappe|giflee?|etranglee?|violee?|poussee?|menacee?)\b/,
    /\bpeur de (lui|elle|mon mari|ma femme|mon conjoint|mon copain)\b/,
    /\b(controle|surveille|fouille) (mon telephone|mon argent|mes messages|mon compte)\b/,
    /\bm'(interdit|empeche) de (voir|sortir|travailler|partir)\b/,
    /\bviolences? conjugales?\b/,
    /\bm'enferme\b/,
    // es
    /\b(me pega|me pego|me golpea|me golpeo|me ahorca|me ahorco|me empuja|me empujo|me cachetea|me viola|me violo|me amenaza|me amenazo|me obliga|me obligo)\b/,
    /\bmiedo (de|a) (el|ella|mi marido|mi esposo|mi esposa|mi novio|mi pareja)\b/,
    /\bcontrola (mi telefono|mi celular|mi dinero|mis mensajes|mi cuenta)\b/,
    /\bno me deja (ver|salir|trabajar|ir|tener)\b/,
    /\bviolencia (de genero|domestica)\b/,
    /\bme encierra\b/,
  ],
};

/** A threat against the user is abuse, even when it reads like self-harm words ("il me menace de me tuer"). */
const THREATS: RegExp[] = [
  /\bthreat(en)?(s|ed|ening)? (me )?(to|that he will|that she will) (kill|hurt) me\b/,
  /\b(droht|drohte) (mir|mich),? (mich )?(umzubringen|zu toten|weh zu tun)\b/,
  /\b(menace|menacait|a menacee?) de me (tuer|frapper)\b/,
  /\bamenaza(do|ba)? con (matarme|pegarme)\b/,
];

/** Words that turn a hyperbole into a statement: "I'm going to kill her when she gets home, I mean it". */
const SERIOUS =
  /\b(i mean it|i'm serious|im serious|not joking|no joke|for real|ich meine es ernst|im ernst|kein witz|je suis serieu(x|se)|pour de vrai|je ne rigole pas|lo digo en serio|en serio|no es broma)\b/;
const VIOLENT_TO_OTHERS =
  /\b(kill|hurt|stab|shoot) (him|her|them)\b|\b(ihn|sie) (umbringen|toten|verletzen)\b|\b(le|la) (tuer|poignarder)\b|\b(matarlo|matarla|hacerle dano)\b/;

/** Cuts idioms out of a normalised text. */
export function withoutIdioms(text: string): string {
  let cleaned = text;
  for (const idiom of IDIOMS) cleaned = cleaned.replace(idiom, ' ~ ');
  return cleaned;
}

/** Classifies one user message: self-harm first (the most urgent), then harm to others, then abuse. */
export function classify(text: string): SafetyVerdict {
  const normalised = normalise(text);
  if (THREATS.some((pattern) => pattern.test(normalised))) return { crisis: true, category: 'abuse' };
  if (SERIOUS.test(normalised) && VIOLENT_TO_OTHERS.test(normalised))
    return { crisis: true, category: 'harm-to-others' };
  const cleaned = withoutIdioms(normalised);
  for (const category of ['self-harm', 'harm-to-others', 'abuse'] as const) {
    if (PATTERNS[category].some((pattern) => pattern.test(cleaned))) return { crisis: true, category };
  }
  return { crisis: false, category: null };
}

const REFUSALS: Record<RefusalTopic, RegExp[]> = {
  monitoring: [
    /\b(track|trace|spy on|monitor|follow|locate)\b.{0,30}\b(his|her|their|my (husband|wife|partner|boyfriend|girlfriend|bf|gf)('s)?)\b.{0,20}\b(phone|location|messages|texts|whatsapp|car|emails?)?/,
    /\b(read|see|check|access|hack)\b.{0,15}\b(his|her|my (husband|wife|partner|boyfriend|girlfriend)'s) (phone|messages|texts|whatsapp|emails?|dms|instagram)\b.{0,40}\b(without|secretly|so (he|she) (doesn't|won't) know)?/,
    /\b(spyware|stalkerware|mspy|flexispy|keylogger|gps tracker|airtag)\b/,
    /\b(make|force) (him|her|my (husband|wife|partner|boyfriend|girlfriend)) (to )?(stay|obey|do what i|give me (his|her) password)\b/,
    /\b(handy|standort) (meines|meiner) (mannes|frau|freundes|freundin|partners).{0,30}(orten|uberwachen|kontrollieren|lesen)\b|\b(uberwachen|orten) (meinen|meine) (mann|frau|freund|freundin|partner)\b/,
    /\b(surveiller|espionner|localiser|pister) (mon mari|ma femme|mon copain|ma copine|son telephone|mon conjoint)\b/,
    /\b(espiar|rastrear|vigilar|controlar) (a mi|el (celular|telefono|movil) de mi) (novio|novia|esposo|esposa|pareja|marido|mujer)\b/,
  ],
  medication: [
    /\b(what|which|how much|how many) (dose|dosage|mg|milligrams|pills?)\b/,
    /\b(should|can|could) (i|he|she|we) (take|stop taking|get|be on) (an? )?(antidepressants?|ssris?|xanax|zoloft|prozac|lexapro|benzos?|medication|meds|sleeping pills|viagra)\b/,
    /\b(prescribe|recommend) (me )?(some |a )?(medication|antidepressants?|pills?|drugs?)\b/,
    /\b(medikament|tabletten|antidepressiva)\b.{0,30}\b(nehmen|dosis|empfehlen)\b/,
    /\b(medicament|antidepresseur|somnifere)s?\b.{0,30}\b(prendre|dose|conseiller)\b/,
    /\b(medicamento|antidepresivo|pastilla)s?\b.{0,30}\b(tomar|dosis|recomendar)\b/,
  ],
  diagnosis: [
    /\b(diagnose|diagnosis)\b/,
    /\b(is|does) (he|she|my (husband|wife|partner|boyfriend|girlfriend)) (a |an )?(narcissist|psychopath|sociopath|bipolar|autistic|borderline|have (bpd|adhd|npd|bipolar|depression|autism|a personality disorder))\b/,
    /\b(do|might|could) i have (depression|bpd|adhd|bipolar|ptsd|anxiety disorder|a personality disorder|autism)\b/,
    /\b(ist|hat) (er|sie|mein mann|meine frau) (ein )?(narzisst|borderline|bipolar|depressionen|adhs)\b/,
    /\b(est-il|est-elle|il est|elle est) (un |une )?(pervers narcissique|narcissique|bipolaire|borderline)\b/,
    /\b(es|tiene) (un |una )?(narcisista|bipolar|borderline|psicopata|trastorno)\b/,
  ],
  legal: [
    /\b(custody|alimony|prenup|prenuptial|divorce (law|rights|settlement)|lawyer|attorney|sue (him|her)|legal (rights|advice)|is it (legal|illegal)|restraining order)\b/,
    /\b(sorgerecht|unterhalt|anwalt|scheidungsrecht|ehevertrag)\b/,
    /\b(garde des enfants|pension alimentaire|avocat|contrat de mariage)\b/,
    /\b(custodia|pension alimenticia|abogado|acuerdo prenupcial)\b/,
  ],
};

/** A request the coach declines (after the crisis screen): monitoring first, it is never helped. */
export function refusalOf(text: string): RefusalTopic | null {
  const cleaned = normalise(text);
  for (const topic of ['monitoring', 'medication', 'diagnosis', 'legal'] as const) {
    if (REFUSALS[topic].some((pattern) => pattern.test(cleaned))) return topic;
  }
  return null;
}

/**
 * The output moderation check: provider text that gives self-harm methods,
 * dosing, a diagnosis, monitoring instructions or encourages violence is
 * stopped before the client sees it. Checked on the text released so far.
 */
const UNSAFE_OUTPUT: RegExp[] = [
  /\b(lethal|fatal) dose\b/,
  /\bhow to (kill|hurt) (yourself|him|her)\b/,
  /\b\d+ ?(mg|milligrams?)\b/,
  /\b(install|use|try) (a |an )?(spyware|stalkerware|mspy|flexispy|keylogger|tracking app|gps tracker)\b/,
  /\b(track|monitor) (his|her|their) (phone|location) (with|using|by)\b/,
  /\byou (clearly )?(have|suffer from) (depression|bpd|bipolar|ptsd|adhd|a personality disorder|narcissistic personality disorder)\b/,
  /\b(he|she) (is|has) (clearly |definitely )?(a narcissist|a psychopath|npd|bpd|bipolar)\b/,
  /\byou should (hit|hurt|slap|punish|threaten) (him|her|them)\b/,
  /\bkill yourself\b/,
];

export function moderate(output: string): { flagged: boolean } {
  const text = normalise(output);
  return { flagged: UNSAFE_OUTPUT.some((pattern) => pattern.test(text)) };
}
