import { IllegalStateError, NotFoundError, ValidationError } from '../errors';
import { unreachable, type Command, type Decider } from '../messages';
import type { Credential } from './credentials';
import {
  evolvePerson,
  personEventTypes,
  type Person,
  type PersonEvent,
  type PersonProfile,
  type PersonState,
} from './events';
import { dutyConflicts, isRole, type Role } from './roles';

export type RegisterPerson = Command<'RegisterPerson', PersonProfile & { credential: Credential }>;
export type ChangeProfile = Command<'ChangeProfile', Omit<PersonProfile, 'roles'>>;
export type ChangeRoles = Command<'ChangeRoles', { personId: string; roles: Role[] }>;
/** `reset` by a security administrator (to be changed at the next login); `changed` by the person. */
export type SetPassword = Command<
  'SetPassword',
  { personId: string; reason: 'reset' | 'changed'; credential: Credential }
>;
export type SetPin = Command<'SetPin', { personId: string; reason: 'issued' | 'changed'; credential: Credential }>;
export type EnrolSecondFactor = Command<
  'EnrolSecondFactor',
  { personId: string; sealedSecret: string; recoveryCodes: string[] }
>;
export type UseRecoveryCode = Command<'UseRecoveryCode', { personId: string; index: number }>;
export type ResetSecondFactor = Command<'ResetSecondFactor', { personId: string; reason: string }>;
export type DisablePerson = Command<'DisablePerson', { personId: string; reason: string }>;
export type EnablePerson = Command<'EnablePerson', { personId: string }>;

export type PersonCommand =
  | RegisterPerson
  | ChangeProfile
  | ChangeRoles
  | SetPassword
  | SetPin
  | EnrolSecondFactor
  | UseRecoveryCode
  | ResetSecondFactor
  | DisablePerson
  | EnablePerson;

const checkRoles = (roles: readonly string[]): Role[] => {
  const unknown = roles.filter((role) => !isRole(role));
  if (roles.length === 0 || unknown.length > 0)
    throw new ValidationError('roles must be one or more known roles', [
      { path: '/roles', message: unknown.length > 0 ? `${unknown.join(', ')} is not a role` : 'must not be empty' },
    ]);
  const conflicts = dutyConflicts(roles);
  if (conflicts.length > 0)
    throw new IllegalStateError(`one person may not hold ${conflicts.join(', ')}`, 'duties-not-separated');
  return [...new Set(roles)] as Role[];
};

const existing = (state: PersonState, personId: string): Person & { status: 'Active' | 'Disabled' } => {
  if (state.status === 'Initial') throw new NotFoundError(`person ${personId} is not registered`);
  return state;
};

const notSelf = (actor: string, personId: string, what: string): void => {
  if (actor === personId) throw new IllegalStateError(`nobody may ${what} themselves`, 'not-on-oneself');
};

/** Decides a person's account: roles kept apart, a reset password to be changed, one second factor. */
export const decidePerson = (command: PersonCommand, state: PersonState): PersonEvent[] => {
  const { personId } = command.data;
  switch (command.type) {
    case 'RegisterPerson': {
      if (state.status !== 'Initial')
        throw new IllegalStateError(`person ${personId} is already registered`, 'person-exists');
      const { credential, ...profile } = command.data;
      return [
        { type: 'PersonRegistered', data: { ...profile, roles: checkRoles(profile.roles) } },
        { type: 'PasswordSet', data: { personId, reason: 'initial', mustChange: true, credential } },
      ];
    }
    case 'ChangeProfile':
      existing(state, personId);
      return [{ type: 'PersonProfileChanged', data: command.data }];
    case 'ChangeRoles': {
      const person = existing(state, personId);
      notSelf(command.meta.actor, personId, 'change the roles of');
      const roles = checkRoles(command.data.roles);
      if ([...roles].sort().join() === [...person.profile.roles].sort().join()) return [];
      return [{ type: 'PersonRolesChanged', data: { personId, roles, previous: person.profile.roles } }];
    }
    case 'SetPassword': {
      const person = existing(state, personId);
      if (command.data.reason === 'changed' && person.status === 'Disabled')
        throw new IllegalStateError(`person ${personId} is disabled`, 'person-disabled');
      return [
        {
          type: 'PasswordSet',
          data: {
            personId,
            reason: command.data.reason,
            mustChange: command.data.reason === 'reset',
            credential: command.data.credential,
          },
        },
      ];
    }
    case 'SetPin':
      existing(state, personId);
      return [{ type: 'PinSet', data: command.data }];
    case 'EnrolSecondFactor': {
      const person = existing(state, personId);
      if (person.secondFactor)
        throw new IllegalStateError(`person ${personId} has a second factor already`, 'second-factor-enrolled');
      return [{ type: 'SecondFactorEnrolled', data: { ...command.data, method: 'totp' } }];
    }
    case 'UseRecoveryCode': {
      const person = existing(state, personId);
      const codes = person.secondFactor;
      if (!codes || command.data.index >= codes.recoveryCodes.length || codes.used.includes(command.data.index))
        throw new IllegalStateError('that recovery code is not valid', 'recovery-code-used');
      return [{ type: 'RecoveryCodeUsed', data: command.data }];
    }
    case 'ResetSecondFactor': {
      const person = existing(state, personId);
      notSelf(command.meta.actor, personId, 'reset the second factor of');
      if (!person.secondFactor) return [];
      return [{ type: 'SecondFactorReset', data: command.data }];
    }
    case 'DisablePerson': {
      const person = existing(state, personId);
      notSelf(command.meta.actor, personId, 'disable');
      return person.status === 'Disabled' ? [] : [{ type: 'PersonDisabled', data: command.data }];
    }
    case 'EnablePerson': {
      const person = existing(state, personId);
      return person.status === 'Active' ? [] : [{ type: 'PersonEnabled', data: command.data }];
    }
    default:
      return unreachable(command);
  }
};

export const personDecider: Decider<PersonCommand, PersonEvent, PersonState> = {
  category: 'person',
  initialState: { status: 'Initial' },
  decide: decidePerson,
  evolve: evolvePerson,
  eventTypes: personEventTypes,
};
