// The office screens' plant: a backbone seeded by the simulator (50 machines, the plant's last 8 hours),
// started once for the browser suite when a test first asks for it, and people logged in as each role.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { client, makeKeys } from '../support/apiClient';
import { startBackboneProcess, type BackboneProcess } from '../support/backboneProcess';
import { passwordLogin, type Browser as PersonBrowser } from '../support/people';
import { makeTempDir } from '../support/tmp';
import { pda } from './fixture';

export type OfficeRole = 'planner' | 'quality' | 'maintenance' | 'analyst' | 'auditor';
export const OFFICE_LOGINS: Record<OfficeRole, string> = {
  planner: 'li.na',
  quality: 'wang.qiang',
  maintenance: 'zhang.wei',
  analyst: 'liu.yang',
  auditor: 'chen.jing',
};
/** The seeded plant's size: the dashboard's speed is measured with it. */
export const SEEDED_MACHINES = 50;

export type Size = 'phone' | 'desktop';
export const VIEWPORTS: Record<Size, { width: number; height: number }> = {
  phone: { width: 390, height: 844 },
  desktop: { width: 1920, height: 1080 },
};

export type Office = {
  backbone: BackboneProcess;
  dataDir: string;
  /** API keys by role (analyst, planner, ... and `all`), for reading what the screens should show. */
  api: ReturnType<typeof client>;
  /** A person's own session over HTTP (cookie and CSRF token), as their browser has it. */
  as: (role: OfficeRole) => Promise<PersonBrowser>;
  /** A browser context as a person of this role, logged in, at a phone's or a desktop's size. */
  open: (options: { role: OfficeRole; size: Size }) => Promise<{ context: BrowserContext; page: Page }>;
};

const MAIN = resolve(__dirname, '../../src/main/main.ts');
const temp = makeTempDir('mes-office-');
let seeded: Promise<Office> | undefined;
let started: BackboneProcess | undefined;

/** Runs the demo with --exit in the folder: the simulator drives the plant through the API, then stops. */
const runDemo = (dataDir: string): Promise<void> =>
  new Promise((done, fail) => {
    const args = ['--machines', String(SEEDED_MACHINES), '--orders', '40', '--hours', '8', '--seconds', '20'];
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', MAIN, '--demo', ...args, '--past', '--exit'],
      {
        env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', NATS_URL: '' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`the demo exited with ${code}: ${stderr}`))));
  });

/** The passwords the demo gave its people (demo-credentials.txt: login<TAB>password). */
const passwords = (dataDir: string): Map<string, string> =>
  new Map(
    readFileSync(join(dataDir, 'demo-credentials.txt'), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split('\t') as [string, string]),
  );

const seed = async (): Promise<Office> => {
  const dataDir = temp.dir;
  await runDemo(dataDir);
  const keys = makeKeys(dataDir);
  const backbone = await startBackboneProcess(
    { DATA_DIR: dataDir, API_KEYS_FILE: keys.file, LOG_LEVEL: 'warn', NATS_URL: '' },
    120_000,
  );
  started = backbone;
  const known = passwords(dataDir);
  const as = async (role: OfficeRole): Promise<PersonBrowser> => {
    const login = OFFICE_LOGINS[role];
    const answer = await passwordLogin(backbone.baseUrl, login, known.get(login) as string);
    if (!answer.browser) throw new Error(`${login} could not log in: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.browser;
  };
  return {
    backbone,
    dataDir,
    api: client(backbone.baseUrl, keys.tokens),
    as,
    open: async ({ role, size }) => {
      const person = await as(role);
      const phone = size === 'phone';
      const context = await pda().browser.newContext({
        baseURL: backbone.baseUrl,
        viewport: VIEWPORTS[size],
        deviceScaleFactor: phone ? 2 : 1,
        isMobile: phone,
        hasTouch: phone,
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      const [name, value] = person.cookie.split('=') as [string, string];
      await context.addCookies([{ name, value, url: backbone.baseUrl }]);
      await context.addInitScript((csrf) => {
        // runs in the page (the test's tsconfig has no DOM types)
        const storage = (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } })
          .localStorage;
        storage.setItem('mes.office.csrf', csrf);
      }, person.csrf);
      return { context, page: await context.newPage() };
    },
  };
};

/**
 * The seeded plant, started on first use (a minute or two: the simulator runs 8 plant hours with 50
 * machines); a test's `before` that calls it needs a timeout of several minutes.
 */
export const office = (): Promise<Office> => (seeded ??= seed());

/** Stops the office's backbone (the suite's root afterAll). */
export const closeOffice = async (): Promise<void> => {
  await started?.stop();
  temp.remove();
};
