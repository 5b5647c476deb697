import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { checkBudget } from '../scripts/webBudget';
import { i18nPrecompile } from './i18nPrecompile';
import { vantIconFont, vantStyles } from './vantStyles';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/web', import.meta.url));
// the backbone's own paths: never answered from the app shell, never cached
const SERVER_PATHS = /^\/(api|health|ready|metrics|openapi\.json|asyncapi\.json|docs)(\/|$)/;

/** Prints each PDA route's initial JavaScript, gzipped, and fails the build past the budget. */
const budget = (): Plugin => ({
  name: 'mes-budget',
  apply: 'build',
  closeBundle() {
    const { report, over } = checkBudget(outDir);
    this.info(`\n${report}`);
    if (over.length > 0) this.error(`initial JavaScript over budget: ${over.map((r) => r.route).join(', ')}`);
  },
});

/** Writes a gzipped copy beside each script and style sheet: the backbone sends it to browsers that take gzip. */
const precompress = (): Plugin => ({
  name: 'mes-precompress',
  apply: 'build',
  closeBundle() {
    const assets = join(outDir, 'assets');
    for (const file of readdirSync(assets).filter((f) => /\.(js|css)$/.test(f)))
      writeFileSync(join(assets, `${file}.gz`), gzipSync(readFileSync(join(assets, file)), { level: 9 }));
  },
});

export default defineConfig({
  root,
  base: '/',
  // compile-time flags: no Options API, no legacy i18n API, no global i18n components, no devtools hooks in production
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
    // every message is a function compiled at build time (web/i18nPrecompile.ts): no message compiler in the app
    __INTLIFY_DROP_MESSAGE_COMPILER__: 'true',
  },
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    chunkSizeWarningLimit: 600,
    // ECharts in one chunk of its own name: loaded by the office's first chart, never by the PDA, never precached
    rollupOptions: {
      output: {
        manualChunks: (id) => (/\/node_modules\/(echarts|zrender)\//.test(id) ? 'echarts' : undefined),
      },
    },
  },
  server: {
    proxy: Object.fromEntries(
      ['/api', '/health', '/ready', '/openapi.json'].map((path) => [path, 'http://127.0.0.1:3000']),
    ),
  },
  plugins: [
    vue(),
    vantStyles(),
    vantIconFont(),
    i18nPrecompile(),
    VitePWA({
      registerType: 'autoUpdate',
      // registered by main.ts once the first screen is up, not at the page's load event
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'MES 车间终端',
        short_name: 'MES PDA',
        description: '工单、工序打卡、物料扫码',
        lang: 'zh-CN',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#ffffff',
        theme_color: '#0b3d91',
        icons: [{ src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        // the app shell only: API answers are never cached (the offline queue keeps what the operator did)
        globPatterns: ['**/*.{js,css,html,svg,woff2}'],
        globIgnores: ['**/echarts-*.js'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [SERVER_PATHS],
        runtimeCaching: [],
      },
    }),
    budget(),
    precompress(),
  ],
});
