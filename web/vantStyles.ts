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
