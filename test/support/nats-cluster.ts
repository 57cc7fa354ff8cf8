import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { connect } from 'nats';
import { freePort } from './process.ts';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsNode {
  name: string;
  url: string;
  clusterPort: number;
  child: ChildProcess;
}

export interface NatsCluster {
  nodes: NatsNode[];
  /** Every node's client URL, comma-separated: what NATS_URL takes. */
  urls: string;
  kill(index: number): void;
  stop(): Promise<void>;
}

/**
 * A JetStream cluster of `size` nats-server processes on loopback (Debian's
 * binary), each with its own store; resolves once the cluster has elected its
 * JetStream meta leader, i.e. can create a replicated stream.
 */
export async function startNatsCluster(size = 3): Promise<NatsCluster> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'o2o-nats-cluster-'));
  const ports = await Promise.all(
    Array.from({ length: size }, async () => [await freePort(), await freePort()]),
  );
  const routes = ports.map(([, cluster]) => `nats://127.0.0.1:${cluster}`).join(',');
  const nodes: NatsNode[] = ports.map(([client, cluster], i) => {
    const name = `n${i + 1}`;
    const child = spawn(
      NATS_SERVER,
      [
        ...['-a', '127.0.0.1', '-p', String(client), '-n', name],
        ...['-js', '-sd', path.join(dir, name)],
        ...['--cluster_name', 'o2o', '--cluster', `nats://127.0.0.1:${cluster}`, '--routes', routes],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.stderr?.resume();
    return { name, url: `nats://127.0.0.1:${client}`, clusterPort: cluster!, child };
  });
  const urls = nodes.map((node) => node.url).join(',');
  const stop = async () => {
    await Promise.all(
      nodes.map((node) =>
        node.child.exitCode === null && node.child.signalCode === null
          ? new Promise((resolve) => {
              node.child.once('exit', resolve);
              node.child.kill('SIGTERM');
            })
          : undefined,
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await jetStreamReady(urls);
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, urls, kill: (index) => nodes[index]!.child.kill('SIGKILL'), stop };
}

async function jetStreamReady(urls: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const nc = await connect({ servers: urls.split(','), timeout: 2000 });
      try {
        // Account info needs the meta leader: the cluster can place replicated streams.
        await (await nc.jetstreamManager({ timeout: 2000 })).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (error) {
      last = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`the NATS cluster elected no JetStream leader: ${String(last)}`);
}
