import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** The repository root and a file in it. */
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const repoFile = (...parts: string[]) => path.join(ROOT, ...parts);
export const readRepoFile = (...parts: string[]) => readFileSync(repoFile(...parts), 'utf8');

/**
 * A command-line tool the deploy suites run (kubectl for kustomize, promtool). Absent on a
 * laptop: the suite skips with the reason; under CI it fails (.ci/run installs both).
 */
export function tool(name: 'kubectl' | 'promtool', debianPackage: string): { skip: string | false } {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  if (found) return { skip: false };
  if (process.env.CI) throw new Error(`${name} is missing: .ci/run installs Debian's ${debianPackage}`);
  return { skip: `${name} is not installed (apt-get install ${debianPackage})` };
}

export function run(
  command: string,
  args: string[],
  cwd = ROOT,
): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field
  [field: string]: any;
}

/** `kubectl kustomize <dir>`: the objects an overlay applies. */
export function kustomize(dir: string): K8sObject[] {
  const { status, stdout, stderr } = run('kubectl', ['kustomize', repoFile(dir)]);
  if (status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${stderr}`);
  return parseAllDocuments(stdout).map((document) => {
    if (document.errors.length > 0) throw document.errors[0];
    return document.toJS() as K8sObject;
  });
}

/** Files in a fresh temporary folder, removed by the returned cleanup. */
export function tempFiles(files: Record<string, string>): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'o2o-deploy-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
