import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeTempDir } from '../support/tmp';
import { pda } from './fixture';

const ROOT = resolve(__dirname, '../..');

/**
 * The alerts composable and the API client bundled as one script (Vite, IIFE), as the office layout
 * will import them: the office screens are not in the app yet, so the test puts the bundle in a page
 * of the backbone's origin.
 */
const bundleAlerts = (dir: string): string => {
  const entry = join(dir, 'entry.ts');
  writeFileSync(
    entry,
    [
      `export { useAlerts } from ${JSON.stringify(join(ROOT, 'web/src/office/alerts/useAlerts.ts'))};`,
      `export { createApiClient } from ${JSON.stringify(join(ROOT, 'web/src/composables/api.ts'))};`,
    ].join('\n'),
  );
  const script = `
    import { build } from 'vite';
    await build({
      configFile: false,
      logLevel: 'error',
      root: ${JSON.stringify(ROOT)},
      define: { 'process.env.NODE_ENV': '"production"' },
      build: {
        outDir: ${JSON.stringify(join(dir, 'out'))},
        minify: false,
        lib: { entry: ${JSON.stringify(entry)}, formats: ['iife'], name: 'mesAlerts', fileName: () => 'alerts.js' },
      },
    });`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the alerts bundle did not build:\n${run.stdout}\n${run.stderr}`);
  return readFileSync(join(dir, 'out', 'alerts.js'), 'utf8');
};

type Shown = { title: string; body: string; tag: string };

describe('alerts in the browser: the list, the live stream and notifications (useAlerts)', function () {
  this.timeout(120_000);
  const temp = makeTempDir('mes-alerts-web-');
  let bundle: string;
  before(() => {
    bundle = bundleAlerts(temp.dir);
  });
  after(() => temp.remove());

  const failInspection = async (inspectionId: string) => {
    const { api } = pda();
    const requested = await api.post(
      '/api/inspections',
      {
        inspectionId,
        lotId: `L-${inspectionId}`,
        product: 'SHAFT-20',
        characteristics: [{ name: 'dia', kind: 'measured', lower: 19.95, upper: 20.05, unit: 'mm' }],
      },
      'quality',
    );
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const recorded = await api.post(
      `/api/inspections/${inspectionId}/results`,
      { results: [{ characteristic: 'dia', value: 20.3 }] },
      'quality',
    );
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(200);
  };

  it('lists a quality engineer’s alerts, notifies a new one once, and counts what is unread', async () => {
    const { backbone, browser } = pda();
    const suffix = Date.now().toString(36);
    await failInspection(`IB1-${suffix}`);
    const context = await browser.newContext({
      baseURL: backbone.baseUrl,
      bypassCSP: true,
      locale: 'zh-CN',
      permissions: ['notifications'],
    });
    try {
      // every notification the page shows is recorded, then shown by the browser's own Notification
      await context.addInitScript(() => {
        const page = globalThis as unknown as {
          Notification: {
            new (title: string, options: Shown): unknown;
            permission: string;
            requestPermission(): Promise<string>;
          };
          shown: Shown[];
        };
        const Real = page.Notification;
        page.shown = [];
        const Recorded = function (title: string, options: Shown) {
          page.shown.push({ title, body: options.body, tag: options.tag });
          return new Real(title, options);
        } as unknown as typeof Real;
        Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
        Recorded.requestPermission = () => Real.requestPermission();
        page.Notification = Recorded;
      });
      const page = await context.newPage();
      await page.goto('/health');
      await page.evaluate(bundle);
      // a quality engineer's own key, made by the security administrator as a plant would
      const made = await pda().api.post(
        '/api/keys',
        { name: `alerts-web-${suffix}`, owner: 'system:alerts-board', roles: ['quality'] },
        'secadmin',
      );
      expect(made.status, JSON.stringify(made.body)).to.equal(201);
      const { token } = made.body as { token: string };
      await page.evaluate((bearer) => {
        type Lib = {
          useAlerts: (deps: object) => unknown;
          createApiClient: (credentials: () => Record<string, string>) => unknown;
        };
        const page = globalThis as unknown as { mesAlerts: Lib; alerts: unknown };
        page.alerts = page.mesAlerts.useAlerts({
          api: page.mesAlerts.createApiClient(() => ({ authorization: `Bearer ${bearer}` })),
          locale: () => 'zh-CN',
          retryMs: 200,
        });
      }, token);
      type State = { status: string; unread: number; items: string[]; permission: string; shown: Shown[] };
      const state = () =>
        page.evaluate((): State => {
          type R<T> = { value: T };
          const page = globalThis as unknown as {
            alerts: {
              status: R<string>;
              unread: R<number>;
              permission: R<string>;
              items: R<{ alertId: string }[]>;
            };
            shown: Shown[];
          };
          const { alerts } = page;
          return {
            status: alerts.status.value,
            unread: alerts.unread.value,
            permission: alerts.permission.value,
            items: alerts.items.value.map((a) => a.alertId),
            shown: page.shown,
          };
        });
      await page.waitForFunction(() => {
        const page = globalThis as unknown as { alerts: { status: { value: string } } };
        return page.alerts.status.value === 'live';
      });
      const listed = await state();
      expect(listed.permission).to.equal('granted');
      expect(listed.items[0]).to.equal(`inspection-failed:IB1-${suffix}`);
      // what was there before the page opened is listed, not notified
      expect(listed.shown).to.deep.equal([]);

      await failInspection(`IB2-${suffix}`);
      await page.waitForFunction((id) => {
        const page = globalThis as unknown as { shown: { tag: string }[] };
        return page.shown.some((n) => n.tag === id);
      }, `inspection-failed:IB2-${suffix}`);
      const live = await state();
      expect(live.items.slice(0, 2)).to.deep.equal([
        `inspection-failed:IB2-${suffix}`,
        `inspection-failed:IB1-${suffix}`,
      ]);
      expect(live.unread).to.equal(live.items.length);
      expect(live.shown).to.deep.equal([
        {
          title: '警告 · 检验不合格',
          body: `检验不合格：检验 IB2-${suffix}（批次 L-IB2-${suffix}，产品 SHAFT-20），不合格项：dia。`,
          tag: `inspection-failed:IB2-${suffix}`,
        },
      ]);
      await page.evaluate(() => (globalThis as unknown as { alerts: { markAllRead(): void } }).alerts.markAllRead());
      expect((await state()).unread).to.equal(0);
    } finally {
      await context.close();
    }
  });
});
