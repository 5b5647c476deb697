import { runInNewContext } from 'node:vm';
import { baseCompile } from '@intlify/message-compiler';
import type { Plugin } from 'vite';

// the PDA's messages, and the office's: its shell's and each area's (web/src/office/<area>/zh-CN.ts)
const MESSAGES = /\/src\/(i18n|office(\/\w+)?)\/(zh-CN|en)\.ts$/;
const EXPORT = /export\s+const\s+(\w+)\s*=/;

type Tree = { [key: string]: string | Tree };

const compileTree = (tree: Tree, where: string): string =>
  `{${Object.entries(tree)
    .map(([key, value]) => {
      const path = `${where}.${key}`;
      if (typeof value !== 'string') return `${JSON.stringify(key)}:${compileTree(value, path)}`;
      const { code } = baseCompile(value, {
        mode: 'arrow',
        onError: (error) => {
          throw new Error(`message ${path}: ${error.message}`);
        },
      });
      return `${JSON.stringify(key)}:${code}`;
    })
    .join(',')}}`;

/**
 * Compiles web/src/i18n/*.ts's messages into functions at build time: vue-i18n then compiles nothing
 * while an operator waits (each message would be compiled on its first use otherwise).
 */
export const i18nPrecompile = (): Plugin => ({
  name: 'mes-i18n-precompile',
  enforce: 'post',
  transform(code, id) {
    if (!MESSAGES.test(id)) return null;
    const name = EXPORT.exec(code)?.[1];
    if (!name) this.error(`${id}: expected export const <name> = { ... }`);
    // the module is a literal of strings once its types are gone: evaluate it, then compile each string
    const sandbox: { messages?: Tree } = {};
    runInNewContext(code.replace(EXPORT, 'messages ='), sandbox);
    const tree = sandbox.messages as Tree;
    return { code: `export const ${name} = ${compileTree(tree, name)};\n`, map: null };
  },
});
