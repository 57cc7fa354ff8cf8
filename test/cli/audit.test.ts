import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuditException, judgeAudit, parseExceptions } from '../../scripts/audit-report.ts';

/** The shape `npm audit --json` prints (report version 2), trimmed to the fields the script reads. */
const REPORT = JSON.stringify({
  auditReportVersion: 2,
  vulnerabilities: {
    'deep-lib': {
      name: 'deep-lib',
      severity: 'critical',
      isDirect: false,
      via: [
        {
          source: 1100001,
          name: 'deep-lib',
          dependency: 'deep-lib',
          title: 'Prototype pollution in deep-lib',
          url: 'https://github.com/advisories/GHSA-aaaa-bbbb-cccc',
          severity: 'critical',
          range: '<2.0.1',
        },
      ],
      effects: ['wrapper'],
      range: '<2.0.1',
      nodes: ['node_modules/deep-lib'],
      fixAvailable: true,
    },
    wrapper: {
      name: 'wrapper',
      severity: 'critical',
      isDirect: true,
      via: ['deep-lib'],
      effects: [],
      range: '*',
      nodes: ['node_modules/wrapper'],
      fixAvailable: false,
    },
    'slow-regex': {
      name: 'slow-regex',
      severity: 'moderate',
      isDirect: false,
      via: [
        {
          source: 1100002,
          name: 'slow-regex',
          title: 'ReDoS in slow-regex',
          url: 'https://github.com/advisories/GHSA-dddd-eeee-ffff',
          severity: 'moderate',
        },
      ],
      effects: [],
      range: '<1.0.0',
      nodes: ['node_modules/slow-regex'],
      fixAvailable: true,
    },
  },
  metadata: { vulnerabilities: { info: 0, low: 0, moderate: 1, high: 0, critical: 2, total: 3 } },
});

const exception = (over: Partial<AuditException> = {}): AuditException => ({
  id: 'GHSA-aaaa-bbbb-cccc',
  package: 'deep-lib',
  reason: 'only reachable through an option this app never sets',
  until: '2027-01-31',
  ...over,
});

describe('npm run audit', () => {
  it('fails on a high or critical advisory, once, and ignores moderate ones and the packages that only pull it in', () => {
    const verdict = judgeAudit(REPORT, [], '2026-12-03');
    assert.equal(verdict.available, true);
    assert.deepEqual(
      verdict.blocking.map((a) => [a.id, a.package, a.severity]),
      [['GHSA-AAAA-BBBB-CCCC', 'deep-lib', 'critical']],
    );
  });

  it('passes an advisory listed with a reason until its end date, then fails again', () => {
    const listed = judgeAudit(REPORT, [exception()], '2026-12-03');
    assert.deepEqual(listed.blocking, []);
    assert.equal(listed.excepted[0]?.reason, 'only reachable through an option this app never sets');
    const lapsed = judgeAudit(REPORT, [exception()], '2027-02-01');
    assert.equal(lapsed.blocking.length, 1);
    assert.equal(lapsed.expired.length, 1);
  });

  it('names an exception that no longer matches anything, and one for another package does not count', () => {
    const verdict = judgeAudit(REPORT, [exception({ package: 'wrapper' })], '2026-12-03');
    assert.equal(verdict.blocking.length, 1);
    assert.equal(verdict.unused[0]?.package, 'wrapper');
  });

  it('reports "not run" when the advisory service answers with an error instead of a report', () => {
    const error = JSON.stringify({
      message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
      statusCode: 405,
      error: { summary: '', detail: '' },
    });
    const verdict = judgeAudit(error, [], '2026-12-03');
    assert.equal(verdict.available, false);
    assert.match(verdict.problem ?? '', /405/);
    assert.equal(judgeAudit('', [], '2026-12-03').available, false);
  });

  it('refuses an exception without a real reason or an end date', () => {
    assert.throws(
      () => parseExceptions(JSON.stringify({ exceptions: [exception({ reason: 'fine' })] })),
      /reason/,
    );
    assert.throws(
      () => parseExceptions(JSON.stringify({ exceptions: [{ ...exception(), until: undefined }] })),
      /until/,
    );
    assert.equal(parseExceptions(JSON.stringify({ exceptions: [exception()] })).length, 1);
  });
});
