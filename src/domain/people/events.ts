import type * as Schema from '../generated';
import type { Event } from '../messages';
import type { Credential } from './credentials';
import type { Role } from './roles';

/** Who a person is in the plant: the login is the id of the stream `person-<login>`. */
export type PersonProfile = {
  personId: string;
  displayName: string;
  roles: Role[];
  workCenters: string[];
  employeeNumber?: string;
  badgeId?: string;
};

export type PersonRegistered = Event<'PersonRegistered', Schema.PersonRegisteredV1>;
export type PersonProfileChanged = Event<'PersonProfileChanged', Schema.PersonProfileChangedV1>;
export type PersonRolesChanged = Event<'PersonRolesChanged', { personId: string; roles: Role[]; previous: Role[] }>;
/** A first or reset password must be changed at the next login (`mustChange`). */
export type PasswordSet = Event<
  'PasswordSet',
  { personId: string; reason: 'initial' | 'reset' | 'changed'; mustChange: boolean; credential: Credential }
>;
export type PinSet = Event<'PinSet', { personId: string; reason: 'issued' | 'changed'; credential: Credential }>;
/** TOTP (RFC 6238): the secret sealed by the server, the recovery codes as keyed hashes. */
export type SecondFactorEnrolled = Event<
  'SecondFactorEnrolled',
  { personId: string; method: 'totp'; sealedSecret: string; recoveryCodes: string[] }
>;
export type RecoveryCodeUsed = Event<'RecoveryCodeUsed', { personId: string; index: number }>;
export type SecondFactorReset = Event<'SecondFactorReset', { personId: string; reason: string }>;
export type PersonDisabled = Event<'PersonDisabled', { personId: string; reason: string }>;
export type PersonEnabled = Event<'PersonEnabled', Schema.PersonEnabledV1>;

export type PersonEvent =
  | PersonRegistered
  | PersonProfileChanged
  | PersonRolesChanged
  | PasswordSet
  | PinSet
  | SecondFactorEnrolled
  | RecoveryCodeUsed
  | SecondFactorReset
  | PersonDisabled
  | PersonEnabled;

export const personEventTypes = [
  'PersonRegistered',
  'PersonProfileChanged',
  'PersonRolesChanged',
  'PasswordSet',
  'PinSet',
  'SecondFactorEnrolled',
  'RecoveryCodeUsed',
  'SecondFactorReset',
  'PersonDisabled',
  'PersonEnabled',
] as const satisfies readonly PersonEvent['type'][];

export type SecondFactor = { sealedSecret: string; recoveryCodes: string[]; used: number[] };

export type Person = {
  profile: PersonProfile;
  password: { credential: Credential; mustChange: boolean };
  pin?: Credential;
  secondFactor?: SecondFactor;
};

export type PersonState = { status: 'Initial' } | ({ status: 'Active' | 'Disabled' } & Person);

export const evolvePerson = (state: PersonState, event: PersonEvent): PersonState => {
  if (event.type === 'PersonRegistered') {
    if (state.status !== 'Initial') return state;
    // the first password follows in the same decision; until then the account cannot log in
    const none: Credential = { algorithm: 'scrypt', N: 0, r: 0, p: 0, keyLength: 0, sealed: '' };
    return { status: 'Active', profile: event.data, password: { credential: none, mustChange: true } };
  }
  if (state.status === 'Initial') return state;
  switch (event.type) {
    case 'PersonProfileChanged':
      return { ...state, profile: { ...event.data, roles: state.profile.roles } };
    case 'PersonRolesChanged':
      return { ...state, profile: { ...state.profile, roles: event.data.roles } };
    case 'PasswordSet':
      return { ...state, password: { credential: event.data.credential, mustChange: event.data.mustChange } };
    case 'PinSet':
      return { ...state, pin: event.data.credential };
    case 'SecondFactorEnrolled':
      return {
        ...state,
        secondFactor: { sealedSecret: event.data.sealedSecret, recoveryCodes: event.data.recoveryCodes, used: [] },
      };
    case 'RecoveryCodeUsed':
      return state.secondFactor
        ? { ...state, secondFactor: { ...state.secondFactor, used: [...state.secondFactor.used, event.data.index] } }
        : state;
    case 'SecondFactorReset': {
      const { secondFactor: _gone, ...rest } = state;
      return rest;
    }
    case 'PersonDisabled':
      return { ...state, status: 'Disabled' };
    case 'PersonEnabled':
      return { ...state, status: 'Active' };
  }
};
