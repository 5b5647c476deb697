import type { Role } from '../../domain/people';

/** Steps a person must take before anything else: change a first or reset password, enrol a second factor. */
export type PendingStep = 'password-change' | 'second-factor-enrolment';

/** Who is calling: a person through a session, or an API key (a machine, an integration, a device). */
export type Principal = {
  /** Recorded as the actor of what it does: a person's login, or a key's name. */
  name: string;
  roles: Role[];
  via: 'key' | 'session';
  keyId?: string;
  /** The person of a session, or the owner of a key that belongs to a person. */
  personId?: string;
  /** A device's own key, or the device a shop-floor session is bound to. */
  deviceId?: string;
  sessionId?: string;
  sessionKind?: 'browser' | 'shopfloor';
  /** Empty when the principal may do what its roles allow. */
  pending: PendingStep[];
};
