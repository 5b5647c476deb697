// Root hooks of the browser suite (.mocharc.browser.json): one web build, one backbone, one Chromium for all files.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { hashToken, type Role } from '../../src/api/auth';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { makeTempDir } from '../support/tmp';
import { ensureWebBuild } from '../support/webBuild';
import { qrVideo } from '../support/y4m';
import { planAndRelease, type SeedOrder } from './seed';

export type Pda = {
  backbone: BackboneProcess;
  api: ReturnType<typeof client>;
  /** The PDA's device key: operator, and integrator for the live stream (until the people issue's device role). */
  pdaToken: string;
  /** A key with the operator role only: it may not read the live stream. */
  operatorToken: string;
  browser: Browser;
  /** The order whose first card the fake camera shows. */
  cameraOrder: SeedOrder;
  /** A context as a PDA: 360×640, touch, zh-CN; logged in as `operatorId` on `workCenters` unless `login` is false. */
  open: (options: {
    /** The device key; default the PDA's. */
    token?: string;
    operatorId?: string;
    workCenters?: string[];
    login?: boolean;
  }) => Promise<{ context: BrowserContext; page: Page }>;
};

type BrowserStorage = { getItem(key: string): string | null; setItem(key: string, value: string): void };

let shared: Pda | undefined;
const temp = makeTempDir('mes-browser-');

/** What the root hooks started. */
export const pda = (): Pda => {
  if (!shared) throw new Error('the browser suite runs with .mocharc.browser.json (npm run test:browser)');
  return shared;
};

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '../../docs/screenshots');

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(300_000);
    if (!existsSync(CHROMIUM))
      throw new Error(
        `the browser tests drive Debian's Chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`,
      );
    ensureWebBuild();
    selectors.setTestIdAttribute('data-test');
    const keys = makeKeys(temp.dir);
    const pdaToken = `test_pda_${randomBytes(12).toString('hex')}`;
    const list = JSON.parse(readFileSync(keys.file, 'utf8')) as Array<{ name: string; roles: Role[]; sha256: string }>;
    list.push({ name: 'pda-1', roles: ['operator', 'integrator'], sha256: hashToken(pdaToken) });
    writeFileSync(keys.file, JSON.stringify(list));
    const backbone = await startBackboneProcess(
      { DATA_DIR: temp.dir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn' },
      60_000,
    );
    const api = client(backbone.baseUrl, keys.tokens);
    const cameraOrder = await planAndRelease(api, { workCenter: 'WC-CAM' });
    const card = await api.get(`/api/orders/${cameraOrder.orderId}/operations/010/card`, 'operator');
    const video = join(temp.dir, 'card.y4m');
    writeFileSync(video, qrVideo((card.body as { payload: string }).payload));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    shared = {
      backbone,
      api,
      pdaToken,
      operatorToken: keys.tokens.operator,
      browser,
      cameraOrder,
      open: async ({ token = pdaToken, operatorId, workCenters = [], login = true }) => {
        const context = await browser.newContext({
          baseURL: backbone.baseUrl,
          viewport: { width: 360, height: 640 },
          deviceScaleFactor: 2,
          isMobile: true,
          hasTouch: true,
          locale: 'zh-CN',
          timezoneId: 'Asia/Shanghai',
          permissions: ['camera'],
        });
        if (login)
          await context.addInitScript(
            ([token, operator]) => {
              // runs in the page (the test's tsconfig has no DOM types)
              const storage = (globalThis as unknown as { localStorage: BrowserStorage }).localStorage;
              if (storage.getItem('mes.deviceKey')) return;
              storage.setItem('mes.deviceKey', token);
              storage.setItem('mes.operator', operator);
            },
            [token, JSON.stringify({ id: operatorId ?? 'op-1', workCenters })] as const,
          );
        const page = await context.newPage();
        return { context, page };
      },
    };
  },
  async afterAll(): Promise<void> {
    await shared?.browser.close();
    await shared?.backbone.stop();
    temp.remove();
  },
};
