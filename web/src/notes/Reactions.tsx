import { ErrorNotice } from '../ui/ErrorNotice.tsx';
import { useReaction } from './mutations.ts';
import type { Note, Reaction } from './types.ts';

/**
 * A choice of emoji to react with. The API takes any one RGI emoji sequence;
 * these are a short, common set of them (each checked by the API's own rule).
 */
export const REACTION_EMOJI = [
  '❤️',
  '😍',
  '🥰',
  '😘',
  '😂',
  '🥹',
  '👍',
  '🙏',
  '🔥',
  '✨',
  '🌹',
  '💕',
] as const;

/** Who reacted with what, in words for screen readers too. */
export function ReactionList({
  reactions,
  userId,
  partner,
}: {
  reactions: Reaction[];
  userId: string;
  partner: string;
}) {
  if (reactions.length === 0) return null;
  return (
    <ul className="reactions" aria-label="Reactions">
      {reactions.map((reaction) => {
        const who = reaction.userId === userId ? 'You' : partner;
        return (
          <li key={`${reaction.userId}-${reaction.emoji}`} title={`${who} reacted ${reaction.emoji}`}>
            <span aria-hidden="true">{reaction.emoji}</span>
            <span className="visually-hidden">{`${who} reacted ${reaction.emoji}`}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** The picker: each emoji toggles my reaction; shown at once, rolled back with the API's reason if refused. */
export function ReactionPicker({ note, userId }: { note: Note; userId: string }) {
  const react = useReaction(note, userId);
  const mine = new Set(note.reactions.filter((r) => r.userId === userId).map((r) => r.emoji));
  return (
    <div className="reaction-picker">
      <fieldset className="emoji-row">
        <legend className="visually-hidden">React with</legend>
        {REACTION_EMOJI.map((emoji) => (
          <button
            key={emoji}
            type="button"
            className="emoji"
            aria-pressed={mine.has(emoji)}
            aria-label={`React ${emoji}`}
            onClick={() => react.mutate({ emoji, add: !mine.has(emoji) })}
          >
            {emoji}
          </button>
        ))}
      </fieldset>
      {react.error && (
        <ErrorNotice error={new Error(`Your reaction was not saved: ${react.error.message}`)} />
      )}
    </div>
  );
}
