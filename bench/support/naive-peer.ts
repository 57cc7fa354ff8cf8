import Fastify from 'fastify';
import pg from 'pg';

/**
 * The yardstick for "how much does the product cost over the simplest thing": bare Fastify routes
 * with a pg pool on the product's own table, as JSON. `GET /inbox` selects a person's 20 newest
 * received notes; `POST /notes` inserts one note row (the ids come in the body) and returns it.
 * No auth, envelope, validation, encryption, outbox, idempotency or cache. `PORT`, `DATABASE_URL`.
 * Started by `startNaivePeer` (mixed-stack.ts).
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const app = Fastify({ logger: false });
app.get('/health', async () => ({ ok: true }));
app.get<{ Querystring: { recipient: string } }>('/inbox', async (request) => {
  const { rows } = await pool.query(
    'select id, couple_id, sender_id, body, mood, status, created_at from love_notes_notes where recipient_id = $1 order by created_at desc limit 20',
    [request.query.recipient],
  );
  return { data: rows };
});
type NewNote = { coupleId: string; senderId: string; recipientId: string; body: string; mood: string };
app.post<{ Body: NewNote }>('/notes', async (request, reply) => {
  const { coupleId, senderId, recipientId, body, mood } = request.body;
  const { rows } = await pool.query(
    `insert into love_notes_notes (couple_id, id, sender_id, recipient_id, body, mood, status, kind, sent_at, delivered_at)
     values ($1, gen_random_uuid(), $2, $3, $4, $5, 'delivered', 'note', now(), now())
     returning id, couple_id, sender_id, body, mood, status, created_at`,
    [coupleId, senderId, recipientId, body, mood],
  );
  return reply.code(201).send({ data: rows[0] });
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
