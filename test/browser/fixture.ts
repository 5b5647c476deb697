// Root hooks of the browser suite (.mocharc.browser.cjs): one web build, one backbone, one Chromium for all files.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { badgeLogin, registerDevice, shopFloor, type ShopFloor } from '../support/people';
import { makeTempDir } from '../support/tmp';
import { ensureWebBuild } from '../support/webBuild';
import { qrVideo } from '../support/y4m';
import { closeOffice } from './office';
import { planAndRelease, type SeedOrder } from './seed';

export type Pda = {
  backbone: BackboneProcess;
  api: ReturnType<typeof client>;
  /** A registered PDA's device key (role device): it logs operators in, and does nothing else. */
  pdaToken: string;
  browser: Browser;
  /** The order whose first card the fake camera shows. */
  cameraOrder: SeedOrder;
  /**
   * A context as a PDA: 360×640, touch, zh-CN; unless `login` is false, `operatorId` (registered with
   * badge `B-<operatorId>` and a PIN, on a device of their own) logged in with a real badge session.
   */
  open: (options: {
    /** A key to use instead of an operator's session (no one logged in). */
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
  if (!shared) throw new Error('the browser suite runs with .mocharc.browser.cjs (npm run test:browser)');
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
    const backbone = await startBackboneProcess(
      { DATA_DIR: temp.dir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn' },
      60_000,
    );
    const api = client(backbone.baseUrl, keys.tokens);
    const pdaToken = await registerDevice(api, 'PDA-LOGIN');
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
    // an operator is registered (with a PDA of their own) once; each later open logs in again there
    const operators = new Map<string, ShopFloor>();
    const loggedIn = async (operatorId: string): Promise<ShopFloor> => {
      const known = operators.get(operatorId);
      if (!known) {
        const floor = await shopFloor(api, `PDA-${operatorId}`, operatorId, `B-${operatorId}`);
        operators.set(operatorId, floor);
        return floor;
      }
      const again = await badgeLogin(api, known.deviceToken, `B-${operatorId}`, known.pin);
      const { token } = again.body as { token: string };
      return { ...known, headers: { authorization: `Bearer ${token}`, 'x-device-key': known.deviceToken } };
    };
    shared = {
      backbone,
      api,
      pdaToken,
      browser,
      cameraOrder,
      open: async ({ token, operatorId = 'op-1', workCenters = [], login = true }) => {
        const floor = login && !token ? await loggedIn(operatorId) : undefined;
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
            ([key, session, operator]) => {
              // runs in the page (the test's tsconfig has no DOM types)
              const storage = (globalThis as unknown as { localStorage: BrowserStorage }).localStorage;
              if (storage.getItem('mes.deviceKey')) return;
              storage.setItem('mes.deviceKey', key);
              if (session) storage.setItem('mes.sessionToken', session);
              storage.setItem('mes.operator', operator);
            },
            [
              floor?.deviceToken ?? token ?? pdaToken,
              floor?.headers['authorization']?.replace('Bearer ', '') ?? '',
              JSON.stringify({ id: operatorId, workCenters }),
            ] as const,
          );
        const page = await context.newPage();
        return { context, page };
      },
    };
  },
  async afterAll(): Promise<void> {
    await closeOffice();
    await shared?.browser.close();
    await shared?.backbone.stop();
    temp.remove();
  },
};
