import path from 'node:path';
import { type Config, loadConfigOrExit } from './config.ts';
import { grantRole, isRole, ROLES } from './modules/auth/index.ts';
import { createDatabase } from './platform/db/database.ts';
import { runningEmbeddedUrl, startEmbeddedPostgres } from './platform/db/embedded.ts';
import { AppError } from './platform/http/errors.ts';

/**
 * Operators' one-off commands: `npm run cli -- <command> [args]`. Each talks
 * to the database the app uses: DATABASE_URL, or the embedded one (the
 * running instance's, or started for the command and stopped after it).
 * The long-running commands (start, serve, worker, migrate) stay in main.ts.
 */
const USAGE = `Usage: npm run cli -- <command>

Commands:
  users:grant-role <email> <role>   give an account a role (${ROLES.join(', ')});
                                    its sessions end, the next sign-in carries the role
`;

type Connect = () => Promise<{ url: string; stop(): Promise<void> }>;

async function usersGrantRole(args: string[], connect: Connect): Promise<number> {
  const [email, role] = args;
  if (!email || !role || args.length !== 2) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (!isRole(role)) {
    process.stderr.write(`Unknown role "${role}". Use one of: ${ROLES.join(', ')}\n`);
    return 2;
  }
  const { url, stop } = await connect();
  const { db, close } = createDatabase({ url, poolMax: 1, applicationName: 'cli' });
  try {
    const result = await grantRole(db, { email, role, actor: 'cli' });
    process.stdout.write(
      result.previous === role
        ? `${email} already has the role ${role}\n`
        : `${email} is now ${role} (was ${result.previous}); their sessions ended, the next sign-in carries the role\n`,
    );
    return 0;
  } finally {
    await close();
    await stop();
  }
}

function connector(config: Config): Connect {
  return async () => {
    if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
    const dataDir = path.join(config.dataDir, 'postgres');
    const running = await runningEmbeddedUrl(dataDir);
    if (running) return { url: running, stop: async () => {} };
    const embedded = await startEmbeddedPostgres({
      dataDir,
      port: config.embeddedPostgresPort,
      log: (message) => process.stderr.write(`${message}\n`),
    });
    return { url: embedded.url, stop: () => embedded.stop() };
  };
}

const COMMANDS: Record<string, (args: string[], connect: Connect) => Promise<number>> = {
  'users:grant-role': usersGrantRole,
};

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  const run = command ? COMMANDS[command] : undefined;
  if (!run) {
    if (command && command !== 'help' && command !== '--help') {
      process.stderr.write(`Unknown command "${command}".\n`);
    }
    process.stderr.write(USAGE);
    return 2;
  }
  const config = loadConfigOrExit();
  return run(args, connector(config));
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Domain errors (an unknown account, a malformed email) are the operator's to fix: no stack.
    const message =
      error instanceof AppError
        ? (error.items[0]?.message ?? error.message)
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`Failed: ${message}\n`);
    process.exit(1);
  },
);
