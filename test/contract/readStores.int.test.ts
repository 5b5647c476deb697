import { join } from 'node:path';
import { createMongoReadStore } from '../../src/adapters/readstore/mongoReadStore';
import { createSqliteReadStore } from '../../src/adapters/readstore/sqliteReadStore';
import { makeTempDir } from '../support/tmp';
import { readStoreContract } from './readStoreContract';

const temp = makeTempDir('mes-readstore-');
after(() => temp.remove());
readStoreContract('SQLite (embedded)', () => Promise.resolve(createSqliteReadStore(join(temp.dir, 'read.db'))));

const mongoUrl = process.env['MONGO_URL'];
if (!mongoUrl)
  console.log(
    '  [skip] MongoDB read store contract suite: set MONGO_URL (e.g. mongodb://localhost:27017/mes-test) to run it',
  );
readStoreContract('MongoDB', () => (mongoUrl ? createMongoReadStore(mongoUrl) : undefined));
