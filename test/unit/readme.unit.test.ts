import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { domainEventTypes } from '../../src/domain/aggregates';

describe('README', () => {
  const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
  it('lists every domain event type in its event catalogue', () => {
    const catalogue = readme.slice(readme.indexOf('## Event catalogue'), readme.indexOf('## Tests'));
    expect(domainEventTypes.filter((type) => !catalogue.includes(`\`${type}\``))).to.deep.equal([]);
  });
  it('describes every configuration variable the process reads', () => {
    const schema = JSON.parse(readFileSync(resolve(__dirname, '../../schemas/config/environment.json'), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## HTTP API'));
    expect(Object.keys(schema.properties).filter((name) => !table.includes(`| \`${name}\``))).to.deep.equal([]);
  });
  it('starts with the two commands: run the main job, run the tests', () => {
    const firstBlock = readme.slice(readme.indexOf('```'), readme.indexOf('```', readme.indexOf('```') + 3));
    expect(firstBlock).to.include('npm start').and.to.include('npm test');
  });
});

describe('README role matrix', () => {
  it('names every route of the API with exactly the roles it allows', async () => {
    const { allRoutes } = await import('../../src/api/app');
    const rows = readFileSync(resolve(__dirname, '../../README.md'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|').map((cell) => cell.trim()));
    for (const route of allRoutes({} as never)) {
      const row = rows.find((cells) => cells[1] === `\`${route.method.toUpperCase()} ${route.path}\``);
      expect(row, `${route.method} ${route.path}`).to.not.equal(undefined);
      expect(row?.[3], `${route.method} ${route.path} roles`).to.equal(
        route.public ? 'anyone (login)' : route.roles.join(', '),
      );
    }
  });
});
