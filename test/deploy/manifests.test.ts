import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { AnalysisTemplate, Rollout } from '@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { parse as parseYaml } from 'yaml';
import { parseConfig } from '../../src/config.ts';
import { startMetricsServer } from '../../src/platform/observability/metrics-server.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { type K8sObject, kustomize, readRepoFile, repoFile, run, tempFiles, tool } from './tools.ts';

/**
 * The deployment files, checked without a cluster or a Docker engine (none runs here):
 * every Kubernetes object the kustomize overlays build is validated against the Kubernetes
 * (and Argo Rollouts) JSON schemas and checked for what the design asks; the compose file
 * against the compose specification's schema; the Dockerfile by a linter and by rule; the
 * probes and the image's health check against a running app.
 */

// biome-ignore lint/suspicious/noExplicitAny: one constructor per kind, each with its own data type
type Model = new (data: any) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
  'argoproj.io/v1alpha1/Rollout': Rollout,
  'argoproj.io/v1alpha1/AnalysisTemplate': AnalysisTemplate,
};

function validateObject(object: K8sObject): void {
  const Model = MODELS[`${object.apiVersion}/${object.kind}`];
  assert.ok(Model, `${object.apiVersion} ${object.kind} has no schema in this test: add its model`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
  }
}

const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind} ${name} is in the output`);
  return found;
};

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

const OVERLAYS = ['deploy/k8s/base', 'deploy/k8s/overlays/canary', 'deploy/k8s/overlays/blue-green'];
const kubectl = tool('kubectl', 'kubernetes-client');

describe('Kubernetes manifests (kustomize base and overlays)', kubectl, () => {
  const built = new Map<string, K8sObject[]>();
  before(() => {
    for (const dir of OVERLAYS) built.set(dir, kustomize(dir));
  });
  const objects = (dir: string) => built.get(dir) ?? assert.fail(`${dir} was not built`);

  it('builds objects that the Kubernetes and Argo Rollouts schemas accept', () => {
    for (const dir of OVERLAYS) {
      assert.ok(objects(dir).length >= 15, `${dir} builds the whole application`);
      for (const object of objects(dir)) {
        validateObject(object);
        if (object.kind !== 'Namespace') assert.equal(object.metadata.namespace, 'one2one');
      }
    }
  });

  it('has a schema check that rejects a wrong manifest', () => {
    const deployment = structuredClone(find(objects('deploy/k8s/base'), 'Deployment', 'one2one-api'));
    deployment.spec.replicas = 'three';
    assert.throws(() => validateObject(deployment), /replicas must be integer/);
    const rollout = structuredClone(find(objects('deploy/k8s/overlays/canary'), 'Rollout', 'one2one-api'));
    rollout.spec.strategy.canary.steps[0] = { setWeight: '1%' };
    assert.throws(() => validateObject(rollout), /setWeight must be integer/);
  });

  it('runs api and worker as non-root on a read-only root file system, with resources and probes', () => {
    const base = objects('deploy/k8s/base');
    for (const [kind, name] of [
      ['Deployment', 'one2one-api'],
      ['Deployment', 'one2one-worker'],
      ['Job', 'one2one-migrate'],
    ] as const) {
      const pod = find(base, kind, name).spec.template.spec;
      assert.equal(pod.securityContext.runAsNonRoot, true, `${name}: runAsNonRoot`);
      assert.ok(pod.securityContext.runAsUser > 0, `${name}: a non-zero uid`);
      assert.equal(pod.automountServiceAccountToken, false);
      for (const container of pod.containers) {
        assert.equal(container.securityContext.readOnlyRootFilesystem, true, `${name}: read-only root`);
        assert.equal(container.securityContext.allowPrivilegeEscalation, false);
        assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
        assert.ok(
          container.resources.requests.cpu && container.resources.requests.memory,
          `${name}: requests`,
        );
        assert.ok(container.resources.limits.memory, `${name}: a memory limit`);
        // The writable paths the app needs (tsx's cache in /tmp, DATA_DIR) are volumes.
        const mounts = container.volumeMounts.map((m: { mountPath: string }) => m.mountPath).sort();
        assert.deepEqual(mounts, ['/app/data', '/tmp']);
        assert.deepEqual(
          container.envFrom.map((e: { configMapRef?: { name: string }; secretRef?: { name: string } }) =>
            e.configMapRef ? `cm:${e.configMapRef.name}` : `secret:${e.secretRef?.name}`,
          ),
          ['cm:one2one-config', 'secret:one2one-secrets'],
        );
      }
    }
    const api = find(base, 'Deployment', 'one2one-api').spec.template.spec.containers[0];
    const worker = find(base, 'Deployment', 'one2one-worker').spec.template.spec.containers[0];
    const job = find(base, 'Job', 'one2one-migrate').spec.template.spec.containers[0];
    // The commands of src/main.ts.
    assert.deepEqual([api.args, worker.args, job.args], [['serve'], ['worker'], ['migrate']]);
    for (const container of [api, worker]) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        assert.ok(container[probe]?.httpGet, `${container.name} has an HTTP ${probe}`);
      }
      assert.equal(container.readinessProbe.httpGet.path, '/ready');
      assert.equal(container.livenessProbe.httpGet.path, '/health');
    }
  });

  it('configures ports the app listens on: PORT for the API, WORKER_METRICS_PORT for the worker', () => {
    const base = objects('deploy/k8s/base');
    const config = find(base, 'ConfigMap', 'one2one-config').data;
    const port = (container: { ports: Array<{ name: string; containerPort: number }> }, name: string) =>
      container.ports.find((p) => p.name === name)?.containerPort;
    const api = find(base, 'Deployment', 'one2one-api');
    const worker = find(base, 'Deployment', 'one2one-worker');
    assert.equal(port(api.spec.template.spec.containers[0], 'http'), Number(config.PORT));
    assert.equal(
      port(worker.spec.template.spec.containers[0], 'metrics'),
      Number(config.WORKER_METRICS_PORT),
    );
    assert.equal(api.spec.template.metadata.annotations['prometheus.io/port'], config.PORT);
    assert.equal(worker.spec.template.metadata.annotations['prometheus.io/port'], config.WORKER_METRICS_PORT);
  });

  it('gives the app a configuration it accepts in production (ConfigMap + Secret)', () => {
    const base = objects('deploy/k8s/base');
    const env = {
      ...find(base, 'ConfigMap', 'one2one-config').data,
      ...find(base, 'Secret', 'one2one-secrets').stringData,
      MODULES: 'all',
    };
    assert.equal(env.NODE_ENV, 'production');
    const config = parseConfig(env);
    assert.equal(config.workerMetricsPort, 9464);
    assert.equal(config.storage.driver, 's3');
    // Without the secrets, production refuses to start: the Secret is what makes it start.
    const { ENCRYPTION_KEYS: _e, JWT_SIGNING_KEYS: _j, ...withoutKeys } = env;
    assert.throws(() => parseConfig(withoutKeys), /ENCRYPTION_KEYS is required/);
  });

  it('routes Services and PodDisruptionBudgets to pods that exist, on ports that exist', () => {
    for (const dir of OVERLAYS) {
      const all = objects(dir);
      const pods = all
        .filter((o) => o.kind === 'Deployment' || o.kind === 'Rollout')
        .map(
          (o) =>
            o.spec.template?.metadata ??
            find(all, 'Deployment', o.spec.workloadRef.name).spec.template.metadata,
        );
      const containers = all
        .filter((o) => o.kind === 'Deployment')
        .flatMap((o) => o.spec.template.spec.containers as Array<{ ports: Array<{ name: string }> }>);
      for (const service of all.filter((o) => o.kind === 'Service')) {
        assert.ok(
          pods.some((pod) => matches(service.spec.selector, pod.labels)),
          `${dir}: Service ${service.metadata.name} selects pods`,
        );
        for (const port of service.spec.ports) {
          assert.ok(
            containers.some((c) => c.ports.some((p) => p.name === port.targetPort)),
            `${dir}: Service ${service.metadata.name} targets a named container port`,
          );
        }
      }
      for (const pdb of all.filter((o) => o.kind === 'PodDisruptionBudget')) {
        assert.ok(pods.some((pod) => matches(pdb.spec.selector.matchLabels, pod.labels)));
        assert.equal(pdb.spec.maxUnavailable, 1);
      }
      for (const ingress of all.filter((o) => o.kind === 'Ingress')) {
        for (const rule of ingress.spec.rules) {
          for (const { backend } of rule.http.paths) find(all, 'Service', backend.service.name);
        }
      }
    }
  });

  it('scales the API on CPU at 70% and the worker on queue lag through prometheus-adapter', () => {
    for (const dir of OVERLAYS) {
      const all = objects(dir);
      const api = find(all, 'HorizontalPodAutoscaler', 'one2one-api');
      assert.deepEqual(api.spec.metrics, [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ]);
      const target = api.spec.scaleTargetRef;
      find(all, target.kind, target.name);
      assert.equal(target.kind, dir.endsWith('base') ? 'Deployment' : 'Rollout');
      const worker = find(all, 'HorizontalPodAutoscaler', 'one2one-worker');
      find(all, worker.spec.scaleTargetRef.kind, worker.spec.scaleTargetRef.name);
      const adapter = parseYaml(readRepoFile('deploy/prometheus/adapter-rules.yaml')) as {
        externalRules: Array<{ name: { as: string } }>;
      };
      const served = adapter.externalRules.map((rule) => rule.name.as);
      const external = worker.spec.metrics.filter((m: { type: string }) => m.type === 'External');
      assert.ok(external.length >= 1, 'the worker scales on an external (queue) metric');
      assert.ok(
        external.some((m: { external: { metric: { name: string } } }) => /lag/.test(m.external.metric.name)),
        'one of them is a lag',
      );
      for (const metric of external) {
        assert.ok(
          served.includes(metric.external.metric.name),
          `${metric.external.metric.name} is served by the adapter`,
        );
      }
    }
  });

  it('denies traffic by default and lets in only the ingress controller and Prometheus', () => {
    const policies = objects('deploy/k8s/base').filter((o) => o.kind === 'NetworkPolicy');
    const deny = policies.find(
      (p) => Object.keys(p.spec.podSelector).length === 0 && !p.spec.ingress && !p.spec.egress,
    );
    assert.ok(deny, 'a default-deny policy');
    assert.deepEqual(deny.spec.policyTypes, ['Ingress', 'Egress']);
    const apiIngress = policies.find(
      (p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'one2one-api',
    );
    assert.deepEqual(apiIngress?.spec.ingress[0].ports, [{ port: 3000, protocol: 'TCP' }]);
    const egressPorts = policies
      .flatMap((p) => p.spec.egress ?? [])
      .flatMap((rule: { ports: Array<{ port: number }> }) => rule.ports.map((p) => p.port));
    for (const port of [53, 5432, 6379, 4222, 443])
      assert.ok(egressPorts.includes(port), `egress to ${port}`);
  });

  it('canary: 1% → 10% → 50% → 100% with pauses, and an error-rate analysis that aborts', () => {
    const all = objects('deploy/k8s/overlays/canary');
    const rollout = find(all, 'Rollout', 'one2one-api');
    const canary = rollout.spec.strategy.canary;
    const steps = canary.steps as Array<{ setWeight?: number; pause?: { duration?: string } }>;
    assert.deepEqual(
      steps.filter((s) => s.setWeight !== undefined).map((s) => s.setWeight),
      [1, 10, 50, 100],
    );
    for (const [index, step] of steps.entries()) {
      if (step.setWeight !== undefined && step.setWeight < 100) {
        assert.ok(steps[index + 1]?.pause?.duration, `a timed pause after ${step.setWeight}%`);
      }
    }
    // Exact weights need traffic routing (with replica counts alone 1% would need 100 pods).
    find(all, 'Ingress', canary.trafficRouting.nginx.stableIngress);
    find(all, 'Service', canary.stableService);
    find(all, 'Service', canary.canaryService);
    assert.equal(canary.analysis.startingStep, 1, 'the analysis runs from the first 1%');
    assertAnalysis(all, canary.analysis);
    const template = find(all, 'Deployment', rollout.spec.workloadRef.name);
    assert.equal(template.spec.replicas, 0, 'the Rollout owns the pods');
  });

  it('blue-green: a preview, the same analysis before promotion, and a delayed scale-down of blue', () => {
    const all = objects('deploy/k8s/overlays/blue-green');
    const blueGreen = find(all, 'Rollout', 'one2one-api').spec.strategy.blueGreen;
    find(all, 'Service', blueGreen.activeService);
    find(all, 'Service', blueGreen.previewService);
    assert.notEqual(blueGreen.activeService, blueGreen.previewService);
    assert.ok(blueGreen.prePromotionAnalysis, 'analysed before promotion');
    assert.ok(
      blueGreen.autoPromotionEnabled === false || blueGreen.prePromotionAnalysis,
      'promotion is manual or gated by the analysis',
    );
    assertAnalysis(all, blueGreen.prePromotionAnalysis);
    assertAnalysis(all, blueGreen.postPromotionAnalysis);
    // A finite analysis before promotion: an unbounded one would never promote.
    const count = blueGreen.prePromotionAnalysis.args.find((a: { name: string }) => a.name === 'count');
    assert.ok(Number(count?.value) > 0);
    assert.ok(blueGreen.scaleDownDelaySeconds >= 300, 'blue stays up for a fast switch back');
  });
});

/**
 * The analysis a rollout runs: the error-rate template exists, aborts on errors, and every
 * argument it uses is declared and either defaulted or given by the rollout.
 */
function assertAnalysis(
  all: K8sObject[],
  analysis: { templates: Array<{ templateName: string }>; args?: Array<{ name: string }> },
): void {
  assert.deepEqual(
    analysis.templates.map((t) => t.templateName),
    ['one2one-error-rate'],
  );
  const template = find(all, 'AnalysisTemplate', 'one2one-error-rate').spec;
  const [metric] = template.metrics;
  assert.match(metric.provider.prometheus.query, /http_request_duration_seconds_count/);
  assert.match(metric.provider.prometheus.query, /status_code=~"5\.\."/);
  assert.match(
    metric.provider.prometheus.query,
    /rollouts_pod_template_hash="\{\{args\.pod-template-hash\}\}"/,
  );
  assert.equal(metric.failureLimit, 1, 'the second failed measurement aborts the rollout');
  assert.match(metric.failureCondition, /result\[0\] >/);
  const declared = new Map<string, { value?: string }>(
    template.args.map((a: { name: string; value?: string }) => [a.name, a]),
  );
  const used = JSON.stringify(template.metrics).match(/\{\{args\.([a-z-]+)\}\}/g) ?? [];
  for (const reference of used) {
    const name = reference.slice('{{args.'.length, -2);
    assert.ok(declared.has(name), `argument ${name} is declared`);
  }
  const given = new Set((analysis.args ?? []).map((a) => a.name));
  for (const [name, arg] of declared) {
    assert.ok(arg.value !== undefined || given.has(name), `argument ${name} has a value`);
  }
  for (const name of given) assert.ok(declared.has(name), `the rollout passes a declared argument (${name})`);
}

describe('probes and the image health check against a running app', kubectl, () => {
  let t: TestApp;
  let worker: { port: number; close(): Promise<void> };
  before(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    worker = await startMetricsServer(
      t.platform.metrics,
      0,
      '127.0.0.1',
      'a-metrics-token',
      t.platform.readiness,
    );
  });
  after(async () => {
    await worker?.close();
    await t?.close();
  });

  it('every probe path of the manifests answers 200 on the process it probes', async () => {
    const base = kustomize('deploy/k8s/base');
    const apiPort = (t.app.server.address() as { port: number }).port;
    const probed = [
      [find(base, 'Deployment', 'one2one-api'), apiPort],
      [find(base, 'Deployment', 'one2one-worker'), worker.port],
    ] as const;
    let checked = 0;
    for (const [deployment, port] of probed) {
      const container = deployment.spec.template.spec.containers[0];
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const { path, port: portName } = container[probe].httpGet;
        assert.ok(
          container.ports.some((p: { name: string }) => p.name === portName),
          `${probe} port is named`,
        );
        const response = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(response.status, 200, `${deployment.metadata.name} ${probe} ${path}`);
        checked += 1;
      }
    }
    assert.equal(checked, 6);
  });

  it("the image's HEALTHCHECK script exits 0 on a healthy process, 1 otherwise", async () => {
    const script = repoFile('deploy/docker/healthcheck.mjs');
    // Not spawnSync: the app answering the check runs in this process.
    const check = (env: Record<string, string>) =>
      new Promise<number>((resolve) => {
        execFile(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env } }, (error) =>
          resolve(error ? Number(error.code ?? 1) : 0),
        );
      });
    const apiPort = String((t.app.server.address() as { port: number }).port);
    assert.equal(await check({ PORT: apiPort }), 0);
    assert.equal(await check({ HEALTHCHECK_PORT: String(worker.port) }), 0);
    // A path that is not 200 (the worker's /metrics wants its token), and a closed port.
    assert.equal(await check({ HEALTHCHECK_PORT: String(worker.port), HEALTHCHECK_PATH: '/metrics' }), 1);
    await worker.close();
    assert.equal(await check({ HEALTHCHECK_PORT: String(worker.port) }), 1);
    worker = await startMetricsServer(t.platform.metrics, 0, '127.0.0.1');
  });
});

describe('Dockerfile', () => {
  const text = readRepoFile('Dockerfile');
  // Instructions with their continuation lines joined, by build stage.
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
  const stages: Array<typeof instructions> = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') stages.push([]);
    stages.at(-1)?.push(instruction);
  }
  const runtime = stages.at(-1) ?? [];
  const all = (keyword: string, stage = runtime) =>
    stage.filter((i) => i.keyword === keyword).map((i) => i.args);

  it('passes the Dockerfile linter', () => {
    const problems = lintDockerfile(text);
    assert.deepEqual(
      problems.map((p) => `${p.range.start.line + 1}: ${p.message}`),
      [],
    );
    // The linter can fail: a misspelt instruction is reported.
    assert.ok(lintDockerfile('FROM node:20-bookworm-slim\nCOPPY . .\n').length > 0);
  });

  it('builds in one stage and runs on node:20-bookworm-slim with production dependencies only', () => {
    assert.match(text, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    assert.equal(stages.length, 2);
    for (const stage of stages) assert.match(stage[0]?.args ?? '', /^\$\{NODE_IMAGE\}/);
    assert.ok(
      all('RUN', stages[0]).some((r) => /npm ci\b/.test(r) && !/--omit=dev/.test(r)),
      'build: all deps',
    );
    assert.ok(
      all('RUN', stages[0]).some((r) => /npm run build -w web/.test(r)),
      'build: the web app',
    );
    const installs = all('RUN').filter((r) => /npm (ci|install)\b/.test(r));
    assert.equal(installs.length, 1);
    assert.match(installs[0] ?? '', /npm ci --omit=dev/);
    assert.ok(
      all('COPY').some((c) => c.startsWith('--from=build /app/web/dist')),
      'the built web app',
    );
  });

  it('runs as a non-root user with a health check and the tsx loader it ships', () => {
    const users = all('USER');
    assert.equal(users.length, 1);
    const user = users[0]?.split(':')[0] ?? '';
    assert.ok(user !== 'root' && user !== '0' && user !== '', `USER ${user} is not root`);
    assert.match(all('HEALTHCHECK')[0] ?? '', /CMD \["node", "deploy\/docker\/healthcheck\.mjs"\]/);
    // tsx, then the tracing preload (OpenTelemetry when OTEL_EXPORTER_OTLP_ENDPOINT is set), then the CLI.
    assert.match(
      all('ENTRYPOINT')[0] ?? '',
      /"node", "--import", "tsx", "--import", "\.\/src\/tracing-preload\.mjs", "src\/main\.ts"/,
    );
    // The loader is a runtime dependency, so `npm ci --omit=dev` installs it.
    const manifest = JSON.parse(readRepoFile('package.json'));
    assert.ok(manifest.dependencies.tsx, 'tsx is in dependencies');
    assert.equal(manifest.devDependencies.tsx, undefined);
  });

  it('copies only files that exist and that .dockerignore lets through', () => {
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    const sources = instructions
      .filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))
      .flatMap((i) => i.args.split(/\s+/).slice(0, -1));
    assert.ok(sources.length >= 8);
    for (const source of sources) {
      assert.ok(existsSync(repoFile(source)), `${source} exists`);
      const hit = ignored.find((pattern) => source === pattern || source.startsWith(`${pattern}/`));
      assert.equal(hit, undefined, `${source} is not excluded by .dockerignore`);
    }
  });
});

describe('compose file', () => {
  const file = repoFile('deploy/compose.yaml');
  // biome-ignore lint/suspicious/noExplicitAny: checked field by field
  const compose = parseYaml(readFileSync(file, 'utf8'), { merge: true }) as any;

  it('validates against the compose specification schema', () => {
    const schema = JSON.parse(
      readFileSync(repoFile('node_modules/dclint/schemas/compose.schema.json'), 'utf8'),
    );
    // Draft 07, Ajv's default; its `$schema` spells the draft's address in a form Ajv does not know.
    delete schema.$schema;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    assert.equal(validate(compose), true, JSON.stringify(validate.errors));
    const broken = structuredClone(compose);
    broken.services.api.depends_on.migrate.condition = 'service_finished';
    assert.equal(validate(broken), false, 'the schema rejects an unknown depends_on condition');
  });

  it('passes dclint (its errors, schema included)', () => {
    const linted = run(process.execPath, [repoFile('node_modules/dclint/bin/dclint.cjs'), '-q', file]);
    assert.equal(linted.status, 0, linted.stdout + linted.stderr);
    const bad = tempFiles({
      'compose.yaml': 'services:\n  api:\n    image: x\n    ports:\n      - "3000:3000"\n',
    });
    try {
      const refused = run(process.execPath, [
        repoFile('node_modules/dclint/bin/dclint.cjs'),
        '-q',
        `${bad.dir}/compose.yaml`,
      ]);
      assert.notEqual(refused.status, 0, 'dclint fails a port bound on every interface');
    } finally {
      bad.cleanup();
    }
  });

  it('starts PostgreSQL, Redis and NATS JetStream healthy, migrates once, then api and worker', () => {
    const services = compose.services;
    assert.deepEqual(Object.keys(services).sort(), ['api', 'migrate', 'nats', 'postgres', 'redis', 'worker']);
    assert.match(services.postgres.image, /^postgres:15/);
    assert.match(services.redis.image, /^redis:7/);
    assert.ok(services.nats.command.includes('--jetstream'));
    assert.deepEqual(services.migrate.command, ['migrate']);
    assert.deepEqual(services.api.command, ['serve']);
    assert.deepEqual(services.worker.command, ['worker']);
    assert.equal(services.migrate.depends_on.postgres.condition, 'service_healthy');
    for (const name of ['api', 'worker']) {
      const service = services[name];
      assert.equal(service.depends_on.migrate.condition, 'service_completed_successfully');
      assert.equal(service.build.dockerfile, 'Dockerfile');
      assert.equal(service.environment.NODE_ENV, 'production');
      assert.deepEqual(service.healthcheck.test, ['CMD', 'node', 'deploy/docker/healthcheck.mjs']);
      for (const [dependency, { condition }] of Object.entries(
        service.depends_on as Record<string, { condition: string }>,
      )) {
        if (condition === 'service_healthy') {
          assert.ok(services[dependency].healthcheck?.test, `${dependency} has a health check`);
        }
      }
    }
    // The worker's health check asks the port its /health is served on.
    assert.equal(
      services.worker.environment.HEALTHCHECK_PORT,
      services.worker.environment.WORKER_METRICS_PORT,
    );
    assert.equal(services.api.environment.WORKER_METRICS_PORT, undefined);
  });
});
