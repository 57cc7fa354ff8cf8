import assert from 'node:assert/strict';
import { it } from 'node:test';
import { MODULES, modulesFor } from './index.ts';

it('mounts every module by default and refuses unknown names', () => {
  assert.deepEqual(modulesFor('all'), MODULES);
  assert.throws(() => modulesFor(['no-such-module']), /MODULES names unknown modules: no-such-module/);
  const first = MODULES[0];
  if (first) assert.deepEqual(modulesFor([first.name]), [first]);
});
