import { expect } from 'chai';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOTS } from './fixture';
import { office } from './office';

type Answer = {
  at: string;
  choices: { machines: string[] };
  machines: {
    byState: Record<string, number>;
    stopped: Array<{ machineId: string; state: string; reason: string | null }>;
  };
};
type Figures = Record<'oee' | 'availability' | 'performance' | 'quality' | 'teep', number | null> & { date: string };

const KPIS = ['oee', 'availability', 'performance', 'quality', 'teep'] as const;
// the way the dashboard formats a ratio for a zh-CN reader (web/src/office/dashboard/format.ts)
const PERCENT = new Intl.NumberFormat('zh-CN', {
  style: 'percent',
  minimumFractionDigits: 1,
  maximumFractionDigits: 1,
});
const percent = (value: number | null): string => (value === null ? '—' : PERCENT.format(value));
const plantDay = (iso: string): string =>
  new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(iso));

/** What the page shows now, read at once: the instant of its figures and the five ratios. */
const shown = (page: Page) =>
  page.evaluate(
    (kpis) => {
      // runs in the page (the test's tsconfig has no DOM types)
      const doc = (
        globalThis as unknown as {
          document: {
            querySelector(s: string): { textContent: string | null; getAttribute(n: string): string | null } | null;
          };
        }
      ).document;
      const text = (test: string) => doc.querySelector(`[data-test=${test}]`)?.textContent?.trim() ?? '';
      return {
        at: doc.querySelector('[data-test=dashboard-page]')?.getAttribute('data-at') ?? '',
        kpis: Object.fromEntries(kpis.map((k) => [k, text(`kpi-${k}-value`)])),
        down: text('machines-down'),
      };
    },
    KPIS as unknown as string[],
  );

const figuresShown = (page: Page) =>
  page.waitForFunction(() => {
    const doc = (
      globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
    ).document;
    return (
      !!doc.querySelector('[data-test=dashboard-page][data-at]') &&
      !!doc.querySelector('[data-test=kpi-oee-value]')?.textContent?.trim()
    );
  });

describe('Office: the dashboard (plant, line or machine; live; phone and big screen)', function () {
  this.timeout(180_000);
  before(async function () {
    this.timeout(600_000);
    await office();
  });

  it('shows a machine’s OEE, availability, performance, quality and TEEP for today equal to the OEE route’s', async () => {
    const { api, open } = await office();
    const plant = (await api.get('/api/dashboard', 'analyst')).body as Answer;
    const machineId = plant.choices.machines[0] as string;
    const { context, page } = await open({ role: 'analyst', size: 'desktop' });
    try {
      await page.goto(`/office/dashboard?scope=machine:${machineId}&period=day`);
      await figuresShown(page);
      const { at, kpis } = await shown(page);
      const day = plantDay(at);
      // the same route, day and instant the dashboard's figures are as of
      const [row] = (await api.get(`/api/oee/${machineId}/days?from=${day}&to=${day}&until=${at}`, 'analyst'))
        .body as Figures[];
      expect(row?.date).to.equal(day);
      expect(kpis).to.deep.equal(Object.fromEntries(KPIS.map((k) => [k, percent(row?.[k] ?? null)])));
      expect(await page.getByTestId('dashboard-page').getAttribute('data-scope')).to.equal(`machine:${machineId}`);

      await page.goto('/office/dashboard');
      await figuresShown(page);
      const all = await shown(page);
      const [rollup] = (
        await api.get(
          `/api/oee/rollups/plant/days?from=${plantDay(all.at)}&to=${plantDay(all.at)}&until=${all.at}`,
          'analyst',
        )
      ).body as Figures[];
      expect(all.kpis['oee']).to.equal(percent(rollup?.oee ?? null));
      await page.getByTestId('panel-losses').locator('canvas').first().waitFor();
      await page.getByTestId('panel-stops').locator('canvas').first().waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'office-dashboard-desktop.png') });
    } finally {
      await context.close();
    }
  });

  it('counts a machine going down within 2 s, live, without reloading the page (phone)', async () => {
    const { api, open } = await office();
    const plant = (await api.get('/api/dashboard', 'analyst')).body as Answer;
    const down = new Set(plant.machines.stopped.filter((m) => m.state === 'down').map((m) => m.machineId));
    const machineId = plant.choices.machines.find((m) => !down.has(m)) as string;
    expect(machineId, 'a machine of the seeded plant not down').to.be.a('string');
    // the analyst, as a plant manager would be: the live stream serves the office roles the plant's operations
    const { context, page } = await open({ role: 'analyst', size: 'phone' });
    try {
      let navigations = 0;
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) navigations += 1;
      });
      await page.goto('/office/dashboard');
      await figuresShown(page);
      await page.getByTestId('panel-machines').waitFor();
      const before = Number((await shown(page)).down);
      navigations = 0;
      await page.evaluate(() => void ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));
      const sent = Date.now();
      const answer = await api.post(
        `/api/machines/${machineId}/state`,
        { state: 'down', reasonCode: 'breakdown' },
        'maintenance',
      );
      expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
      await page.waitForFunction(
        (n) =>
          (
            globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }
          ).document
            .querySelector('[data-test=machines-down]')
            ?.textContent?.trim() === String(n),
        before + 1,
        { timeout: 20_000 },
      );
      const elapsed = Date.now() - sent;
      console.log(`      machine down shown after ${elapsed} ms`);
      expect(elapsed).to.be.below(2000);
      expect(navigations).to.equal(0);
      expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).to.equal(
        true,
      );
      expect(await page.getByTestId('machines-stopped').textContent()).to.contain(machineId);
      await page.getByTestId('panel-losses').locator('canvas').first().waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'office-dashboard-phone.png') });
    } finally {
      await context.close();
      // back to the state it was in, for the other tests of the suite
      const was = plant.machines.stopped.find((m) => m.machineId === machineId);
      const body = was ? { state: was.state, ...(was.reason ? { reasonCode: was.reason } : {}) } : { state: 'running' };
      await api.post(`/api/machines/${machineId}/state`, body, 'maintenance');
    }
  });

  it('shows the plant’s figures in under 2 s on a phone with the CPU throttled 4× (median of three)', async () => {
    const { open } = await office();
    const times: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      // a new context each time: no HTTP cache
      const { context, page } = await open({ role: 'analyst', size: 'phone' });
      try {
        // the page's own clock: when the five ratios show the plant's figures
        await context.addInitScript({
          content: `(() => {
            const ready = () =>
              document.querySelector('[data-test=dashboard-page][data-at]') &&
              document.querySelector('[data-test=kpi-oee-value]')?.textContent.trim();
            const observer = new MutationObserver(() => {
              if (!ready()) return;
              window.shownAt = performance.now();
              observer.disconnect();
            });
            observer.observe(document, { childList: true, subtree: true, attributes: true });
          })();`,
        });
        const cdp = await context.newCDPSession(page);
        await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
        await page.goto('/office/dashboard');
        // polled every 50 ms, not every frame: the probe must not take the throttled CPU it measures
        const at = await page.waitForFunction(() => (globalThis as unknown as { shownAt?: number }).shownAt, null, {
          polling: 50,
        });
        times.push(Math.round((await at.jsonValue()) as number));
      } finally {
        await context.close();
      }
    }
    const median = [...times].sort((a, b) => a - b)[1] as number;
    console.log(
      `      plant dashboard shown: ${times.join(', ')} ms (median ${median} ms; CPU ×4, cold cache, 50 machines)`,
    );
    expect(median).to.be.below(2000);
  });

  it('rotates its panels on the big screen at 1920×1080, in large type and without the office’s menus', async () => {
    const { open } = await office();
    const { context, page } = await open({ role: 'analyst', size: 'desktop' });
    try {
      // a rotation too slow to turn during the screenshot: the first panel, its chart drawn
      await page.goto('/office/dashboard?screen=big&rotate=300');
      await figuresShown(page);
      expect(await page.getByTestId('office-menu').count()).to.equal(0);
      const panel = page.getByTestId('big-panel');
      expect(await panel.getAttribute('data-panel')).to.equal('losses');
      const size = await page
        .getByTestId('kpi-oee-value')
        .evaluate(
          (el) =>
            (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(el)
              .fontSize,
        );
      expect(parseFloat(size)).to.be.at.least(48);
      await panel.locator('canvas').first().waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, 'office-dashboard-bigscreen.png') });
      await page.goto('/office/dashboard?screen=big&rotate=3');
      await figuresShown(page);
      const first = await panel.getAttribute('data-panel');
      const seen = [first];
      for (let turn = 0; turn < 2; turn += 1) {
        await page.waitForFunction(
          (was) =>
            (
              globalThis as unknown as {
                document: { querySelector(s: string): { getAttribute(n: string): string | null } | null };
              }
            ).document
              .querySelector('[data-test=big-panel]')
              ?.getAttribute('data-panel') !== was,
          seen[seen.length - 1],
          { timeout: 15_000 },
        );
        seen.push(await panel.getAttribute('data-panel'));
      }
      // the panels in their order, one at a time
      const order = ['losses', 'stops', 'machines', 'output', 'yields', 'energy', 'quality', 'maintenance'];
      const at = seen.map((p) => order.indexOf(p as string));
      expect(at[1]).to.equal((at[0] as number) + 1);
      expect(at[2]).to.equal((at[0] as number) + 2);
      expect(await page.getByTestId('big-panel').count()).to.equal(1);
    } finally {
      await context.close();
    }
  });
});
