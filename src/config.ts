import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { MODULES } from './modules/index.ts';
import { type Config, ConfigError, type Env, EnvReader, parsePlatformConfig } from './platform/config.ts';

/**
 * The one place that reads the environment: the platform's settings, then
 * every module's own section (each declared in its folder's `config.ts`).
 * Every value is parsed and checked once at start; a bad value stops the
 * process with a message naming each offending variable.
 */
export type { Config } from './platform/config.ts';
export { ConfigError } from './platform/config.ts';

/** Parses an environment into a Config, or throws ConfigError listing every problem. */
export function parseConfig(env: Env): Config {
  const r = new EnvReader(env);
  const platform = parsePlatformConfig(r);
  const sections: Record<string, unknown> = {};
  // Every module's section, mounted or not: one config describes the deployment.
  for (const module of MODULES) {
    if (module.config) sections[module.config.key] = module.config.parse(r, platform);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return { ...platform, ...sections } as Config;
}

/** Reads `.env` (if present) under the real environment, which wins. */
export function loadConfig(cwd = process.cwd()): Config {
  const envFile = path.join(cwd, '.env');
  const fromFile = existsSync(envFile) ? dotenv.parse(readFileSync(envFile, 'utf8')) : {};
  return parseConfig({ ...fromFile, ...process.env });
}

/** loadConfig for a command line: a bad value prints every problem and exits with 78 (EX_CONFIG). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78);
  }
}
