import { describe } from 'node:test';
import { crashScenario } from '../support/crash-scenario.ts';
import { needs, serverUrl } from '../support/servers.ts';

describe('NATS JetStream transport', needs('NATS_URL'), () => {
  crashScenario('nats', serverUrl('NATS_URL'));
});
