import type { Static } from 'typebox';
import type { FieldEncryption } from '../../platform/security/field-encryption.ts';
import type { MessageRow } from './repo.ts';
import type { ConversationView, MessageView } from './schemas.ts';
import { type ConversationsTable, contentContext, titleContext } from './tables.ts';

type ConversationRow = {
  [K in keyof ConversationsTable]: K extends 'shared'
    ? boolean
    : K extends 'created_at' | 'updated_at'
      ? Date
      : ConversationsTable[K];
};

export function conversationView(
  row: ConversationRow,
  viewerId: string,
  encryption: FieldEncryption,
): Static<typeof ConversationView> {
  return {
    id: row.id,
    title: row.title === null ? null : encryption.decrypt(row.title, titleContext(row.id)),
    shared: row.shared,
    owner: row.user_id === viewerId ? 'me' : 'partner',
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function messageView(
  row: MessageRow,
  encryption: FieldEncryption,
  plaintext?: string,
): Static<typeof MessageView> {
  return {
    id: row.id,
    role: row.role,
    kind: row.kind,
    content: plaintext ?? encryption.decrypt(row.content, contentContext(row.id)),
    status: row.status,
    provider: row.provider,
    model: row.model,
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      costMicroUsd: Number(row.cost_micro_usd),
    },
    safety: { crisis: row.safety_crisis, category: row.safety_category },
    sources: row.sources,
    createdAt: row.created_at.toISOString(),
  };
}
