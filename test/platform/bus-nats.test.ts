import { describe } from 'node:test';
import { busContractSuite } from '../support/bus-contract.ts';
import { needs, serverUrl } from '../support/servers.ts';

describe('NATS JetStream transport', needs('NATS_URL'), () => {
  busContractSuite('nats', serverUrl('NATS_URL'));
});
