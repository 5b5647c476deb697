import type { FieldProblem } from '../errors';

/** A secret kept as a memory-hard hash: the parameters in the clear, salt and hash sealed by the server. */
export type Credential = {
  algorithm: 'scrypt';
  /** scrypt cost parameters, recorded so a later change of defaults still verifies old hashes. */
  N: number;
  r: number;
  p: number;
  keyLength: number;
  /** Salt and hash, encrypted under the server's key (AES-256-GCM): never readable from the log alone. */
  sealed: string;
};

const CLASSES: ReadonlyArray<[RegExp, string]> = [
  [/[a-z]/, 'a lower-case letter'],
  [/[A-Z]/, 'an upper-case letter'],
  [/[0-9]/, 'a digit'],
  [/[^A-Za-z0-9]/, 'a symbol'],
];

/**
 * The password rule: at least `minLength` characters (at most 128), three of the four classes
 * (lower, upper, digit, symbol), not containing the login. Empty when it holds.
 */
export const passwordProblems = (password: string, login: string, minLength: number): FieldProblem[] => {
  const problems: FieldProblem[] = [];
  const at = '/newPassword';
  if (password.length < minLength) problems.push({ path: at, message: `must be at least ${minLength} characters` });
  if (password.length > 128) problems.push({ path: at, message: 'must be at most 128 characters' });
  const missing = CLASSES.filter(([pattern]) => !pattern.test(password)).map(([, name]) => name);
  if (missing.length > 1)
    problems.push({
      path: at,
      message: `must have three of: lower-case, upper-case, digit, symbol (lacks ${missing.join(', ')})`,
    });
  if (login.length >= 3 && password.toLowerCase().includes(login.toLowerCase()))
    problems.push({ path: at, message: 'must not contain the login' });
  return problems;
};

/** A badge PIN: 6 to 8 digits, not one digit repeated, not a run up or down (123456, 987654). */
export const pinProblems = (pin: string): FieldProblem[] => {
  const at = '/pin';
  if (!/^[0-9]{6,8}$/.test(pin)) return [{ path: at, message: 'must be 6 to 8 digits' }];
  const digits = [...pin].map(Number);
  const steps = new Set(digits.slice(1).map((d, i) => d - (digits[i] as number)));
  if (steps.size === 1 && [0, 1, -1].includes([...steps][0] as number))
    return [{ path: at, message: 'must not be one digit repeated or a run' }];
  return [];
};
