import { PRODUCTS, WORK_CENTERS, idealSeconds } from './catalog';
import type { ApiClient, Must } from './client';
import type { PlantClients } from './logins';

/** The simulated plant in master data: the Qijiang motor-parts plant, in Chinese and English. */
export const SITE = { code: 'QJ', names: { 'zh-CN': '綦江电机厂', en: 'Qijiang motor plant' } };
export const LINE = { code: 'QJ-L1', names: { 'zh-CN': '机加一线', en: 'Machining line 1' }, site: SITE.code };

const WORK_CENTER_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  'WC-TURN': { 'zh-CN': '数控车削', en: 'CNC turning' },
  'WC-MILL': { 'zh-CN': '数控铣削', en: 'CNC milling' },
};
export const PRODUCT_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  'SHAFT-20': { 'zh-CN': '转子轴', en: 'Rotor shaft' },
  'FLANGE-8': { 'zh-CN': '电机端盖', en: 'Motor end cover' },
  'HUB-12': { 'zh-CN': '风扇轮毂', en: 'Fan hub' },
};
const OPERATION_NAMES: Record<string, { 'zh-CN': string; en: string }> = {
  TURN: { 'zh-CN': '车削', en: 'Turning' },
  MILL: { 'zh-CN': '铣削', en: 'Milling' },
};
const OPERATOR_NAMES = ['张伟', '李娜', '王强', '刘洋', '陈静', '杨磊', '赵敏', '黄勇'];

/** The reason codes the simulator uses: machine stops, scrap, and the nonconformance an inspection finds. */
export const REASONS = {
  downtime: [
    { code: 'SPINDLE-ALARM', names: { 'zh-CN': '主轴报警', en: 'Spindle alarm' } },
    { code: 'TOOL-BREAK', names: { 'zh-CN': '断刀', en: 'Tool breakage' } },
  ],
  scrap: [{ code: 'DIMENSION', names: { 'zh-CN': '尺寸超差', en: 'Out of dimension' } }],
  nonconformance: [
    { code: 'BURR', names: { 'zh-CN': '毛刺', en: 'Burr' } },
    { code: 'DRIFT', names: { 'zh-CN': '尺寸漂移', en: 'Dimensional drift' } },
  ],
} as const;

/** Each operation's standard time: the ideal cycle and a tenth more. */
const routingOf = (product: string) => ({
  operations: WORK_CENTERS.map((wc, k) => ({
    operationId: `0${k + 1}0`,
    code: wc.code,
    names: OPERATION_NAMES[wc.code],
    workCenter: wc.workCenter,
    standardMinutesPerUnit: Math.round((idealSeconds(product, wc.workCenter) / 60) * 1.1 * 1000) / 1000,
    setupMinutes: 10,
    inspectionRequired: wc.inspection,
  })),
});

/**
 * Defines the plant through the API before a run: site, line, work centers with the run's machines,
 * products, bar steel, routings, BOMs, inspection plans, reason codes and the operators. Each record
 * is defined when master data lacks it and revised otherwise; the same content again writes nothing,
 * so a second demo in the same data folder neither fails nor duplicates.
 */
export const seedMasterData = async (
  clients: Pick<PlantClients, 'planner' | 'quality' | 'maintenance' | 'sysadmin' | 'secadmin'>,
  must: Must,
  machines: ReadonlyArray<{ machineId: string; workCenter: string }>,
): Promise<void> => {
  // each table by the role that keeps it; the planner reads them all
  const keeper = (path: string): ApiClient =>
    /\/(sites|lines|work-centers)$/.test(path)
      ? clients.sysadmin
      : path.endsWith('/employees')
        ? clients.secadmin
        : path.endsWith('/inspection-plans') || /reason-codes\/(scrap|nonconformance)$/.test(path)
          ? clients.quality
          : path.endsWith('/reason-codes/downtime')
            ? clients.maintenance
            : clients.planner;
  const api = clients.planner;
  const known = async (path: string, code: string): Promise<boolean> => {
    const page = (await api.get(`${path}?q=${encodeURIComponent(code)}&limit=1000`)).body as {
      items?: Array<{ code: string; source?: string }>;
    };
    return (page.items ?? []).some((item) => item.code === code && item.source !== 'builtin');
  };
  const put = async (path: string, record: { code: string; [field: string]: unknown }): Promise<void> => {
    const { code, ...content } = record;
    if (await known(path.replace(/\/(downtime|scrap|nonconformance)$/, ''), code))
      await must(`revise ${path}/${code}`, keeper(path).put(`${path}/${code}`, content));
    else await must(`define ${path}/${code}`, keeper(path).post(path, record));
  };

  await put('/api/master/sites', SITE);
  await put('/api/master/lines', LINE);
  for (const wc of WORK_CENTERS)
    await put('/api/master/work-centers', {
      code: wc.workCenter,
      names: WORK_CENTER_NAMES[wc.workCenter],
      site: SITE.code,
      line: LINE.code,
      machines: machines.filter((m) => m.workCenter === wc.workCenter).map((m) => m.machineId),
    });
  await put('/api/master/materials', {
    code: 'BAR-STEEL',
    names: { 'zh-CN': '45号圆钢', en: 'C45 bar steel' },
    unit: 'kg',
  });
  for (const product of PRODUCTS) {
    await put('/api/master/products', {
      code: product,
      names: PRODUCT_NAMES[product],
      unit: 'pcs',
      family: 'MOTOR-PARTS',
    });
    await put('/api/master/routings', { code: product, ...routingOf(product) });
    await put('/api/master/boms', {
      code: product,
      lines: [{ operationId: '010', material: 'BAR-STEEL', quantityPerUnit: 0.8, unit: 'kg', scrapAllowance: 0.02 }],
    });
    await put('/api/master/inspection-plans', {
      code: product,
      operations: [
        {
          operationId: '020',
          sampleSize: 1,
          characteristics: [{ name: 'visual', kind: 'attribute', names: { 'zh-CN': '外观', en: 'Visual' } }],
        },
      ],
    });
  }
  for (const [kind, codes] of Object.entries(REASONS))
    for (const reason of codes) await put(`/api/master/reason-codes/${kind}`, reason);
  for (const [i, m] of machines.entries())
    await put('/api/master/employees', {
      // the same operators the demo registered as people, with the same badges (src/main/demoPlant.ts)
      code: `op-${String(i + 1).padStart(2, '0')}`,
      names: { 'zh-CN': OPERATOR_NAMES[i % OPERATOR_NAMES.length], en: `Operator ${i + 1}` },
      badgeId: `B-${String(i + 1).padStart(2, '0')}`,
      workCenters: [m.workCenter],
      skills: [m.workCenter === 'WC-TURN' ? 'turning' : 'milling'],
    });
};
