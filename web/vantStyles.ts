import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Plugin } from 'vite';

const IMPORT = /import\s*\{([^}]+)\}\s*from\s*["']vant["'];?/g;
const vantEs = join(dirname(createRequire(import.meta.url).resolve('vant/package.json')), 'es');

/** `ActionSheet` → `action-sheet`; the function APIs name their component: `showConfirmDialog` → `dialog`. */
export const componentFolder = (name: string): string =>
  name
    .replace(/^show(Confirm)?(?=[A-Z])/, '')
    .replace(/^(Success|Fail|Loading)(?=Toast)/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();

/**
 * Adds each Vant component's own styles where the component is imported (`import { Button } from
 * 'vant'`), so a screen's CSS travels with its chunk instead of every style in the first load.
 */
export const vantStyles = (): Plugin => ({
  name: 'mes-vant-styles',
  enforce: 'post',
  transform(code, id) {
    if (id.includes('node_modules') || !code.includes('vant')) return null;
    const folders = new Set<string>();
    for (const match of code.matchAll(IMPORT))
      for (const part of (match[1] as string).split(',')) {
        const name = part.trim().split(/\s+as\s+/)[0] ?? '';
        const folder = componentFolder(name);
        if (name && existsSync(join(vantEs, folder, 'style', 'index.mjs'))) folders.add(folder);
      }
    if (folders.size === 0) return null;
    const styles = [...folders].map((f) => `import 'vant/es/${f}/style/index';`).join('\n');
    return { code: `${styles}\n${code}`, map: null };
  },
});

// Vant's icon font: inlined in its style sheet as base64 WOFF2, with a copy on Alibaba's CDN as the fallback
const ICON_CSS = /[\\/]vant[\\/]es[\\/]icon[\\/]index\.css$/;
const ICON_FONT =
  /url\(data:font\/woff2;charset=utf-8;base64,([A-Za-z0-9+/=]+)\)\s*format\("woff2"\)\s*,\s*url\([^)]*alicdn\.com[^)]*\)\s*format\("woff"\)/;

/**
 * Serves Vant's icon font from the app itself: the CDN copy is gone (the plants have no internet, and the
 * CSP allows fonts from the app's origin only), and the font is a file of its own in the build, fetched
 * when an icon is first drawn (and kept by the service worker), not 50 KB of base64 in a style sheet every
 * screen that shows a Vant component parses first.
 */
export const vantIconFont = (): Plugin => {
  let base = '/';
  let build = false;
  return {
    name: 'mes-vant-icon-font',
    enforce: 'pre',
    configResolved(config) {
      base = config.base;
      build = config.command === 'build';
    },
    transform(code, id) {
      if (!ICON_CSS.test(id)) return null;
      const match = ICON_FONT.exec(code);
      if (!match) this.error(`${id}: Vant's icon font is no longer where web/vantStyles.ts looks for it`);
      // the dev server keeps the inlined font, without the CDN
      if (!build)
        return { code: code.replace(ICON_FONT, `url(data:font/woff2;base64,${match[1]}) format("woff2")`), map: null };
      const font = Buffer.from(match[1] as string, 'base64');
      const fileName = `assets/vant-icon-${createHash('sha256').update(font).digest('hex').slice(0, 8)}.woff2`;
      this.emitFile({ type: 'asset', fileName, source: font });
      return { code: code.replace(ICON_FONT, `url(${base}${fileName}) format("woff2")`), map: null };
    },
  };
};
