import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { startMetricsServer } from '../../src/platform/observability/metrics-server.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { kustomize, readRepoFile, repoFile, run, tempFiles, tool } from './tools.ts';

/**
 * The dashboard, the alert rules, the adapter rules and the rollout analysis query only
 * metrics the app really exports (read off a running app's /metrics), and every expression
 * is valid PromQL (promtool); the alert rules pass their promtool unit tests.
 */

/** Series Prometheus adds itself, not exported by the app. */
const SYNTHETIC = new Set(['up']);

/** Metric names an exposition declares (# TYPE), with the series names histograms and summaries expand to. */
export function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>();
  for (const line of exposition.split('\n')) {
    const match = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (!match) continue;
    const [, name = '', type] = match;
    names.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression reads: identifiers outside strings, label matchers,
 * ranges and grouping clauses that are not function calls or keywords.
 */
export function metricNames(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name = '', call] = match;
    if (call || PROMQL_WORDS.has(name.toLowerCase()) || /^\d/.test(name)) continue;
    names.add(name);
  }
  return [...names];
}

interface Panel {
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Array<{ expr: string; refId: string }>;
}
const dashboard = JSON.parse(readRepoFile('deploy/grafana/one2one-love.json')) as {
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; query: unknown }> };
};
const panels = dashboard.panels.filter((p) => p.type !== 'row');
const dashboardExpressions = panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
);

interface RuleFile {
  groups: Array<{
    name: string;
    rules: Array<{ alert?: string; record?: string; expr: string; for?: string }>;
  }>;
}
const alerts = parseYaml(readRepoFile('deploy/prometheus/alerts.yaml')) as RuleFile;
const alertRules = alerts.groups.flatMap((g) => g.rules);
const adapter = parseYaml(readRepoFile('deploy/prometheus/adapter-rules.yaml')) as {
  externalRules: Array<{ seriesQuery: string; metricsQuery: string; name: { as: string } }>;
};

/** Grafana's and prometheus-adapter's template variables, replaced as they would be at query time. */
function concrete(expression: string): string {
  return expression
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$api_job', 'one2one-api')
    .replaceAll('$worker_job', 'one2one-worker')
    .replaceAll('<<.Series>>', adapterSeries(expression))
    .replaceAll('<<.LabelMatchers>>', 'namespace="one2one"');
}
function adapterSeries(metricsQuery: string): string {
  const rule = adapter.externalRules.find((r) => r.metricsQuery === metricsQuery);
  return rule ? (/^[a-z_:]+/.exec(rule.seriesQuery)?.[0] ?? '') : '';
}

describe('dashboard and rules read only metrics the app exports', () => {
  let t: TestApp;
  let exported: Set<string>;
  before(async () => {
    // The rate limiter registers its metrics only when it is on.
    t = await createTestApp({ RATE_LIMIT_ENABLED: 'true' });
    const api = await t.app.inject({ url: '/metrics' });
    assert.equal(api.statusCode, 200);
    const worker = await startMetricsServer(t.platform.metrics, 0, '127.0.0.1');
    try {
      const scraped = await fetch(`http://127.0.0.1:${worker.port}/metrics`);
      exported = new Set([...exportedNames(api.body), ...exportedNames(await scraped.text())]);
    } finally {
      await worker.close();
    }
  });
  after(() => t?.close());

  it('finds metric names in PromQL (and so can fail)', () => {
    assert.deepEqual(
      metricNames('sum by (job, le) (rate(http_request_duration_seconds_bucket{route!~"/v1/x|y"}[5m])) > 1'),
      ['http_request_duration_seconds_bucket'],
    );
    assert.deepEqual(metricNames('max(bus_outbox_backlog) or vector(0) / on(job) up'), [
      'bus_outbox_backlog',
      'up',
    ]);
    assert.ok(!exported.has('http_requests_total'), 'a name the app does not export is not in the set');
    assert.ok(exported.has('http_request_duration_seconds_bucket'));
    assert.ok(exported.has('rate_limit_refused_total'));
  });

  it('the Grafana dashboard', () => {
    assert.ok(panels.length >= 12);
    for (const { panel, expr } of dashboardExpressions) {
      for (const name of metricNames(concrete(expr))) {
        assert.ok(
          exported.has(name) || SYNTHETIC.has(name),
          `panel "${panel}" reads ${name}, which the app does not export`,
        );
      }
    }
  });

  it('the alert rules', () => {
    for (const rule of alertRules) {
      for (const name of metricNames(rule.expr)) {
        assert.ok(exported.has(name) || SYNTHETIC.has(name), `alert ${rule.alert} reads ${name}`);
      }
    }
  });

  it("the prometheus-adapter rules and the rollouts' analysis query", () => {
    for (const rule of adapter.externalRules) {
      for (const name of metricNames(concrete(rule.metricsQuery)))
        assert.ok(exported.has(name), `${rule.name.as}: ${name}`);
      for (const name of metricNames(rule.seriesQuery))
        assert.ok(exported.has(name), `${rule.name.as}: ${name}`);
    }
    const template = parseYaml(readRepoFile('deploy/k8s/overlays/analysis/analysis-template.yaml'));
    const query: string = template.spec.metrics[0].provider.prometheus.query;
    for (const name of metricNames(query)) assert.ok(exported.has(name), `analysis: ${name}`);
  });
});

describe('dashboard content', () => {
  const all = dashboardExpressions.map((e) => e.expr).join('\n');
  it('shows latency p50/p95/p99, error rate, throughput, queue lag, cache hit rate and the DB pool', () => {
    for (const quantile of ['0.5', '0.95', '0.99']) {
      assert.match(
        all,
        new RegExp(
          `histogram_quantile\\(${quantile.replace('.', '\\.')}, sum by \\(le\\) \\(rate\\(http_request_duration_seconds_bucket`,
        ),
      );
    }
    assert.match(all, /http_request_duration_seconds_count\{[^}]*status_code=~"5\.\."/);
    assert.match(all, /sum by \(job\) \(rate\(http_request_duration_seconds_count/);
    assert.match(all, /jobs_start_lag_seconds_bucket/);
    assert.match(all, /bus_relay_lag_seconds_bucket/);
    assert.match(all, /response_cache_hits_total.*\/.*response_cache_misses_total/s);
    assert.match(all, /db_pool_clients_waiting/);
    assert.match(all, /db_pool_connections_idle/);
  });

  it('queries the Prometheus data source variable in every panel, with unique ids', () => {
    assert.ok(dashboard.templating.list.some((v) => v.name === 'datasource' && v.query === 'prometheus'));
    for (const panel of panels) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' });
    }
    const ids = dashboard.panels.map((p) => (p as unknown as { id: number }).id);
    assert.equal(new Set(ids).size, ids.length);
  });
});

describe('promtool', tool('promtool', 'prometheus'), () => {
  it('checks the alert rules', () => {
    const checked = run('promtool', ['check', 'rules', repoFile('deploy/prometheus/alerts.yaml')]);
    assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    assert.match(checked.stdout, /SUCCESS: \d+ rules found/);
    const names = alertRules.map((r) => r.alert);
    for (const alert of [
      'One2OneHighErrorRate',
      'One2OneHighLatencyP99',
      'One2OneJobsLagging',
      'One2OneDeadLetters',
      'One2OneTargetDown',
      'One2OneApiDown',
    ]) {
      assert.ok(names.includes(alert), alert);
    }
  });

  it('passes the alert rules unit tests (alerts.test.yaml)', () => {
    const tested = run('promtool', ['test', 'rules', 'alerts.test.yaml'], repoFile('deploy/prometheus'));
    assert.equal(tested.status, 0, tested.stdout + tested.stderr);
    assert.match(tested.stdout, /SUCCESS/);
  });

  it('fails a unit test whose expectation is wrong (the tests can fail)', () => {
    const tests = parseYaml(readRepoFile('deploy/prometheus/alerts.test.yaml'));
    tests.rule_files = [repoFile('deploy/prometheus/alerts.yaml')];
    tests.tests[0].alert_rule_test[1].exp_alerts[0].exp_labels.severity = 'warn';
    const files = tempFiles({ 'wrong.test.yaml': stringify(tests) });
    try {
      const tested = run('promtool', ['test', 'rules', 'wrong.test.yaml'], files.dir);
      assert.notEqual(tested.status, 0);
      assert.match(tested.stdout + tested.stderr, /One2OneHighErrorRate/);
    } finally {
      files.cleanup();
    }
  });

  it('parses every dashboard, adapter and analysis expression as PromQL', () => {
    const template = parseYaml(readRepoFile('deploy/k8s/overlays/analysis/analysis-template.yaml'));
    const analysis = (template.spec.metrics[0].provider.prometheus.query as string)
      .replaceAll('{{args.namespace}}', 'one2one')
      .replaceAll('{{args.pod-template-hash}}', '6d5f8c7b9');
    const expressions = [
      ...dashboardExpressions.map((e) => concrete(e.expr)),
      ...adapter.externalRules.map((r) => concrete(r.metricsQuery)),
      analysis,
    ];
    const rules = {
      groups: [
        {
          name: 'expressions',
          rules: expressions.map((expr, i) => ({ record: `check:expression_${i}`, expr })),
        },
      ],
    };
    const broken = {
      groups: [{ name: 'broken', rules: [{ record: 'check:broken', expr: 'sum(rate(x[5m])' }] }],
    };
    const files = tempFiles({ 'rules.yaml': stringify(rules), 'broken.yaml': stringify(broken) });
    try {
      const checked = run('promtool', ['check', 'rules', 'rules.yaml'], files.dir);
      assert.equal(checked.status, 0, checked.stdout + checked.stderr);
      assert.match(checked.stdout, new RegExp(`SUCCESS: ${expressions.length} rules found`));
      assert.notEqual(run('promtool', ['check', 'rules', 'broken.yaml'], files.dir).status, 0);
    } finally {
      files.cleanup();
    }
  });

  it('checks the sample scrape configuration', () => {
    // Debian's promtool is built without Kubernetes service discovery: the same job with file
    // discovery keeps every relabelling rule checked. The token file is a stand-in.
    const config = parseYaml(readRepoFile('deploy/prometheus/prometheus.yaml'));
    const files = tempFiles({ token: 'metrics-token\n', 'targets.json': '[]' });
    try {
      const kubernetesJob = config.scrape_configs.find(
        (job: { job_name: string }) => job.job_name === 'one2one',
      );
      assert.deepEqual(kubernetesJob.kubernetes_sd_configs, [
        { role: 'pod', namespaces: { names: ['one2one'] } },
      ]);
      // The rollout analysis filters on the pod label rollouts-pod-template-hash: kept as a label.
      assert.ok(
        kubernetesJob.relabel_configs.some(
          (r: { action?: string; regex?: string }) =>
            r.action === 'labelmap' && r.regex === '__meta_kubernetes_pod_label_(.+)',
        ),
      );
      delete kubernetesJob.kubernetes_sd_configs;
      kubernetesJob.file_sd_configs = [{ files: [`${files.dir}/targets.json`] }];
      kubernetesJob.authorization.credentials_file = `${files.dir}/token`;
      config.rule_files = [repoFile('deploy/prometheus/alerts.yaml')];
      const path = `${files.dir}/prometheus.yaml`;
      writeFileSync(path, stringify(config));
      const checked = run('promtool', ['check', 'config', path]);
      assert.equal(checked.status, 0, checked.stdout + checked.stderr);
    } finally {
      files.cleanup();
    }
  });
});

describe('scrape targets match the manifests', tool('kubectl', 'kubernetes-client'), () => {
  it('every pod Prometheus scrapes is annotated with the port and path its /metrics is on', () => {
    const base = kustomize('deploy/k8s/base');
    const config = base.find((o) => o.kind === 'ConfigMap')?.data ?? {};
    const annotations = (name: string) =>
      base.find((o) => o.kind === 'Deployment' && o.metadata.name === name)?.spec.template.metadata
        .annotations;
    assert.deepEqual(annotations('one2one-api'), {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': config.PORT,
      'prometheus.io/path': '/metrics',
    });
    assert.deepEqual(annotations('one2one-worker'), {
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': config.WORKER_METRICS_PORT,
      'prometheus.io/path': '/metrics',
    });
  });
});
