import type { RefusalTopic } from './safety.ts';
import type { SafetyCategory } from './tables.ts';

/**
 * Fixed, human-written texts: the crisis answers (helplines by language, a
 * safety-plan prompt), the AI disclosure that opens every conversation, and
 * the refusals. Never generated, never sent to a provider. Helplines are for
 * the main country of each language; each text also names the emergency number.
 */
export type CoachLocale = 'en' | 'de' | 'fr' | 'es';

export function coachLocale(locale: string | undefined): CoachLocale {
  const language = (locale ?? 'en').slice(0, 2).toLowerCase();
  return language === 'de' || language === 'fr' || language === 'es' ? language : 'en';
}

const CRISIS: Record<CoachLocale, Record<SafetyCategory, string>> = {
  en: {
    'self-harm':
      'I am really glad you told me, and I am worried about your safety. I am an AI and cannot help the way a person can right now. Please reach out now: in the US call or text 988 (Suicide & Crisis Lifeline); in the UK or Ireland call Samaritans on 116 123; elsewhere, findahelpline.com lists free lines. If you are in immediate danger, call 911, 999 or 112. While you wait: can you move away from anything you could hurt yourself with, and tell someone you trust how you feel? Writing down who you can call and what helps you get through the next hour is a good first step of a safety plan.',
    'harm-to-others':
      'It sounds like things feel out of control right now, and I want everyone to stay safe, you included. I am an AI and cannot help with this the way a person can. Please step away from the situation and from anything that could be used as a weapon. Talk to someone now: in the US call or text 988; in the UK call Samaritans on 116 123. If anyone is in immediate danger, call 911, 999 or 112. When you are calmer, a counsellor can help you with the anger behind this.',
    abuse:
      'Thank you for telling me. What you describe is not your fault, and you deserve to be safe. I am an AI, but trained people can help you confidentially: in the US, the National Domestic Violence Hotline on 1-800-799-7233 (or text START to 88788); in the UK, the National Domestic Abuse Helpline on 0808 2000 247. If you are in danger now, call 911, 999 or 112. If it is safe to do so, think about a safety plan: a person you can go to, a bag with documents and medicines, and a code word for friends.',
  },
  de: {
    'self-harm':
      'Danke, dass du mir das erzählst. Ich mache mir Sorgen um deine Sicherheit. Ich bin eine KI und kann dir nicht so helfen wie ein Mensch. Bitte melde dich jetzt bei der TelefonSeelsorge: 0800 111 0 111 oder 0800 111 0 222 (kostenlos, rund um die Uhr), in Österreich 142, in der Schweiz 143. Bei akuter Gefahr wähle 112. Kannst du dich von allem entfernen, womit du dich verletzen könntest, und einer vertrauten Person sagen, wie es dir geht? Schreib auf, wen du anrufen kannst und was dir durch die nächste Stunde hilft: das ist ein erster Schritt eines Sicherheitsplans.',
    'harm-to-others':
      'Es klingt, als sei gerade alles sehr aufgewühlt, und ich möchte, dass alle sicher bleiben, auch du. Ich bin eine KI und kann hier nicht helfen wie ein Mensch. Bitte geh aus der Situation heraus und weg von allem, was als Waffe dienen könnte. Sprich jetzt mit jemandem: TelefonSeelsorge 0800 111 0 111. Wenn jemand in akuter Gefahr ist, wähle 110 oder 112.',
    abuse:
      'Danke, dass du mir das anvertraust. Was du beschreibst, ist nicht deine Schuld, und du hast ein Recht auf Sicherheit. Ich bin eine KI, aber das Hilfetelefon Gewalt gegen Frauen hilft vertraulich und rund um die Uhr: 116 016; für Männer das Hilfetelefon Gewalt an Männern: 0800 123 99 00. Bei Gefahr wähle 110 oder 112. Wenn es sicher ist, denk an einen Sicherheitsplan: eine Person, zu der du gehen kannst, eine Tasche mit Papieren und Medikamenten, ein Codewort für Freunde.',
  },
  fr: {
    'self-harm':
      'Merci de me l’avoir dit. Je m’inquiète pour ta sécurité. Je suis une IA et je ne peux pas t’aider comme une personne le peut. Appelle maintenant le 3114, numéro national de prévention du suicide (gratuit, 24 h/24) ; en Belgique le 0800 32 123, en Suisse le 143. En cas de danger immédiat, appelle le 15 ou le 112. Peux-tu t’éloigner de ce qui pourrait te blesser et dire à une personne de confiance ce que tu ressens ? Noter qui appeler et ce qui t’aide à passer la prochaine heure est un premier pas d’un plan de sécurité.',
    'harm-to-others':
      'On dirait que tout déborde en ce moment, et je veux que tout le monde reste en sécurité, toi compris. Je suis une IA et je ne peux pas aider ici comme une personne. Éloigne-toi de la situation et de tout ce qui pourrait servir d’arme. Parle à quelqu’un maintenant : le 3114 répond 24 h/24. Si quelqu’un est en danger immédiat, appelle le 17 ou le 112.',
    abuse:
      'Merci de me le confier. Ce que tu décris n’est pas de ta faute, et tu as droit à la sécurité. Je suis une IA, mais le 3919 (Violences Femmes Info, gratuit et anonyme) peut t’aider. En cas de danger, appelle le 17 ou le 112, ou envoie un SMS au 114. Si c’est possible sans risque, prépare un plan de sécurité : une personne chez qui aller, un sac avec papiers et médicaments, un mot code pour tes proches.',
  },
  es: {
    'self-harm':
      'Gracias por contármelo. Me preocupa tu seguridad. Soy una IA y no puedo ayudarte como una persona. Por favor llama ahora a la Línea 024 de atención a la conducta suicida (gratuita, 24 horas); en México, la Línea de la Vida 800 911 2000. Si estás en peligro inmediato, llama al 112 o al 911. ¿Puedes alejarte de lo que podría hacerte daño y decirle a alguien de confianza cómo te sientes? Anotar a quién llamar y qué te ayuda a pasar la próxima hora es un primer paso de un plan de seguridad.',
    'harm-to-others':
      'Parece que todo se desborda ahora mismo, y quiero que todos estén a salvo, tú también. Soy una IA y no puedo ayudar aquí como una persona. Aléjate de la situación y de cualquier cosa que pueda usarse como arma. Habla con alguien ahora: la Línea 024 atiende las 24 horas. Si alguien está en peligro inmediato, llama al 112 o al 911.',
    abuse:
      'Gracias por confiármelo. Lo que describes no es culpa tuya y mereces estar a salvo. Soy una IA, pero el 016 (atención a víctimas de violencia de género, gratuito y no deja rastro en la factura) puede ayudarte; en México, la Línea Mujeres 55 5658 1111. Si estás en peligro, llama al 112 o al 911. Si es seguro, piensa en un plan de seguridad: una persona a quien acudir, una bolsa con documentos y medicinas, una palabra clave para tus amigos.',
  },
};

export function crisisText(category: SafetyCategory, locale: CoachLocale): string {
  return CRISIS[locale][category];
}

const DISCLOSURE: Record<CoachLocale, string> = {
  en: 'Hi, I am the One 2 One Love coach. I am an AI, not a person and not a therapist: I can help you reflect and suggest exercises, but I do not diagnose, advise on medication or law, or help monitor a partner. If you are ever in danger, contact local emergency services.',
  de: 'Hallo, ich bin der One 2 One Love Coach. Ich bin eine KI, kein Mensch und keine Therapie: Ich helfe beim Nachdenken und schlage Übungen vor, stelle aber keine Diagnosen, berate nicht zu Medikamenten oder Recht und helfe nicht, einen Partner zu überwachen. Bei Gefahr wende dich an den Notruf.',
  fr: 'Bonjour, je suis le coach One 2 One Love. Je suis une IA, pas une personne ni une thérapie : je t’aide à réfléchir et je propose des exercices, mais je ne pose pas de diagnostic, ne conseille ni sur les médicaments ni sur le droit, et n’aide pas à surveiller un partenaire. En cas de danger, appelle les urgences.',
  es: 'Hola, soy el coach de One 2 One Love. Soy una IA, no una persona ni una terapia: te ayudo a reflexionar y propongo ejercicios, pero no diagnostico, no aconsejo sobre medicamentos ni asuntos legales, ni ayudo a vigilar a una pareja. Si estás en peligro, llama a emergencias.',
};

export function disclosureText(locale: CoachLocale): string {
  return DISCLOSURE[locale];
}

const REFUSAL: Record<RefusalTopic, string> = {
  diagnosis:
    'I cannot diagnose you, your partner or anyone else: only a qualified professional who meets you can do that. I can help you describe what you notice and how it affects you, and a licensed therapist can assess it properly. What have you noticed that worries you?',
  medication:
    'I cannot advise on medication, doses or stopping a treatment: please ask a doctor or pharmacist. I am happy to talk about how things are going for you and in your relationship meanwhile.',
  legal:
    'I cannot give legal advice (custody, divorce, contracts or rights): a lawyer or a legal aid service in your country can. I can help you think through how you feel and how to talk with your partner about it.',
  monitoring:
    'I will not help monitor, track, read the messages of, or pressure a partner: that harms trust and can be abuse. If you are worried about what is going on, I can help you find words to talk about it openly. What is the worry underneath?',
};

export function refusalText(topic: RefusalTopic): string {
  return REFUSAL[topic];
}

/** What replaces provider output that failed the moderation check. */
export const MODERATED_TEXT =
  ' [The rest of this reply was withheld by our safety check. I can only help with reflection and relationship exercises here.]';
