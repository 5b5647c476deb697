import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PeopleService } from '../app/people/peopleService';
import type { SecurityDirectory } from '../app/security/directory';
import type { CommandMeta } from '../domain/messages';
import type { Logger } from '../lib/logger';

export const INITIAL_CREDENTIALS = 'initial-credentials.txt';

const FIRST = [
  { personId: 'sysadmin', displayName: 'System administrator', roles: ['sysadmin' as const] },
  { personId: 'secadmin', displayName: 'Security administrator', roles: ['secadmin' as const] },
];

/**
 * With nobody registered, the first start makes a system administrator and a security administrator
 * and writes their one-time passwords to `$DATA_DIR/initial-credentials.txt` (0600). The log names
 * the file, never a secret. Both change the password and enrol a second factor at their first login.
 */
export const firstStart = async (deps: {
  people: PeopleService;
  directory: SecurityDirectory;
  dataDir: string;
  logger: Logger;
  meta: CommandMeta;
  correlationId: string;
}): Promise<void> => {
  await deps.directory.refresh();
  if (deps.directory.people().length > 0) return;
  const lines: string[] = [];
  for (const person of FIRST) {
    const made = await deps.people.register(
      { ...person, workCenters: [] },
      deps.meta,
      deps.correlationId,
      `first-start:${person.personId}`,
    );
    lines.push(`${person.personId}\t${made.oneTimePassword}`);
  }
  const file = join(deps.dataDir, INITIAL_CREDENTIALS);
  writeFileSync(
    file,
    [
      '# One-time passwords of the first administrators (login<TAB>password).',
      '# Each must be changed at the first login (POST /api/session, then POST /api/me/password),',
      '# and a second factor enrolled (POST /api/me/second-factor). Delete this file afterwards.',
      ...lines,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  chmodSync(file, 0o600);
  deps.logger.warn(
    'first start: a system administrator and a security administrator were made; their one-time passwords are in the file',
    {
      file,
      logins: FIRST.map((p) => p.personId),
    },
  );
};
