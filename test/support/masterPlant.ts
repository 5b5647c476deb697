import { expect } from 'chai';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { createLogger } from '../../src/lib/logger';
import { startBackbone, type Backbone } from '../../src/main/backbone';
import { loadConfig } from '../../src/main/config';
import { client, makeKeys } from './apiClient';
import { makeTempDir } from './tmp';

export const MOTOR = 'YE3-132M-4';
export const MOTOR_NAMES = { 'zh-CN': '三相异步电机 7.5kW', en: 'Three-phase induction motor 7.5 kW' };

/** A backbone in this process (its store at hand), on a clock the test moves, with a key per role. */
export const startMasterPlant = async (start: string) => {
  const temp = makeTempDir('mes-master-');
  const keys = makeKeys(temp.dir);
  const clock = { now: new Date(start) };
  const schemas = loadSchemaRegistry();
  const config = loadConfig(
    { DATA_DIR: temp.dir, PORT: '0', HOST: '127.0.0.1', API_KEYS_FILE: keys.file, LOG_LEVEL: 'error' },
    schemas,
  );
  const backbone: Backbone = await startBackbone(config, schemas, createLogger('error'), {
    clock: () => clock.now,
    overdueIntervalMs: 0,
  });
  const baseUrl = `http://127.0.0.1:${backbone.port}`;
  const api = client(baseUrl, keys.tokens);
  return {
    backbone,
    api,
    baseUrl,
    tokens: keys.tokens,
    clock,
    /** Moves the clock to an instant. */
    at: (iso: string) => {
      clock.now = new Date(iso);
    },
    stop: async () => {
      await backbone.close();
      temp.remove();
    },
  };
};

export type MasterPlant = Awaited<ReturnType<typeof startMasterPlant>>;

/** Sends a command and expects it accepted (2xx), answering its body. */
export const ok = async (call: Promise<{ status: number; body: unknown }>): Promise<Record<string, unknown>> => {
  const response = await call;
  expect(response.status, JSON.stringify(response.body)).to.be.within(200, 299);
  return response.body as Record<string, unknown>;
};

/** The site QJ, its turning work center WC-A and one lathe in it, M1 (10 kW, 60 s a SHAFT). */
export const addTurningCell = async (api: MasterPlant['api']): Promise<void> => {
  await ok(api.post('/api/master/sites', { code: 'QJ', names: { 'zh-CN': '綦江工厂', en: 'Qijiang plant' } }));
  await ok(
    api.post('/api/master/work-centers', {
      code: 'WC-A',
      names: { 'zh-CN': '车削', en: 'Turning' },
      site: 'QJ',
      machines: [],
    }),
  );
  await ok(
    api.post(
      '/api/machines',
      {
        machineId: 'M1',
        code: 'M1',
        name: 'Lathe 1',
        type: 'lathe',
        workCenter: 'WC-A',
        ratedPowerKw: 10,
        idealCycleSeconds: [{ product: 'SHAFT', seconds: 60 }],
      },
      'maintenance',
    ),
  );
};

export const windingStep = {
  operationId: '010',
  code: 'WIND',
  names: { 'zh-CN': '绕线', en: 'Winding' },
  workCenter: 'WC-WIND',
  standardMinutesPerUnit: 6,
  setupMinutes: 20,
  inspectionRequired: false,
  instructions: '1. 检查漆包线规格\n2. 按图纸绕制定子线圈',
  instructionsUrl: 'http://wiki.qijiang.local/工艺/YE3-132M-4/绕线.pdf',
};
export const assemblyStep = {
  operationId: '020',
  code: 'ASSY',
  names: { 'zh-CN': '总装', en: 'Assembly' },
  workCenter: 'WC-ASSY',
  standardMinutesPerUnit: 12,
  setupMinutes: 10,
  inspectionRequired: false,
};

/**
 * A small Qijiang motor plant in master data, through the API with the roles that own each part: a
 * site and two work centers (admin), a product with Chinese and English names, copper wire, a
 * two-operation routing and its BOM (planner), an inspection plan after assembly (quality).
 */
export const seedMotorPlant = async ({ api }: MasterPlant): Promise<void> => {
  await ok(api.post('/api/master/sites', { code: 'QJ', names: { 'zh-CN': '綦江工厂', en: 'Qijiang plant' } }));
  for (const [code, zh, en] of [
    ['WC-WIND', '绕线工作中心', 'Winding'],
    ['WC-ASSY', '总装工作中心', 'Assembly'],
  ] as const)
    await ok(api.post('/api/master/work-centers', { code, names: { 'zh-CN': zh, en }, site: 'QJ', machines: [] }));
  await ok(
    api.post('/api/master/products', { code: MOTOR, names: MOTOR_NAMES, unit: '台', family: 'YE3-132' }, 'planner'),
  );
  await ok(
    api.post(
      '/api/master/materials',
      { code: 'CU-WIRE-1.2', names: { 'zh-CN': '漆包线 1.2mm' }, unit: 'kg' },
      'planner',
    ),
  );
  await ok(api.post('/api/master/routings', { code: MOTOR, operations: [windingStep, assemblyStep] }, 'planner'));
  await ok(
    api.post(
      '/api/master/boms',
      {
        code: MOTOR,
        lines: [
          { operationId: '010', material: 'CU-WIRE-1.2', quantityPerUnit: 2.5, unit: 'kg', scrapAllowance: 0.02 },
        ],
      },
      'planner',
    ),
  );
  await ok(
    api.post(
      '/api/master/inspection-plans',
      {
        code: MOTOR,
        operations: [
          {
            operationId: '020',
            sampleSize: 5,
            characteristics: [
              {
                name: 'insulation',
                kind: 'measured',
                names: { 'zh-CN': '绝缘电阻', en: 'Insulation resistance' },
                nominal: 100,
                lower: 50,
                unit: 'MΩ',
              },
            ],
          },
        ],
      },
      'quality',
    ),
  );
};
