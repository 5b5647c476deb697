import { expect } from 'chai';
import { initialScripts, measureRoutes, type Manifest } from '../../scripts/webBudget';

const HTML = `<script type="module" src="/assets/index-a.js"></script>
<link rel="modulepreload" href="/assets/vendor-b.js"><link rel="stylesheet" href="/assets/index-c.css">
<script id="register" src="/registerSW.js" defer></script>`;

const MANIFEST: Manifest = {
  'index.html': { file: 'assets/index-a.js', imports: ['_vendor.js'] },
  '_vendor.js': { file: 'assets/vendor-b.js' },
  '_field.js': { file: 'assets/field-d.js', imports: ['_vendor.js'] },
  '_camera.js': { file: 'assets/camera-e.js' },
  'src/pda/LoginPage.vue': { file: 'assets/LoginPage-f.js', imports: ['_field.js', '_vendor.js'] },
  'src/pda/OperationPage.vue': { file: 'assets/OperationPage-g.js', imports: ['_field.js'] },
  'src/labels/LabelsPage.vue': { file: 'assets/LabelsPage-h.js' },
};
const SIZES: Record<string, number> = {
  'assets/index-a.js': 90_000,
  'assets/vendor-b.js': 10_000,
  'registerSW.js': 100,
  'assets/field-d.js': 4_000,
  'assets/LoginPage-f.js': 3_000,
  'assets/OperationPage-g.js': 8_000,
};

describe('web budget (scripts/webBudget.ts)', () => {
  it('reads the scripts index.html loads and preloads, not its styles', () => {
    expect(initialScripts(HTML)).to.deep.equal(['assets/index-a.js', 'registerSW.js', 'assets/vendor-b.js']);
  });

  it('counts for each PDA route what index.html loads plus the route’s chunk and its static imports, once each', () => {
    const routes = measureRoutes(MANIFEST, HTML, (file) => SIZES[file] ?? 0);
    expect(routes.map((r) => [r.route, r.gzipBytes])).to.deep.equal([
      ['index.html', 100_100],
      ['src/pda/LoginPage.vue', 107_100],
      ['src/pda/OperationPage.vue', 112_100],
    ]);
    // a chunk loaded on demand (the camera) and a screen outside the PDA (labels) are not counted
    expect(routes.flatMap((r) => r.files)).to.not.include.members(['assets/camera-e.js', 'assets/LabelsPage-h.js']);
  });
});
