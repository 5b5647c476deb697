// npm run build:web runs this through Vite's build (web/vite.config.ts); run alone, it checks dist/web as built.
import { resolve } from 'node:path';
import { checkBudget } from './webBudget';

const dir = resolve(process.argv[2] ?? resolve(__dirname, '../dist/web'));
const { report, over } = checkBudget(dir);
process.stdout.write(`${report}\n`);
if (over.length > 0) {
  process.stderr.write(`over budget: ${over.map((r) => r.route).join(', ')}\n`);
  process.exit(1);
}
