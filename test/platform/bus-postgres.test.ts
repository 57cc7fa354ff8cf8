import { busContractSuite } from '../support/bus-contract.ts';

busContractSuite('postgres', undefined);
