/**
 * The offline coach's shipped exercises: short, evidence-based practices from
 * couples research (Gottman Method, Emotionally Focused Therapy, Imago
 * dialogue, nonviolent communication, active-constructive responding, the
 * 36 questions). Each has stable id, topic tags and the steps the coach cites.
 */
export interface Exercise {
  id: string;
  title: string;
  topics: string[];
  basis: string;
  steps: string;
}

export const EXERCISES: readonly Exercise[] = [
  {
    id: 'ex-soft-startup',
    title: 'Soft start-up',
    topics: ['conflict', 'communication'],
    basis: 'Gottman',
    steps:
      'Begin with "I feel … about … and I need …" instead of "you always". Name one situation, not their character.',
  },
  {
    id: 'ex-speaker-listener',
    title: 'Speaker–listener turns',
    topics: ['communication', 'conflict'],
    basis: 'PREP',
    steps:
      'One holds the floor and speaks briefly; the other paraphrases before answering. Swap after a few minutes.',
  },
  {
    id: 'ex-time-out',
    title: 'Twenty-minute time-out',
    topics: ['conflict', 'stress'],
    basis: 'Gottman (flooding)',
    steps:
      'When a heart races in an argument, agree a pause of at least 20 minutes, do something calming alone, and name the time you will return.',
  },
  {
    id: 'ex-repair-attempts',
    title: 'Repair attempts',
    topics: ['conflict', 'apology'],
    basis: 'Gottman',
    steps:
      'Agree on a few phrases that de-escalate ("Can we start over?", "I see my part"), and honour them when either uses one.',
  },
  {
    id: 'ex-aftermath',
    title: 'Processing a fight afterwards',
    topics: ['conflict', 'apology'],
    basis: 'Gottman Aftermath of a Fight',
    steps:
      'When calm, each describes what they felt and needed (not who was right), names a trigger from their past, and one thing they regret.',
  },
  {
    id: 'ex-apology',
    title: 'A full apology',
    topics: ['apology', 'trust'],
    basis: 'repair research',
    steps:
      'Name what you did, its impact on them, why it matters to you, and what you will do differently. Skip the "but".',
  },
  {
    id: 'ex-stress-reducing',
    title: 'Stress-reducing conversation',
    topics: ['stress', 'connection'],
    basis: 'Gottman',
    steps:
      "Spend 20 minutes a day on stress from outside the relationship; take your partner's side, ask questions, no unasked-for advice.",
  },
  {
    id: 'ex-love-maps',
    title: 'Love maps questions',
    topics: ['connection', 'quality-time'],
    basis: 'Gottman',
    steps:
      "Take turns asking open questions about each other's current worries, hopes and friendships; learn one new thing tonight.",
  },
  {
    id: 'ex-36-questions',
    title: 'Three rounds of closeness questions',
    topics: ['connection', 'intimacy', 'quality-time'],
    basis: 'Aron et al. (36 questions)',
    steps:
      'Take turns answering a few questions that go a little deeper each round, then look at each other quietly for a minute.',
  },
  {
    id: 'ex-appreciation',
    title: 'Daily appreciation',
    topics: ['appreciation', 'connection'],
    basis: 'Gottman fondness and admiration',
    steps: 'Each day tell your partner one specific thing you appreciated, and what it meant to you.',
  },
  {
    id: 'ex-active-constructive',
    title: 'Celebrate good news',
    topics: ['appreciation', 'communication'],
    basis: 'Gable (active-constructive responding)',
    steps:
      'When they share good news, respond with enthusiasm and questions ("Tell me everything!") before anything else.',
  },
  {
    id: 'ex-bids',
    title: 'Turning towards bids',
    topics: ['connection', 'quality-time'],
    basis: 'Gottman',
    steps:
      'Notice small bids for attention (a sigh, a shared link) and turn towards them with a word or a look, even when busy.',
  },
  {
    id: 'ex-hold-me-tight',
    title: 'Naming the cycle',
    topics: ['conflict', 'connection', 'jealousy'],
    basis: 'EFT (Johnson)',
    steps:
      'Describe your usual argument as a dance you both get caught in ("I pursue, you withdraw"), then name the fear under each move.',
  },
  {
    id: 'ex-jealousy-needs',
    title: 'Jealousy as a signal',
    topics: ['jealousy', 'trust'],
    basis: 'EFT, NVC',
    steps:
      'Name the fear beneath jealousy (being left, not mattering) and ask for reassurance you can both offer, not for control.',
  },
  {
    id: 'ex-trust-rebuild',
    title: 'Small promises kept',
    topics: ['trust'],
    basis: 'Gottman trust research',
    steps:
      'Agree one small, checkable promise for the week and keep it; trust grows from many kept small promises.',
  },
  {
    id: 'ex-nvc',
    title: 'Observation, feeling, need, request',
    topics: ['communication', 'conflict'],
    basis: 'Nonviolent Communication',
    steps: 'Say what happened without judgment, how you felt, what you need, and one concrete request.',
  },
  {
    id: 'ex-imago-mirroring',
    title: 'Mirror, validate, empathise',
    topics: ['communication'],
    basis: 'Imago dialogue',
    steps: 'Repeat back what you heard, say what makes sense about it, and guess how they feel.',
  },
  {
    id: 'ex-weekly-meeting',
    title: 'State of the union meeting',
    topics: ['communication', 'chores', 'money'],
    basis: 'Gottman',
    steps:
      'Once a week: five appreciations, then one issue each, discussed with soft start-up, ending with a plan.',
  },
  {
    id: 'ex-money-dreams',
    title: 'Money dreams and fears',
    topics: ['money'],
    basis: 'Gottman dreams within conflict',
    steps:
      'Each shares what money meant in their family and one dream and one fear about it, before any budget talk.',
  },
  {
    id: 'ex-fair-play',
    title: 'Share the invisible load',
    topics: ['chores', 'stress'],
    basis: 'division-of-labour research',
    steps:
      'List the household tasks including planning and remembering; each owns some tasks fully, from noticing to finishing.',
  },
  {
    id: 'ex-rituals',
    title: 'Rituals of connection',
    topics: ['quality-time', 'connection', 'long-distance'],
    basis: 'Gottman',
    steps:
      'Pick one daily ritual (a six-second kiss, a ten-minute check-in call) and one weekly one, and protect them.',
  },
  {
    id: 'ex-long-distance',
    title: 'Shared presence at a distance',
    topics: ['long-distance'],
    basis: 'relationship maintenance research',
    steps: 'Plan a shared activity (same film, cooking the same dish) and a countdown to the next visit.',
  },
  {
    id: 'ex-intimacy-talk',
    title: 'A gentle intimacy talk',
    topics: ['intimacy'],
    basis: 'sex therapy (sensate focus, talking about desire)',
    steps:
      'Outside the bedroom, each shares one thing they love and one wish, with curiosity rather than pressure.',
  },
  {
    id: 'ex-in-laws',
    title: 'Team first with family',
    topics: ['family'],
    basis: 'Gottman',
    steps:
      'Agree together what you will say to family before each visit, and back each other up in front of them.',
  },
  {
    id: 'ex-parenting-team',
    title: 'Co-parenting huddle',
    topics: ['parenting', 'stress'],
    basis: 'Bringing Baby Home',
    steps:
      'Ten minutes after the kids sleep: what went well, what was hard, one thing to try tomorrow, one thank-you.',
  },
  {
    id: 'ex-self-soothing',
    title: 'Self-soothing before talking',
    topics: ['stress', 'conflict'],
    basis: 'physiological self-soothing',
    steps:
      'Breathe slowly (in four, out six) for two minutes and relax your shoulders before returning to a hard talk.',
  },
];

/** Words (several languages) that point to each topic; a message's topic is the best score. */
export const TOPIC_WORDS: Record<string, readonly string[]> = {
  conflict: [
    'fight',
    'argu',
    'yell',
    'shout',
    'angry',
    'mad at',
    'conflict',
    'streit',
    'stritten',
    'dispute',
    'pelea',
    'discut',
    'enfad',
    'wütend',
    'colère',
    'en colère',
  ],
  communication: [
    'talk',
    'listen',
    'communicat',
    'understand me',
    'reden',
    'zuhören',
    'parler',
    'écoute',
    'hablar',
    'escucha',
    'ignore',
  ],
  trust: [
    'trust',
    'lie',
    'lied',
    'cheat',
    'betray',
    'vertrau',
    'lüg',
    'confiance',
    'mens',
    'confianza',
    'mient',
    'engañ',
  ],
  jealousy: ['jealous', 'eifersücht', 'jaloux', 'jalouse', 'celos', 'celoso', 'celosa', 'flirt'],
  intimacy: ['sex', 'intima', 'intime', 'desire', 'libido', 'touch', 'kiss', 'lust', 'deseo', 'cuddl'],
  'quality-time': [
    'time together',
    'date',
    'bored',
    'routine',
    'zeit',
    'temps ensemble',
    'tiempo juntos',
    'busy',
    'distant',
  ],
  appreciation: ['appreciat', 'taken for granted', 'thank', 'grateful', 'dank', 'merci', 'gracias', 'valued'],
  stress: [
    'stress',
    'work',
    'tired',
    'exhausted',
    'overwhelm',
    'arbeit',
    'müde',
    'travail',
    'fatigu',
    'trabajo',
    'cansad',
    'agobi',
  ],
  'long-distance': [
    'long distance',
    'long-distance',
    'far away',
    'fernbeziehung',
    'distance',
    'distancia',
    'miss him',
    'miss her',
    'visit',
  ],
  money: ['money', 'spend', 'budget', 'debt', 'geld', 'argent', 'dinero', 'salary', 'rent'],
  chores: ['chore', 'dishes', 'housework', 'clean', 'laundry', 'haushalt', 'ménage', 'tareas', 'mental load'],
  family: [
    'in-law',
    'mother-in-law',
    'his mother',
    'her mother',
    'his parents',
    'her parents',
    'family',
    'familie',
    'famille',
    'familia',
    'suegr',
    'schwieger',
  ],
  parenting: ['kid', 'child', 'baby', 'parenting', 'kinder', 'enfant', 'niño', 'hijo', 'bebé'],
  apology: [
    'sorry',
    'apolog',
    'forgive',
    'entschuldig',
    'verzeih',
    'pardon',
    'désolé',
    'perdón',
    'perdon',
    'lo siento',
  ],
  connection: [
    'lonely',
    'disconnect',
    'close',
    'connection',
    'roommates',
    'einsam',
    'seul',
    'solo',
    'sola',
    'apart',
  ],
};
