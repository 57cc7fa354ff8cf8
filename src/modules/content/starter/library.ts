/**
 * The starter library a fresh install ships with: short articles and
 * exercises written for One 2 One Love, on five themes. Seeded by the
 * migration `20261202T2001_content_starter_library` (idempotent by slug);
 * editors may change or archive them like anything else. The offline coach
 * draws on them through `searchLibrary`.
 */
export interface StarterItem {
  slug: string;
  type: 'article' | 'blog-post';
  title: string;
  excerpt: string;
  /** The first is the primary tag. */
  tags: string[];
  visibility: 'public' | 'members' | 'premium';
  body: string;
}

const exercise = (steps: string[]) => steps.map((s, i) => `${i + 1}. ${s}`).join('\n');

export const STARTER_LIBRARY: StarterItem[] = [
  // Communication
  {
    slug: 'the-ten-minute-check-in',
    type: 'article',
    title: 'The ten-minute check-in',
    excerpt: 'A short daily ritual that keeps small worries from growing into big ones.',
    tags: ['communication', 'exercise', 'daily'],
    visibility: 'public',
    body: `Most couples talk every day, but about logistics: who buys bread, who picks up the kids. A check-in is different: ten minutes about how each of you *is*.

## How to do it

${exercise([
  'Sit somewhere without screens. Set a timer for ten minutes.',
  'Each of you answers three questions: *What went well today? What weighed on me? What do I need from you tomorrow?*',
  'The listener only listens. No fixing, no advice, no defending.',
  'Finish with one thing you appreciated about your partner today.',
])}

Keep it light. If a big topic comes up, agree on a time to talk about it properly instead of solving it now.`,
  },
  {
    slug: 'listening-to-understand',
    type: 'article',
    title: 'Listening to understand, not to reply',
    excerpt: 'Reflective listening in three sentences, and why it calms arguments down.',
    tags: ['communication', 'listening'],
    visibility: 'public',
    body: `When we feel criticised, we start building our answer while our partner is still talking. They notice, and they repeat themselves louder.

Reflective listening breaks the loop. Before you answer, say back what you heard:

- "What I hear is that you felt alone when I stayed late at work."
- "Did I get that right?"
- "Is there more?"

Only when your partner says *yes, that's it* do you give your side. It feels slow. It is much faster than the argument it replaces.`,
  },
  {
    slug: 'i-statements-that-work',
    type: 'article',
    title: 'I-statements that actually work',
    excerpt: 'Turn a complaint into a request your partner can say yes to.',
    tags: ['communication', 'conflict'],
    visibility: 'public',
    body: `"You never help" starts a debate about the word *never*. An I-statement talks about you instead:

> I feel **overwhelmed** when the dishes pile up after dinner, and I'd love it if we cleared the kitchen together.

The recipe has three parts: the feeling, the concrete situation, and a specific request. Leave out words like *always*, *never* and *you should*. Ask for something your partner can do this week, not a change of personality.`,
  },
  {
    slug: 'talking-about-money-without-fighting',
    type: 'article',
    title: 'Talking about money without fighting',
    excerpt: 'A monthly money date, with an agenda that keeps it calm.',
    tags: ['communication', 'money', 'exercise'],
    visibility: 'members',
    body: `Money fights are rarely about money. They are about safety, freedom and fairness. A regular, scheduled money date makes the topic routine instead of explosive.

## The agenda

${exercise([
  'Start with a win: something you saved, paid off or enjoyed.',
  'Look at last month together, without blame.',
  'Each names one worry and one wish.',
  'Agree on one small decision, and write it down.',
  'End with something fun you are saving for together.',
])}

Keep it under forty minutes, and never do it when one of you is tired or hungry.`,
  },
  {
    slug: 'the-love-map-questions',
    type: 'article',
    title: 'Forty questions to update your love map',
    excerpt: 'How well do you know your partner today? Questions to ask over dinner.',
    tags: ['communication', 'intimacy', 'exercise'],
    visibility: 'premium',
    body: `A *love map* is everything you know about your partner's inner world: their worries, hopes, friends, and the song they can't stop humming. People change, so maps go out of date.

Pick three questions tonight and take turns:

- What is something you are looking forward to this month?
- Who at work do you enjoy the most right now, and why?
- What would a perfect lazy Sunday look like for you this year?
- What is a small thing I do that makes you feel loved?
- What is a dream you have not told many people about?

Listen for the surprises. Each one is a new street on the map. The full list of forty questions, grouped by theme, follows below for subscribers, with suggestions for follow-up questions that go deeper.`,
  },
  {
    slug: 'texting-well',
    type: 'blog-post',
    title: 'Texting well: small messages, big difference',
    excerpt: 'Why a two-line message in the middle of the day matters more than you think.',
    tags: ['communication', 'daily', 'love-notes'],
    visibility: 'public',
    body: `Couples who send each other small, warm messages during the day report feeling closer, even when the messages are trivial. It is not about the words; it is about the signal: *I thought of you*.

A few ideas: a photo of something that reminded you of them, a thank-you for something they did this morning, or a note scheduled for when you know their meeting ends. One 2 One Love's scheduled love notes were built for exactly that.`,
  },
  // Conflict
  {
    slug: 'the-repair-attempt',
    type: 'article',
    title: 'The repair attempt: stopping a fight halfway',
    excerpt: 'Small gestures that de-escalate, and how to accept them.',
    tags: ['conflict', 'repair'],
    visibility: 'public',
    body: `Every couple fights. What distinguishes couples who stay happy is not the absence of conflict but how they *repair*.

A repair attempt is anything that slows the spiral: a joke, a touch, "I'm sorry, that came out wrong", "Can we start over?". The hard part is not making them; it is accepting them. When your partner offers one, take it, even if you are still upset. You can keep talking about the problem, just more gently.`,
  },
  {
    slug: 'taking-a-break-properly',
    type: 'article',
    title: 'Taking a break from an argument, properly',
    excerpt: 'When hearts race, nobody listens. How to pause without walking out.',
    tags: ['conflict', 'exercise'],
    visibility: 'public',
    body: `Above about 100 beats per minute, most people cannot take in what they hear. Continuing the argument only makes it worse.

${exercise([
  'Agree in advance on a signal word that means "I need a break".',
  'Whoever uses it says when they will be back: "Give me twenty minutes."',
  'During the break, do something calming. Do not rehearse your arguments.',
  'Come back at the time you promised. That promise is what makes the break safe.',
])}`,
  },
  {
    slug: 'the-soft-start',
    type: 'article',
    title: 'The soft start-up',
    excerpt: 'The first three minutes of a difficult conversation predict how it ends.',
    tags: ['conflict', 'communication'],
    visibility: 'members',
    body: `Conversations tend to end the way they begin. A harsh start-up ("We need to talk about your mess") almost always ends badly; a soft one gives you a chance.

A soft start-up begins with something positive or neutral, describes the situation without judging it, and asks for help: "I love that we have people over so often. I get stressed when the flat is messy before guests arrive. Could we tidy together on Friday evenings?"`,
  },
  {
    slug: 'perpetual-problems',
    type: 'article',
    title: 'Living with problems that never go away',
    excerpt: 'Most disagreements in a couple are never solved, and that is fine.',
    tags: ['conflict', 'acceptance'],
    visibility: 'premium',
    body: `Researchers who followed couples for years found that most recurring disagreements, about tidiness, money, in-laws or how social to be, are never solved. They come from differences in personality.

The goal is not to solve them but to talk about them with humour and affection, without gridlock. Ask each other what the position means: what dream or fear sits underneath. You may still disagree about the dishes, but you will understand why it matters so much to the other person.`,
  },
  {
    slug: 'apologising-well',
    type: 'article',
    title: 'How to apologise so it lands',
    excerpt: 'The parts of a real apology, and the words that cancel it.',
    tags: ['conflict', 'repair'],
    visibility: 'public',
    body: `A real apology has four parts: naming what you did, acknowledging how it affected your partner, saying what you will do differently, and asking what they need.

Avoid *but* ("I'm sorry, but you also..."), *if* ("I'm sorry if you felt hurt") and long explanations. Explanations can come later, once your partner feels heard.`,
  },
  {
    slug: 'fighting-fair-rules',
    type: 'blog-post',
    title: 'Ten rules for fighting fair',
    excerpt: 'A short list to stick on the fridge before the next disagreement.',
    tags: ['conflict', 'checklist'],
    visibility: 'members',
    body: `- One topic at a time.
- No name-calling, no contempt, no eye-rolling.
- No "always" or "never".
- Take breaks when you need them, and come back.
- Never threaten the relationship in an argument.
- Talk about behaviour, not character.
- Listen before you answer.
- Accept repair attempts.
- Look for the part you agree with.
- End with something kind, even if you did not agree.`,
  },
  // Intimacy
  {
    slug: 'six-second-kiss',
    type: 'article',
    title: 'The six-second kiss',
    excerpt: 'A tiny daily habit that turns a peck into a moment of connection.',
    tags: ['intimacy', 'daily'],
    visibility: 'public',
    body: `A quick peck on the way out is habit. A kiss that lasts six seconds is long enough to feel like a moment: you have to stop, notice each other and be there.

Try it for two weeks, when you part in the morning and when you meet again in the evening. Many couples notice they start looking forward to it.`,
  },
  {
    slug: 'rituals-of-connection',
    type: 'article',
    title: 'Rituals of connection',
    excerpt: 'Small, repeated moments that say "we are a team".',
    tags: ['intimacy', 'daily', 'habits'],
    visibility: 'public',
    body: `Rituals are the things you do together on purpose and on repeat: Sunday pancakes, a walk after dinner, a song you both sing badly in the car.

Make a list together of the rituals you already have, and pick one new one to try this month. The best rituals are small enough that you will actually keep them.`,
  },
  {
    slug: 'talking-about-desire',
    type: 'article',
    title: 'Talking about desire',
    excerpt: 'A gentle conversation guide for couples whose rhythms differ.',
    tags: ['intimacy', 'communication'],
    visibility: 'premium',
    body: `Differences in desire are among the most common concerns couples bring to therapists, and among the hardest to talk about.

Choose a calm moment outside the bedroom. Start with what you enjoy and appreciate. Talk about what helps you feel close, what gets in the way (stress, tiredness, feeling unseen), and what each of you would like more of. Listen for needs, not for a schedule. Subscribers get the full guide, including conversation cards for three evenings.`,
  },
  {
    slug: 'the-stress-reducing-conversation',
    type: 'article',
    title: 'The stress-reducing conversation',
    excerpt: 'Twenty minutes a day about stress that has nothing to do with your relationship.',
    tags: ['intimacy', 'support', 'exercise'],
    visibility: 'members',
    body: `Stress from outside the relationship, a boss or a family member, spills into it. A daily conversation about that stress protects you both.

${exercise([
  'Take turns: each has about ten minutes.',
  "The listener takes the speaker's side. Always.",
  'Show understanding: "That sounds exhausting."',
  'Only offer advice if asked.',
  'End with affection.',
])}`,
  },
  {
    slug: 'rediscovering-play',
    type: 'blog-post',
    title: 'Rediscovering play',
    excerpt: 'Why couples who laugh together cope better, and how to start.',
    tags: ['intimacy', 'fun'],
    visibility: 'public',
    body: `Novelty and play release the same excitement as the early days. It does not need to be expensive: cook a recipe from a country neither of you has visited, have a pillow fight, learn a silly dance from a video.

Put one *new* thing in the calendar this week. The shared calendar in One 2 One Love can remind you both.`,
  },
  {
    slug: 'touch-map',
    type: 'article',
    title: 'The touch map exercise',
    excerpt: 'A non-sexual exercise to learn how your partner likes to be touched.',
    tags: ['intimacy', 'exercise'],
    visibility: 'premium',
    body: `Affectionate, non-sexual touch lowers stress hormones and builds closeness. But people differ: one loves a hand on the shoulder, the other finds it distracting.

Take turns for ten minutes each. The giver tries different kinds of touch: hand-holding, a shoulder rub, stroking hair. The receiver rates each from one to five, out loud, without explaining. Swap. Afterwards, share one surprise. Subscribers get the follow-up exercises for the next three weeks.`,
  },
  // Gratitude
  {
    slug: 'three-good-things-together',
    type: 'article',
    title: 'Three good things, together',
    excerpt: 'A bedtime gratitude practice for two.',
    tags: ['gratitude', 'daily', 'exercise'],
    visibility: 'public',
    body: `Before sleeping, each of you names three good things from the day, and at least one of them has to be about the other person.

It takes three minutes. After a few weeks, many people notice they start *looking* for good things during the day so they have something to say. That shift in attention is the point.`,
  },
  {
    slug: 'the-appreciation-jar',
    type: 'article',
    title: 'The appreciation jar',
    excerpt: 'Write small thank-yous on paper, read them on a hard day.',
    tags: ['gratitude', 'exercise'],
    visibility: 'public',
    body: `Keep a jar and a pad of paper in the kitchen. Whenever your partner does something you appreciate, write it down: "You made coffee when I overslept." "You listened about my sister."

On a bad day, either of you can pull out a few notes. You can also keep a digital jar: save your favourite love notes in the app.`,
  },
  {
    slug: 'noticing-the-invisible-work',
    type: 'article',
    title: 'Noticing the invisible work',
    excerpt: 'The tasks nobody sees until they are not done, and why thanking them matters.',
    tags: ['gratitude', 'fairness'],
    visibility: 'members',
    body: `Remembering birthdays, noticing the milk is low, booking the dentist: much of the work that keeps a home running is invisible.

Sit together and list every recurring task, including the thinking ones. Mark who does each. You may rebalance some, but even just seeing the list, and saying thank you, changes how both of you feel.`,
  },
  {
    slug: 'the-gratitude-letter',
    type: 'article',
    title: 'The gratitude letter',
    excerpt: 'One letter, read aloud, that couples remember for years.',
    tags: ['gratitude', 'exercise', 'writing'],
    visibility: 'premium',
    body: `Write a letter to your partner about what they have meant to you: specific moments, qualities you admire, ways they have changed you. Aim for one page.

Then read it aloud to them, slowly. It will feel awkward. It will also be one of the moments you both remember. Subscribers get prompts for writing it, and a version for couples who live apart.`,
  },
  {
    slug: 'compliments-that-count',
    type: 'blog-post',
    title: 'Compliments that count',
    excerpt: 'Praise the effort and the person, not only the outcome.',
    tags: ['gratitude', 'communication'],
    visibility: 'public',
    body: `"Nice dinner" is pleasant. "You remembered I love lemon and made that dessert after a long day, that was so thoughtful" is unforgettable.

Specific compliments show you noticed. Try one specific compliment a day for a week and see what changes.`,
  },
  {
    slug: 'gratitude-on-hard-days',
    type: 'article',
    title: 'Gratitude on hard days',
    excerpt: 'When everything feels heavy, start very small.',
    tags: ['gratitude', 'support'],
    visibility: 'public',
    body: `Gratitude practices can feel fake when life is hard. Do not force big feelings. Start small: "I'm glad you're here." "Thank you for sitting with me."

Gratitude does not deny the difficulty; it reminds you that you are facing it together.`,
  },
  // Long distance
  {
    slug: 'long-distance-rituals',
    type: 'article',
    title: 'Long-distance rituals that keep you close',
    excerpt: 'Shared routines across time zones.',
    tags: ['long-distance', 'habits'],
    visibility: 'public',
    body: `Distance removes the small everyday moments. Rituals bring them back on purpose:

- A good-morning note timed for when your partner wakes up, in *their* time zone.
- Watching the same film at the same time, on a call.
- Cooking the same recipe and eating "together".
- A weekly call with no agenda, just catching up.

One 2 One Love schedules notes in your partner's time zone, so the morning message arrives in their morning.`,
  },
  {
    slug: 'the-countdown',
    type: 'article',
    title: 'Living with the countdown',
    excerpt: 'How to make the time until the next visit feel shorter.',
    tags: ['long-distance', 'planning'],
    visibility: 'public',
    body: `Knowing when you will next see each other makes distance far easier. Always have the next visit in the calendar, even if it is tentative.

Plan something for the visit together, one thing each. Anticipation is half the joy.`,
  },
  {
    slug: 'long-distance-conflict',
    type: 'article',
    title: 'Arguing well at a distance',
    excerpt: 'Text is the worst medium for conflict. What to do instead.',
    tags: ['long-distance', 'conflict'],
    visibility: 'members',
    body: `Without tone of voice and facial expression, text messages are read in the worst possible way. When something starts to hurt, switch to a voice or video call.

If you cannot call right away, send: "This matters to me, can we talk about it tonight?" Then stop texting about it until you do.`,
  },
  {
    slug: 'visits-without-pressure',
    type: 'article',
    title: 'Visits without pressure',
    excerpt: 'Why the first day of a visit is often tense, and how to soften it.',
    tags: ['long-distance', 'intimacy'],
    visibility: 'premium',
    body: `Many long-distance couples notice that the first day of a visit is awkward, and the last day sad. Both are normal: you are switching from a remote to a shared life.

Keep the first evening simple, with no big plans. Talk about expectations before you meet: how much time alone, with friends, resting. And plan the goodbye: a small ritual for the last morning makes the parting gentler. The full guide for subscribers covers the week after the visit.`,
  },
  {
    slug: 'closing-the-distance',
    type: 'article',
    title: 'Talking about closing the distance',
    excerpt: 'Questions to ask before one of you moves.',
    tags: ['long-distance', 'planning', 'communication'],
    visibility: 'premium',
    body: `At some point, most long-distance couples talk about living in the same place. It is a big decision, with work, friends and family at stake.

Questions to explore together: Who would move, and what would they leave behind? What would each of you need to feel at home? What is the plan if the first year is hard? Subscribers get a worksheet to go through over several conversations.`,
  },
  {
    slug: 'sending-something-physical',
    type: 'blog-post',
    title: 'Send something you can touch',
    excerpt: 'Postcards, scents and small parcels in a digital relationship.',
    tags: ['long-distance', 'gratitude'],
    visibility: 'public',
    body: `Messages are instant, but a postcard is something your partner can hold, keep and put on the fridge. A T-shirt that smells of you, a pressed flower, a list of reasons you love them.

Physical things say "I planned this". Send one this month.`,
  },
  {
    slug: 'welcome-to-the-library',
    type: 'blog-post',
    title: 'Welcome to the library',
    excerpt: 'What you will find here, and how to use it with your partner.',
    tags: ['news'],
    visibility: 'public',
    body: `This library collects short articles and exercises for couples: communication, conflict, intimacy, gratitude and long-distance love. Each piece takes a few minutes to read and gives you one thing to try together.

Some pieces are for members; a few go deeper and are part of premium. The podcast *Two Minutes for Us* has short episodes you can listen to together.`,
  },
];

/** The sample podcast show and its episodes, with audio shipped under `starter/assets/`. */
export const STARTER_SHOW = {
  slug: 'two-minutes-for-us',
  title: 'Two Minutes for Us',
  description:
    'Very short episodes for couples: one idea, one exercise, two minutes. From the One 2 One Love library.',
  author: 'One 2 One Love',
  ownerName: 'One 2 One Love',
  ownerEmail: 'podcast@one2one.love',
  language: 'en',
  category: 'Health & Fitness',
  cover: 'show-cover.jpg',
  episodes: [
    {
      slug: 'two-minutes-listening-first',
      title: 'Listening first',
      excerpt: 'Why saying back what you heard calms an argument.',
      body: 'In this episode: reflective listening in three sentences. Try it tonight with one small topic.',
      tags: ['communication', 'podcast'],
      visibility: 'public' as const,
      audio: 'episode-1.mp3',
      durationSeconds: 8,
      episodeNumber: 1,
    },
    {
      slug: 'two-minutes-repair-after-a-fight',
      title: 'Repair after a fight',
      excerpt: 'Repair attempts, and how to accept one.',
      body: 'In this episode: what a repair attempt is and why accepting one matters more than making one.',
      tags: ['conflict', 'podcast'],
      visibility: 'public' as const,
      audio: 'episode-2.mp3',
      durationSeconds: 10,
      episodeNumber: 2,
    },
  ],
};
