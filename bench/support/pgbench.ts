import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * pgbench as the benches' yardstick: what PostgreSQL alone allows on this
 * machine, same server, same client count, in the same run as the figure it is
 * compared with. One copy of the run and the parse, used by every bench.
 */

/** The single-row INSERT every bench compares against (the table `createInsertTable` makes). */
export const SINGLE_ROW_INSERT =
  "insert into bench_insert (couple_id, body) values (gen_random_uuid(), repeat('x', 200));";

/** Runs a command, resolving with stdout and stderr together; a non-zero exit rejects with them. */
export function sh(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c));
    child.stderr.on('data', (c: Buffer) => (out += c));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(out))));
  });
}

/** The table SINGLE_ROW_INSERT writes to, in the bench's throwaway database. */
export async function createInsertTable(databaseUrl: string): Promise<void> {
  await sh('psql', [
    databaseUrl,
    '-qc',
    'create table if not exists bench_insert (id bigint generated always as identity primary key, couple_id uuid not null, body text not null, created_at timestamptz not null default now())',
  ]);
}

/** pgbench's `tps = …` line as a number; throws on output without one (a failed run). */
export function parseTps(output: string): number {
  const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1]);
  if (!Number.isFinite(tps)) throw new Error(`pgbench printed no tps:\n${output}`);
  return tps;
}

export interface PgbenchRun {
  databaseUrl: string;
  /** One transaction of the script: SQL statements, each ending with `;`. */
  script: string;
  clients: number;
  seconds: number;
}

/** Runs `script` with pgbench (`-n`, 2 threads) and returns its transactions per second. */
export async function pgbench(run: PgbenchRun): Promise<number> {
  const file = path.join(
    os.tmpdir(),
    `o2o-pgbench-${process.pid}-${Math.random().toString(36).slice(2)}.sql`,
  );
  await writeFile(file, `${run.script}\n`);
  const args = ['-n', '-c', String(run.clients), '-j', '2', '-T', String(run.seconds), '-f', file];
  try {
    return parseTps(await sh('pgbench', [...args, run.databaseUrl]));
  } finally {
    await rm(file, { force: true });
  }
}
