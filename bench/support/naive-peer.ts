import Fastify from 'fastify';
import pg from 'pg';

/**
 * The yardstick for "how much does the product cost over the simplest thing": a bare Fastify route
 * with a pg pool selecting a person's 20 newest received notes from the same table, as JSON. No
 * auth, envelope, validation, decryption or cache. `PORT`, `DATABASE_URL`.
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
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
