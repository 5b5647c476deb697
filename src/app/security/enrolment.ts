import { IllegalStateError } from '../../domain/errors';
import type { CommandHandler } from '../commandHandler';
import type { Principal } from './principal';
import type { Secrets } from './secrets';
import type { SessionStore } from './sessionStore';
import { newRecoveryCodes, newTotp, normaliseRecoveryCode, totpStep } from './totp';

/**
 * TOTP enrolment from a browser session: a secret is offered (kept sealed in the session until
 * confirmed), and the first code from the person's app confirms it; the recovery codes are shown once.
 */
export const createEnrolment = (deps: {
  commands: CommandHandler;
  store: SessionStore;
  secrets: Secrets;
  issuer: string;
  /** The last TOTP time step used per person, shared with the logins: the confirming code cannot log in. */
  usedSteps: Map<string, number>;
  now: () => Date;
}) => {
  const session = (principal: Principal): { sessionId: string; personId: string } => {
    if (!principal.sessionId || !principal.personId || principal.sessionKind !== 'browser')
      throw new IllegalStateError('a second factor is enrolled from a browser session', 'not-a-session');
    return { sessionId: principal.sessionId, personId: principal.personId };
  };
  return {
    async begin(principal: Principal): Promise<{ secret: string; uri: string }> {
      const { sessionId, personId } = session(principal);
      const { state } = await deps.commands.load('person', personId);
      if (state.status !== 'Initial' && state.secondFactor)
        throw new IllegalStateError(
          'a second factor is enrolled already; a security administrator can reset it',
          'second-factor-enrolled',
        );
      const offer = newTotp(personId, deps.issuer);
      await deps.store.setPendingTotp(sessionId, deps.secrets.seal(offer.secret));
      return offer;
    },
    async confirm(principal: Principal, code: string, correlationId: string): Promise<{ recoveryCodes: string[] }> {
      const { sessionId, personId } = session(principal);
      const pending = (await deps.store.byId(sessionId))?.pendingTotp;
      if (!pending) throw new IllegalStateError('begin the enrolment first', 'no-enrolment');
      const secret = deps.secrets.unseal(pending);
      const step = totpStep(secret, code, deps.now().getTime());
      if (step === undefined)
        throw new IllegalStateError('that code does not match the offered secret', 'bad-second-factor');
      deps.usedSteps.set(personId, step);
      const recoveryCodes = newRecoveryCodes();
      await deps.commands.handle(
        'person',
        personId,
        {
          type: 'EnrolSecondFactor',
          data: {
            personId,
            sealedSecret: deps.secrets.seal(secret),
            recoveryCodes: recoveryCodes.map((c) =>
              deps.secrets.hmac(`recovery:${personId}:${normaliseRecoveryCode(c)}`),
            ),
          },
          meta: { now: deps.now().toISOString(), actor: personId },
        },
        { commandId: `enrol:${sessionId}:${pending.slice(-12)}`, correlationId, source: 'api' },
      );
      await deps.store.setPendingTotp(sessionId, undefined);
      return { recoveryCodes };
    },
  };
};

export type Enrolment = ReturnType<typeof createEnrolment>;
