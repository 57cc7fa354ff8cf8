import { crashScenario } from '../support/crash-scenario.ts';

crashScenario('postgres', undefined);
