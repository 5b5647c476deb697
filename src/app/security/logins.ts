import { IllegalStateError, UnauthenticatedError } from '../../domain/errors';
import type { CommandHandler } from '../commandHandler';
import type { KnownPerson } from './directory';
import type { EmployeeDirectory } from './employees';
import type { FailureRecorder } from './failures';
import type { Principal } from './principal';
import { randomToken, sameHex, sha256Hex, type Secrets } from './secrets';
import { shopFloorRoles, type NewSession, type Sessions } from './sessions';
import type { SessionStore } from './sessionStore';
import type { Throttle } from './throttle';
import { normaliseRecoveryCode, totpStep } from './totp';

const LOGIN = /^[a-z][a-z0-9._-]{1,63}$/;
const CHALLENGE_MS = 5 * 60_000;

export type LoginAnswer =
  { status: 'second-factor-required'; challenge: string; expiresAt: string } | ({ status: 'session' } & NewSession);
export type Caller = { address: string; correlationId: string };

/**
 * Logins: a password (then a second factor when the person has one), or a badge and PIN on a
 * registered device. Every failure is counted toward the account's and the address's lock and
 * recorded; a locked account or address is answered 429 before any secret is checked.
 */
export const createLogins = (deps: {
  commands: CommandHandler;
  sessions: Sessions;
  store: SessionStore;
  secrets: Secrets;
  throttle: Throttle;
  recordFailure: FailureRecorder;
  employees: EmployeeDirectory;
  /** The last TOTP time step used per person, shared with the enrolment: a code works once. */
  usedSteps: Map<string, number>;
  now: () => Date;
}) => {
  const { sessions, secrets, throttle, recordFailure } = deps;
  const lastStep = deps.usedSteps;
  const refuse = async (
    caller: Caller,
    method: 'password' | 'second-factor' | 'badge',
    reason: Parameters<FailureRecorder>[0]['reason'],
    subject: string | undefined,
    account: string | undefined,
  ): Promise<never> => {
    await recordFailure({
      method,
      reason,
      address: caller.address,
      subject,
      account,
      correlationId: caller.correlationId,
    });
    throw new UnauthenticatedError(method === 'badge' ? 'badge or PIN not accepted' : 'login not accepted');
  };
  const guard = async (
    caller: Caller,
    method: 'password' | 'second-factor' | 'badge',
    subject: string | undefined,
    account: string | undefined,
  ) => {
    try {
      await throttle.check(caller.address, account);
    } catch (error) {
      await recordFailure({
        method,
        reason: 'locked',
        address: caller.address,
        subject,
        account,
        correlationId: caller.correlationId,
      });
      throw error;
    }
  };

  /** A TOTP code or a recovery code of the person; a code used once is refused after. */
  const secondFactor = async (
    who: KnownPerson,
    code: string,
    caller: Caller,
  ): Promise<'second-factor' | 'recovery-code' | undefined> => {
    const factor = who.secondFactor;
    if (!factor) return undefined;
    const personId = who.profile.personId;
    if (/^[0-9]{6}$/.test(code)) {
      const step = totpStep(secrets.unseal(factor.sealedSecret), code, deps.now().getTime());
      if (step === undefined || step <= (lastStep.get(personId) ?? -1)) return undefined;
      lastStep.set(personId, step);
      return 'second-factor';
    }
    const hash = secrets.hmac(`recovery:${personId}:${normaliseRecoveryCode(code)}`);
    const index = factor.recoveryCodes.findIndex((h, i) => !factor.used.includes(i) && sameHex(h, hash));
    if (index < 0) return undefined;
    await deps.commands.handle(
      'person',
      personId,
      { type: 'UseRecoveryCode', data: { personId, index }, meta: { now: deps.now().toISOString(), actor: personId } },
      { commandId: `recovery:${personId}:${index}`, correlationId: caller.correlationId, source: 'api' },
    );
    return 'recovery-code';
  };

  return {
    secondFactor,
    async password(login: string, password: string, caller: Caller): Promise<LoginAnswer> {
      const account = LOGIN.test(login) ? login : undefined;
      await guard(caller, 'password', login.slice(0, 100), account);
      const who = account ? await sessions.person(account) : undefined;
      if (!who) {
        await secrets.decoy(password);
        return refuse(caller, 'password', 'unknown-account', login.slice(0, 100), account);
      }
      if (!(await secrets.verify(password, who.password.credential)))
        return refuse(caller, 'password', 'bad-password', login, account);
      if (who.status !== 'Active') return refuse(caller, 'password', 'disabled', login, account);
      await throttle.succeed(login);
      if (who.secondFactor) {
        const challenge = randomToken(32);
        const expiresAt = deps.now().getTime() + CHALLENGE_MS;
        await deps.store.putChallenge(sha256Hex(challenge), login, expiresAt);
        return { status: 'second-factor-required', challenge, expiresAt: new Date(expiresAt).toISOString() };
      }
      return {
        status: 'session',
        ...(await sessions.start(who, 'browser', caller.address, caller.correlationId, 'password')),
      };
    },
    /** The second step: the challenge of a password login (good once) and a TOTP or recovery code. */
    async secondStep(challenge: string, code: string, caller: Caller): Promise<LoginAnswer> {
      const personId = await deps.store.takeChallenge(sha256Hex(challenge), deps.now().getTime());
      if (!personId) return refuse(caller, 'second-factor', 'bad-challenge', undefined, undefined);
      await guard(caller, 'second-factor', personId, personId);
      const who = await sessions.person(personId);
      const method = who && who.status === 'Active' ? await secondFactor(who, code, caller) : undefined;
      if (!who || !method) return refuse(caller, 'second-factor', 'bad-second-factor', personId, personId);
      await throttle.succeed(personId);
      return {
        status: 'session',
        ...(await sessions.start(who, 'browser', caller.address, caller.correlationId, method)),
      };
    },
    /**
     * An operator on a registered device: badge and PIN. Their session on any other device ends, and
     * so does whoever was logged in on this one: one device, one operator; one operator, one device.
     */
    async badge(device: Principal, badgeId: string, pin: string, caller: Caller): Promise<NewSession> {
      if (!device.deviceId || device.via !== 'key')
        throw new IllegalStateError('a badge login needs the key of a registered device', 'not-a-device');
      const account = `badge:${badgeId}`;
      await guard(caller, 'badge', badgeId, account);
      const personId = await deps.employees.findByBadge(badgeId);
      const who = personId ? await sessions.person(personId) : undefined;
      if (!who || !who.pin) {
        await secrets.decoy(pin);
        return refuse(caller, 'badge', 'unknown-badge', badgeId, account);
      }
      if (!(await secrets.verify(pin, who.pin))) return refuse(caller, 'badge', 'bad-pin', badgeId, account);
      if (who.status !== 'Active') return refuse(caller, 'badge', 'disabled', badgeId, account);
      await throttle.succeed(account);
      const id = who.profile.personId;
      if (shopFloorRoles(who).length === 0)
        throw new IllegalStateError(`${id} has no shop-floor role`, 'no-shop-floor-role');
      for (const open of [
        ...(await sessions.open({ personId: id })),
        ...(await sessions.open({ deviceId: device.deviceId })),
      ])
        if (open.kind === 'shopfloor') await sessions.end(open, 'replaced', device.name, caller.correlationId);
      const started = await sessions.start(
        who,
        'shopfloor',
        caller.address,
        caller.correlationId,
        'badge',
        device.deviceId,
      );
      return started;
    },
  };
};

export type Logins = ReturnType<typeof createLogins>;
