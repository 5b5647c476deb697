// Writes the README's route × role table from the route table (npm run readme:routes): the rows between
// the two markers are replaced; the README test checks every route's row and roles.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { allRoutes } from '../src/api/app';

const START = '<!-- routes:start (npm run readme:routes) -->';
const END = '<!-- routes:end -->';

export const routeMatrix = (): string => {
  const rows = allRoutes({} as never).map((r) => [
    `\`${r.method.toUpperCase()} ${r.path}\``,
    r.summary.replaceAll('|', '\\|'),
    r.public ? 'anyone (login)' : r.roles.join(', '),
  ]);
  return [['route', 'what', 'roles'], ['---', '---', '---'], ...rows].map((c) => `| ${c.join(' | ')} |`).join('\n');
};

if (require.main === module) {
  const file = resolve(__dirname, '../README.md');
  const readme = readFileSync(file, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  writeFileSync(file, `${readme.slice(0, start + START.length)}\n\n${routeMatrix()}\n\n${readme.slice(end)}`);
}
