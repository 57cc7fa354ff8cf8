/**
 * The decision of `npm run audit` (scripts/audit.ts), apart from running npm
 * so it can be tested: which high or critical advisories in the production
 * dependencies block CI, given the listed exceptions.
 */

/** One accepted advisory, in audit-exceptions.json: why it does not apply, and until when. */
export interface AuditException {
  /** GHSA id (`GHSA-xxxx-xxxx-xxxx`), as in the advisory's URL. */
  id: string;
  package: string;
  reason: string;
  /** YYYY-MM-DD: after this day the exception no longer counts and CI fails again. */
  until: string;
}

export interface Advisory {
  id: string;
  package: string;
  severity: string;
  title: string;
  url: string;
}

export interface AuditVerdict {
  /** False when npm could not get an answer from the advisory service. */
  available: boolean;
  problem?: string;
  blocking: Advisory[];
  excepted: Array<Advisory & { reason: string }>;
  /** Exceptions that matched nothing (fixed upstream: remove them) or expired. */
  unused: AuditException[];
  expired: AuditException[];
  counts: Record<string, number>;
}

const BLOCKING = new Set(['high', 'critical']);

interface AuditVia {
  source?: number;
  name?: string;
  title?: string;
  url?: string;
  severity?: string;
}

interface AuditJson {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, { name: string; severity: string; via: Array<string | AuditVia> }>;
  metadata?: { vulnerabilities?: Record<string, number> };
  message?: string;
  error?: { summary?: string; detail?: string };
}

export function advisoryId(via: AuditVia): string {
  const ghsa = via.url?.match(/GHSA(-[a-z0-9]{4}){3}/i)?.[0];
  return ghsa ? ghsa.toUpperCase() : `npm-${via.source ?? via.title ?? 'unknown'}`;
}

/** Reads `npm audit --json` output (report version 2) against the exceptions, as of `today` (YYYY-MM-DD). */
export function judgeAudit(output: string, exceptions: AuditException[], today: string): AuditVerdict {
  let report: AuditJson;
  try {
    report = JSON.parse(output) as AuditJson;
  } catch {
    return unavailable('npm audit printed no JSON report');
  }
  if (report.auditReportVersion !== 2 || !report.vulnerabilities) {
    const reason = report.message || report.error?.summary || 'no audit report in the answer';
    return unavailable(reason);
  }
  const advisories = new Map<string, Advisory>();
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    for (const via of vulnerability.via) {
      if (typeof via === 'string' || !BLOCKING.has(via.severity ?? '')) continue;
      const id = advisoryId(via);
      advisories.set(`${id} ${via.name ?? vulnerability.name}`, {
        id,
        package: via.name ?? vulnerability.name,
        severity: via.severity ?? vulnerability.severity,
        title: via.title ?? '',
        url: via.url ?? '',
      });
    }
  }
  const valid = exceptions.filter((e) => e.until >= today);
  const expired = exceptions.filter((e) => e.until < today);
  const used = new Set<AuditException>();
  const blocking: Advisory[] = [];
  const excepted: AuditVerdict['excepted'] = [];
  for (const advisory of advisories.values()) {
    const exception = valid.find((e) => e.id.toUpperCase() === advisory.id && e.package === advisory.package);
    if (exception) {
      used.add(exception);
      excepted.push({ ...advisory, reason: exception.reason });
    } else {
      blocking.push(advisory);
    }
  }
  return {
    available: true,
    blocking,
    excepted,
    unused: valid.filter((e) => !used.has(e)),
    expired,
    counts: report.metadata?.vulnerabilities ?? {},
  };
}

function unavailable(problem: string): AuditVerdict {
  return { available: false, problem, blocking: [], excepted: [], unused: [], expired: [], counts: {} };
}

/** Checks the exceptions file's shape: every entry needs an id, a package, a reason and an end date. */
export function parseExceptions(text: string): AuditException[] {
  const parsed = JSON.parse(text) as { exceptions?: unknown };
  if (!Array.isArray(parsed.exceptions))
    throw new Error('audit-exceptions.json: "exceptions" must be an array');
  return parsed.exceptions.map((entry, i) => {
    const e = entry as Partial<AuditException>;
    if (
      typeof e.id !== 'string' ||
      typeof e.package !== 'string' ||
      typeof e.reason !== 'string' ||
      e.reason.trim().length < 20 ||
      typeof e.until !== 'string' ||
      !/^\d{4}-\d{2}-\d{2}$/.test(e.until)
    ) {
      throw new Error(
        `audit-exceptions.json: entry ${i} needs "id", "package", a "reason" of 20+ characters and "until" (YYYY-MM-DD)`,
      );
    }
    return e as AuditException;
  });
}
