import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/test-app';

/**
 * What an operator imports (docs/operations.md § Alerts): the Prometheus rules pass promtool and
 * their unit tests, which fire each alert on sample series; the rules and the Grafana dashboard
 * name only metrics the API exposes.
 */
const ROOT = join(__dirname, '..');
const PROMETHEUS = join(ROOT, 'scripts', 'prometheus');

/** Metric names in a text, histogram and summary series reduced to their family. */
const metricsIn = (text: string) => new Set([...text.matchAll(/\bostracon_[a-z_]+/g)].map((m) => m[0].replace(/_(bucket|count|sum)$/, '')));

describe('alerts and dashboards', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('the alert rules are valid, and each fires on its sample series (promtool test rules)', () => {
    const check = spawnSync('promtool', ['check', 'rules', 'alerts.yml'], { cwd: PROMETHEUS, encoding: 'utf8' });
    expect([check.status, check.stdout]).toEqual([0, expect.stringContaining('SUCCESS: 10 rules found')]);
    const tested = spawnSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: PROMETHEUS, encoding: 'utf8' });
    expect([tested.status, `${tested.stdout}${tested.stderr}`]).toEqual([0, expect.stringContaining('SUCCESS')]);
    // Every alert has a test that expects it to fire, and a runbook entry in docs/operations.md.
    const rules = readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8');
    const tests = readFileSync(join(PROMETHEUS, 'alerts.test.yml'), 'utf8');
    const operations = readFileSync(join(ROOT, 'docs', 'operations.md'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts).toHaveLength(10);
    for (const alert of alerts) {
      expect([alert, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`).test(tests)]).toEqual([alert, true]);
      expect([alert, operations.includes(`### ${alert}`)]).toEqual([alert, true]);
    }
  });

  it('the rules and the dashboard name only metrics the API exposes', async () => {
    const exposed = metricsIn(
      (await t.metrics())
        .split('\n')
        .filter((l) => l.startsWith('# TYPE'))
        .join('\n'),
    );
    const dashboard = JSON.parse(readFileSync(join(ROOT, 'scripts', 'grafana', 'ostracon-dashboard.json'), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    expect(dashboard.panels.length).toBeGreaterThan(10);
    const used = metricsIn(
      readFileSync(join(PROMETHEUS, 'alerts.yml'), 'utf8') + dashboard.panels.flatMap((p) => p.targets.map((x) => x.expr)).join('\n'),
    );
    expect([...used].filter((m) => !exposed.has(m))).toEqual([]);
  });
});
