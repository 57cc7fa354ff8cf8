/**
 * The shipped template catalogue: 7 per category, 56 in all. Ids are stable
 * strings (`<category>-<n>`), so a note keeps pointing at its template across
 * releases. Variables in {{double braces}} are filled at send time.
 */
const CATALOGUE_TEXT: Record<string, Array<[title: string, body: string]>> = {
  morning: [
    ['Good morning', 'Good morning, {{partnerName}}! I hope your day is as lovely as you are.'],
    ['First thought', 'You were my first thought this morning, {{partnerName}}.'],
    ['Coffee', 'Wish I could bring you coffee in bed right now. Have a wonderful day!'],
    ['Sunshine', 'Rise and shine, sunshine. The world is better with you awake in it.'],
    ['Day {{daysTogether}}', 'Day {{daysTogether}} of us, and I still wake up grateful. Good morning!'],
    ['Go get it', 'Morning, love. Go show today who you are. I believe in you.'],
    ['Smile', 'Just a little note to make you smile before your day begins. — {{myName}}'],
  ],
  goodnight: [
    ['Sweet dreams', 'Good night, {{partnerName}}. Sweet dreams, and see you in them.'],
    ['Stars', 'Every star tonight is a wish I made for you. Sleep well.'],
    ['Rest', 'You worked so hard today. Rest now, love. Good night.'],
    ['Last thought', 'My last thought tonight is you, {{partnerName}}.'],
    ['Tomorrow', 'Can’t wait for tomorrow, because you’re in it. Good night!'],
    ['Goodnight hug', 'Sending you the biggest goodnight hug. — {{myName}}'],
    ['Moon', 'The moon is keeping an eye on you for me tonight. Sleep tight.'],
  ],
  apology: [
    ['I am sorry', 'I’m sorry, {{partnerName}}. You deserve better than how I acted.'],
    ['Let’s talk', 'I was wrong, and I’d love to talk when you’re ready.'],
    ['Forgive me', 'I hate it when we’re apart like this. Please forgive me.'],
    ['I hear you', 'I heard what you said, and you were right. I’m sorry.'],
    ['Making it right', 'Let me make it right. Dinner tonight, my treat?'],
    ['Still us', 'A bad moment doesn’t change us. I’m sorry, and I love you.'],
    ['My fault', 'That one was on me. Thank you for your patience with me. — {{myName}}'],
  ],
  gratitude: [
    ['Thank you', 'Thank you for everything you do, {{partnerName}}. I notice it all.'],
    ['Lucky', 'I’m so lucky to have you. Thank you for being you.'],
    ['Little things', 'Thank you for all the little things that make my days better.'],
    ['Support', 'Thank you for always having my back. I couldn’t do it without you.'],
    ['Grateful', '{{daysTogether}} days together and I’m grateful for every single one.'],
    ['Patience', 'Thank you for your patience, your kindness and your laugh.'],
    ['Home', 'Thank you for making everywhere feel like home. — {{myName}}'],
  ],
  'missing-you': [
    ['Missing you', 'I miss you, {{partnerName}}. Come back soon.'],
    ['Counting', 'Counting the hours until I see you again.'],
    ['Too quiet', 'It’s too quiet without you here.'],
    ['Your laugh', 'I miss your laugh. Call me when you can?'],
    ['Distance', 'Miles apart, but you’re always right here in my heart.'],
    ['Soon', 'Every day apart is one day closer to being together.'],
    ['Thinking of you', 'Just thinking of you, as usual. — {{myName}}'],
  ],
  anniversary: [
    [
      'Happy anniversary',
      'Happy anniversary, {{partnerName}}! Since {{anniversary}}, every day has been better.',
    ],
    ['Days together', '{{daysTogether}} days together. Here’s to thousands more.'],
    ['Still choosing you', 'Since {{anniversary}}, I keep choosing you, every day.'],
    ['Best decision', 'Being with you was the best decision I ever made. Happy anniversary!'],
    ['Our story', 'Our story started on {{anniversary}}, and it’s my favourite one.'],
    ['Another year', 'Another year of loving you. Happy anniversary, love.'],
    ['Cheers', 'Cheers to us, {{partnerName}}. With all my love, {{myName}}.'],
  ],
  encouragement: [
    ['You can do it', 'You’ve got this, {{partnerName}}. I believe in you completely.'],
    ['Proud', 'I’m so proud of you, whatever happens today.'],
    ['Breathe', 'Take a deep breath. You are more ready than you think.'],
    ['Big day', 'Good luck today! I’ll be cheering for you all day.'],
    ['Keep going', 'Hard days don’t last. Keep going, I’m right beside you.'],
    ['Strong', 'You are stronger than you know, and I see it every day.'],
    ['Your fan', 'Your biggest fan is sending love and courage. — {{myName}}'],
  ],
  playful: [
    ['Guess what', 'Guess who’s thinking about you? (It’s me. {{myName}}.)'],
    ['Warning', 'Warning: you are dangerously cute today, {{partnerName}}.'],
    ['Date night', 'You, me, pizza and a terrible movie tonight?'],
    ['Secret', 'I have a secret to tell you tonight. 😏'],
    ['Rating', 'Rating you today: 11/10, would fall in love again.'],
    ['Stolen', 'You stole my heart, but you can keep it.'],
    ['Emoji', '💌🥰😘 — that’s all, just wanted to say it in emoji.'],
  ],
};

export interface CatalogueTemplate {
  id: string;
  category: string;
  title: string;
  body: string;
}

export const CATALOGUE: readonly CatalogueTemplate[] = Object.entries(CATALOGUE_TEXT).flatMap(
  ([category, entries]) =>
    entries.map(([title, body], index) => ({ id: `${category}-${index + 1}`, category, title, body })),
);

const byId = new Map(CATALOGUE.map((t) => [t.id, t]));
export const catalogueTemplate = (id: string): CatalogueTemplate | undefined => byId.get(id);
