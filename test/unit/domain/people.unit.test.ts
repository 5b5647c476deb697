import { expect } from 'chai';
import { apiKeyDecider } from '../../../src/domain/apikey';
import { IllegalStateError, NotFoundError, ValidationError } from '../../../src/domain/errors';
import {
  dutyConflicts,
  needsSecondFactor,
  passwordProblems,
  personDecider,
  pinProblems,
  type Credential,
  type PersonEvent,
  type PersonProfile,
} from '../../../src/domain/people';
import { meta, specFor } from '../../support/given';

const credential = (sealed: string): Credential => ({
  algorithm: 'scrypt',
  N: 32768,
  r: 8,
  p: 1,
  keyLength: 32,
  sealed,
});
const profile: PersonProfile = {
  personId: 'li.wei',
  displayName: 'Li Wei',
  roles: ['operator'],
  workCenters: ['WC-1'],
  badgeId: 'B-1',
};
const registered: PersonEvent[] = [
  { type: 'PersonRegistered', data: profile },
  {
    type: 'PasswordSet',
    data: { personId: 'li.wei', reason: 'initial', mustChange: true, credential: credential('a') },
  },
];
const person = specFor(personDecider);
const secadmin = meta({ actor: 'sec.admin', roles: ['secadmin'] });

describe('people: roles, passwords and PINs', () => {
  it('keeps the three administrators apart, and the security administrator from the business audit', () => {
    expect(dutyConflicts(['sysadmin', 'secadmin'])).to.deep.equal(['sysadmin+secadmin']);
    expect(dutyConflicts(['secadmin', 'auditor'])).to.deep.equal(['secadmin+auditor']);
    expect(dutyConflicts(['auditadmin', 'secadmin'])).to.deep.equal(['secadmin+auditadmin']);
    expect(dutyConflicts(['device', 'operator'])).to.deep.equal(['device+other roles']);
    expect(dutyConflicts(['planner', 'quality', 'auditor'])).to.deep.equal([]);
    expect(needsSecondFactor(['auditadmin'])).to.equal(true);
    expect(needsSecondFactor(['planner', 'operator'])).to.equal(false);
  });

  it('wants passwords of 12 or more characters with three classes, without the login', () => {
    expect(passwordProblems('Correct-Horse-42', 'li.wei', 12)).to.deep.equal([]);
    expect(passwordProblems('Short-1a', 'li.wei', 12).map((p) => p.message)).to.deep.equal([
      'must be at least 12 characters',
    ]);
    expect(passwordProblems('alllowercaseletters', 'li.wei', 12)[0]?.message).to.match(/three of/);
    expect(passwordProblems('Li.Wei-Password-9', 'li.wei', 12).map((p) => p.message)).to.include(
      'must not contain the login',
    );
  });

  it('wants PINs of 6 to 8 digits that are not a repeat or a run', () => {
    expect(pinProblems('271828')).to.deep.equal([]);
    for (const pin of ['1234', '111111', '123456', '987654', '12a456']) expect(pinProblems(pin), pin).to.have.length(1);
  });
});

describe('person decider', () => {
  it('registers a person with a first password to be changed at the first login', () => {
    person
      .given([])
      .when({
        type: 'RegisterPerson',
        data: { ...profile, credential: credential('a') },
        meta: secadmin,
      })
      .then(registered);
  });

  it('refuses roles one person may not combine, unknown roles, and a second registration', () => {
    person
      .given([])
      .when({
        type: 'RegisterPerson',
        data: {
          personId: 'x.y',
          displayName: 'X',
          roles: ['secadmin', 'auditadmin'],
          workCenters: [],
          credential: credential('a'),
        },
        meta: secadmin,
      })
      .thenThrows(IllegalStateError, 'duties-not-separated');
    person
      .given([])
      .when({
        type: 'RegisterPerson',
        data: {
          personId: 'x.y',
          displayName: 'X',
          roles: ['admin' as never],
          workCenters: [],
          credential: credential('a'),
        },
        meta: secadmin,
      })
      .thenThrows(ValidationError);
    person
      .given(registered)
      .when({
        type: 'RegisterPerson',
        data: { ...profile, credential: credential('b') },
        meta: secadmin,
      })
      .thenThrows(IllegalStateError, 'person-exists');
  });

  it('lets nobody change their own roles, reset their own second factor or disable themselves', () => {
    const self = meta({ actor: 'li.wei' });
    person
      .given(registered)
      .when({ type: 'ChangeRoles', data: { personId: 'li.wei', roles: ['planner'] }, meta: self })
      .thenThrows(IllegalStateError, 'not-on-oneself');
    person
      .given(registered)
      .when({ type: 'DisablePerson', data: { personId: 'li.wei', reason: 'x' }, meta: self })
      .thenThrows(IllegalStateError, 'not-on-oneself');
    person
      .given(registered)
      .when({ type: 'ChangeRoles', data: { personId: 'li.wei', roles: ['planner', 'operator'] }, meta: secadmin })
      .then([
        {
          type: 'PersonRolesChanged',
          data: { personId: 'li.wei', roles: ['planner', 'operator'], previous: ['operator'] },
        },
      ]);
  });

  it('marks a reset password for change and a changed one not', () => {
    person
      .given(registered)
      .when({
        type: 'SetPassword',
        data: { personId: 'li.wei', reason: 'reset', credential: credential('r') },
        meta: secadmin,
      })
      .then([
        {
          type: 'PasswordSet',
          data: { personId: 'li.wei', reason: 'reset', mustChange: true, credential: credential('r') },
        },
      ]);
    person
      .given(registered)
      .when({
        type: 'SetPassword',
        data: { personId: 'li.wei', reason: 'changed', credential: credential('c') },
        meta: meta({ actor: 'li.wei' }),
      })
      .then([
        {
          type: 'PasswordSet',
          data: { personId: 'li.wei', reason: 'changed', mustChange: false, credential: credential('c') },
        },
      ]);
  });

  it('enrols one second factor, uses each recovery code once, and is reset by someone else', () => {
    const enrolled: PersonEvent[] = [
      ...registered,
      {
        type: 'SecondFactorEnrolled',
        data: { personId: 'li.wei', method: 'totp', sealedSecret: 's', recoveryCodes: ['h0', 'h1'] },
      },
    ];
    person
      .given(enrolled)
      .when({
        type: 'EnrolSecondFactor',
        data: { personId: 'li.wei', sealedSecret: 't', recoveryCodes: ['h'] },
        meta: meta({ actor: 'li.wei' }),
      })
      .thenThrows(IllegalStateError, 'second-factor-enrolled');
    const used: PersonEvent[] = [...enrolled, { type: 'RecoveryCodeUsed', data: { personId: 'li.wei', index: 1 } }];
    person
      .given(used)
      .when({ type: 'UseRecoveryCode', data: { personId: 'li.wei', index: 1 }, meta: meta() })
      .thenThrows(IllegalStateError, 'recovery-code-used');
    person
      .given(used)
      .when({ type: 'UseRecoveryCode', data: { personId: 'li.wei', index: 0 }, meta: meta() })
      .then([{ type: 'RecoveryCodeUsed', data: { personId: 'li.wei', index: 0 } }]);
    person
      .given(used)
      .when({ type: 'ResetSecondFactor', data: { personId: 'li.wei', reason: 'lost phone' }, meta: secadmin })
      .then([{ type: 'SecondFactorReset', data: { personId: 'li.wei', reason: 'lost phone' } }]);
  });

  it('answers not found for a person never registered', () => {
    person
      .given([])
      .when({ type: 'DisablePerson', data: { personId: 'nobody', reason: 'x' }, meta: secadmin })
      .thenThrows(NotFoundError);
  });
});

describe('API key decider', () => {
  const key = specFor(apiKeyDecider);
  const created = {
    keyId: 'k1',
    name: 'erp',
    owner: 'system:erp',
    roles: ['integrator' as const],
    expiresAt: '2027-01-01T00:00:00.000Z',
    scheme: 'hmac-sha256' as const,
    verifier: 'a'.repeat(64),
  };
  it('makes a key that expires in the future, refuses one already expired and roles one key may not combine', () => {
    key
      .given([])
      .when({ type: 'CreateApiKey', data: created, meta: secadmin })
      .then([{ type: 'ApiKeyCreated', data: created }]);
    key
      .given([])
      .when({ type: 'CreateApiKey', data: { ...created, expiresAt: '2020-01-01T00:00:00Z' }, meta: secadmin })
      .thenThrows(ValidationError);
    key
      .given([])
      .when({ type: 'CreateApiKey', data: { ...created, roles: ['sysadmin', 'auditadmin'] }, meta: secadmin })
      .thenThrows(IllegalStateError, 'duties-not-separated');
  });
  it('rotates a live key and refuses to rotate a revoked one', () => {
    const revoked = [
      { type: 'ApiKeyCreated' as const, data: created },
      { type: 'ApiKeyRevoked' as const, data: { keyId: 'k1', reason: 'leaked' } },
    ];
    key
      .given(revoked)
      .when({
        type: 'RotateApiKey',
        data: { keyId: 'k1', verifier: 'b'.repeat(64), expiresAt: created.expiresAt },
        meta: secadmin,
      })
      .thenThrows(IllegalStateError, 'key-revoked');
    key
      .given(revoked)
      .when({ type: 'RevokeApiKey', data: { keyId: 'k1', reason: 'again' }, meta: secadmin })
      .then([]);
  });
});
