import { randomInt } from 'node:crypto';
import { IllegalStateError, NotFoundError, ValidationError } from '../../domain/errors';
import type { CommandMeta } from '../../domain/messages';
import { passwordProblems, pinProblems, type PersonCommand, type PersonProfile, type Role } from '../../domain/people';
import type { CommandHandler, CommandResult } from '../commandHandler';
import type { KnownPerson, SecurityDirectory } from '../security/directory';
import type { Secrets } from '../security/secrets';
import type { Sessions } from '../security/sessions';

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-.!';

export type PersonView = Omit<PersonProfile, never> & {
  status: 'active' | 'disabled';
  mustChangePassword: boolean;
  hasPin: boolean;
  secondFactor: boolean;
};

export const viewOf = (person: KnownPerson): PersonView => ({
  ...person.profile,
  status: person.status === 'Active' ? 'active' : 'disabled',
  mustChangePassword: person.password.mustChange,
  hasPin: !!person.pin,
  secondFactor: !!person.secondFactor,
});

/** A one-time password that meets the rule, for a first login or after a reset. */
export const oneTimePassword = (login: string, minLength: number): string => {
  for (;;) {
    const chars = Array.from({ length: Math.max(16, minLength) }, () => ALPHABET[randomInt(ALPHABET.length)]);
    const password = chars.join('');
    if (passwordProblems(password, login, minLength).length === 0) return password;
  }
};

const oneTimePin = (): string => {
  for (;;) {
    const pin = String(randomInt(1_000_000)).padStart(6, '0');
    if (pinProblems(pin).length === 0) return pin;
  }
};

/** What a security administrator does to accounts; secrets made here are in the answer once and kept only hashed. */
export const createPeopleService = (deps: {
  commands: CommandHandler;
  directory: SecurityDirectory;
  secrets: Secrets;
  sessions: Sessions;
  passwordMinLength: number;
}) => {
  const { commands, directory, secrets } = deps;
  let sequence = 0;
  const run = (
    personId: string,
    command: PersonCommand,
    correlationId: string,
    commandId?: string,
  ): Promise<CommandResult> =>
    commands.handle('person', personId, command, {
      commandId: commandId ?? `person:${personId}:${command.type}:${correlationId}:${(sequence += 1)}`,
      correlationId,
      source: 'api',
    });
  const found = async (personId: string): Promise<KnownPerson> => {
    const { state } = await commands.load('person', personId);
    if (state.status === 'Initial') throw new NotFoundError(`person ${personId} is not registered`);
    return state;
  };
  const get = async (personId: string): Promise<PersonView> => viewOf(await found(personId));
  const badgeFree = async (badgeId: string | undefined, personId: string): Promise<void> => {
    if (!badgeId) return;
    await directory.refresh();
    const holder = directory.byBadge(badgeId);
    if (holder && holder !== personId)
      throw new IllegalStateError(`badge ${badgeId} belongs to ${holder}`, 'badge-taken');
  };
  return {
    async list(): Promise<PersonView[]> {
      await directory.refresh();
      return directory.people().map(viewOf);
    },
    get,
    /** Registers a person with a one-time password, to be changed at the first login. */
    async register(profile: PersonProfile, meta: CommandMeta, correlationId: string, commandId?: string) {
      await directory.refresh();
      if (directory.keyByName(profile.personId))
        throw new IllegalStateError(`${profile.personId} is the name of an API key`, 'person-exists');
      await badgeFree(profile.badgeId, profile.personId);
      const password = oneTimePassword(profile.personId, deps.passwordMinLength);
      const credential = await secrets.hash(password);
      await run(
        profile.personId,
        { type: 'RegisterPerson', data: { ...profile, credential }, meta },
        correlationId,
        commandId,
      );
      return { person: await get(profile.personId), oneTimePassword: password };
    },
    async changeProfile(profile: Omit<PersonProfile, 'roles'>, meta: CommandMeta, correlationId: string) {
      await found(profile.personId);
      await badgeFree(profile.badgeId, profile.personId);
      await run(profile.personId, { type: 'ChangeProfile', data: profile, meta }, correlationId);
      return get(profile.personId);
    },
    async changeRoles(personId: string, roles: Role[], meta: CommandMeta, correlationId: string) {
      await run(personId, { type: 'ChangeRoles', data: { personId, roles }, meta }, correlationId);
      return get(personId);
    },
    /** A new one-time password; the person's sessions end and the next login must change it. */
    async resetPassword(personId: string, meta: CommandMeta, correlationId: string) {
      await found(personId);
      const password = oneTimePassword(personId, deps.passwordMinLength);
      await run(
        personId,
        { type: 'SetPassword', data: { personId, reason: 'reset', credential: await secrets.hash(password) }, meta },
        correlationId,
      );
      await deps.sessions.endAll({ personId }, 'revoked', meta.actor, correlationId);
      return { personId, oneTimePassword: password };
    },
    /** A new badge PIN, shown once to be handed to the operator. */
    async issuePin(personId: string, meta: CommandMeta, correlationId: string) {
      await found(personId);
      const pin = oneTimePin();
      await run(
        personId,
        { type: 'SetPin', data: { personId, reason: 'issued', credential: await secrets.hash(pin) }, meta },
        correlationId,
      );
      return { personId, pin };
    },
    async changeOwnPin(personId: string, pin: string, meta: CommandMeta, correlationId: string) {
      const problems = pinProblems(pin);
      if (problems.length > 0) throw new ValidationError('the PIN does not meet the rule', problems);
      await run(
        personId,
        { type: 'SetPin', data: { personId, reason: 'changed', credential: await secrets.hash(pin) }, meta },
        correlationId,
      );
    },
    /** The person's own change: the current password first, a new one that meets the rule and differs. */
    async changeOwnPassword(personId: string, current: string, next: string, meta: CommandMeta, correlationId: string) {
      const person = await found(personId);
      if (!(await secrets.verify(current, person.password.credential)))
        throw new ValidationError('the current password is not right', [
          { path: '/currentPassword', message: 'is not right' },
        ]);
      const problems = passwordProblems(next, personId, deps.passwordMinLength);
      if (problems.length > 0) throw new ValidationError('the new password does not meet the rule', problems);
      if (await secrets.verify(next, person.password.credential))
        throw new ValidationError('the new password must differ from the current one', [
          { path: '/newPassword', message: 'is the current password' },
        ]);
      await run(
        personId,
        { type: 'SetPassword', data: { personId, reason: 'changed', credential: await secrets.hash(next) }, meta },
        correlationId,
      );
    },
    async resetSecondFactor(personId: string, reason: string, meta: CommandMeta, correlationId: string) {
      await run(personId, { type: 'ResetSecondFactor', data: { personId, reason }, meta }, correlationId);
      return get(personId);
    },
    async disable(personId: string, reason: string, meta: CommandMeta, correlationId: string) {
      await run(personId, { type: 'DisablePerson', data: { personId, reason }, meta }, correlationId);
      await deps.sessions.endAll({ personId }, 'disabled', meta.actor, correlationId);
      return get(personId);
    },
    async enable(personId: string, meta: CommandMeta, correlationId: string) {
      await run(personId, { type: 'EnablePerson', data: { personId }, meta }, correlationId);
      return get(personId);
    },
  };
};

export type PeopleService = ReturnType<typeof createPeopleService>;
