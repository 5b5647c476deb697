import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sinceLast } from '../../src/adapters/devices/totals';
import { loadSchemaRegistry } from '../../src/app/schemaRegistry';
import { loadConfig } from '../../src/main/config';
import { rejection } from '../support/assert';
import { makeTempDir } from '../support/tmp';

describe('OPCUA_FILE and OPC UA totals', () => {
  const schemas = loadSchemaRegistry();
  const temp = makeTempDir('mes-opcua-config-');
  after(() => temp.remove());
  const machine = {
    machineId: 'M1',
    site: 'plant1',
    endpointUrl: 'opc.tcp://press1:4840/press',
    securityMode: 'SignAndEncrypt',
    securityPolicy: 'Basic256Sha256',
    user: { userName: 'mes', passwordFile: 'secrets/press1.password' },
    nodes: { partCounter: 'ns=2;s=Press1.PartCounter', state: { nodeId: 'ns=2;s=S', map: { '1': 'running' } } },
  };
  const write = (name: string, content: unknown): string => {
    const path = join(temp.dir, name);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };
  const refusal = async (file: string): Promise<{ message: string; problems: { path: string }[] }> =>
    (await rejection(Promise.resolve().then(() => loadConfig({ OPCUA_FILE: file }, schemas)))) as {
      message: string;
      problems: { path: string }[];
    };

  before(() => {
    mkdirSync(join(temp.dir, 'secrets'));
    writeFileSync(join(temp.dir, 'secrets', 'press1.password'), 'secret\n');
  });

  it('reads the machines, their files relative to the OPC UA file; none without it', () => {
    expect(loadConfig({}, schemas).opcua).to.deep.equal([]);
    const [read] = loadConfig({ OPCUA_FILE: write('opcua.json', { machines: [machine] }) }, schemas).opcua;
    expect(read?.user).to.deep.equal({ userName: 'mes', passwordFile: join(temp.dir, 'secrets', 'press1.password') });
    expect(read?.nodes.partCounter).to.equal('ns=2;s=Press1.PartCounter');
  });

  it('refuses, naming OPCUA_FILE: a bad field, a state outside the machine states, a missing password file, a machine twice, mismatched security', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ machines: [{ ...machine, endpointUrl: 'http://press1' }] }, /endpointUrl/],
      [{ machines: [{ ...machine, nodes: { state: { nodeId: 'ns=2;s=S', map: { '1': 'dancing' } } } }] }, /map/],
      [{ machines: [{ ...machine, user: { userName: 'mes', passwordFile: 'nope' } }] }, /cannot be read/],
      [{ machines: [machine, machine] }, /listed twice/],
      [{ machines: [{ ...machine, securityPolicy: 'None' }] }, /securityMode and securityPolicy/],
    ];
    for (const [index, [content, reason]] of cases.entries()) {
      const error = await refusal(write(`bad-${index}.json`, content));
      expect(error.problems.map((p) => p.path).join(' '), String(reason)).to.match(/^\/env\/OPCUA_FILE/);
      expect(`${error.message} ${JSON.stringify(error.problems)}`, String(reason)).to.match(reason);
    }
  });

  it('counts a total as the difference from the last, and after a reset (the total went down) as the new total', () => {
    expect(sinceLast(100, 130)).to.equal(30);
    expect(sinceLast(130, 130)).to.equal(0);
    expect(sinceLast(130, 12)).to.equal(12);
    expect(sinceLast(130, 0)).to.equal(0);
  });
});
