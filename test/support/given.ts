import { expect } from 'chai';
import type { AnyEvent, CommandMeta, Decider } from '../../src/domain/messages';
import { fold } from '../../src/domain/messages';

export const NOW = '2026-11-25T08:00:00.000Z';
export const meta = (overrides: Partial<CommandMeta> = {}): CommandMeta => ({ now: NOW, actor: 'op-7', ...overrides });

type ErrorClass = abstract new (...args: never[]) => Error;

/** given(events).when(command).then(events) / .thenThrows(ErrorClass, rule?) for a decider. */
export const specFor = <C, E extends AnyEvent, S>(decider: Decider<C, E, S>) => ({
  given: (events: E[] = []) => ({
    when: (command: C) => {
      const state = fold(decider, events);
      return {
        then: (expected: E[]): void => {
          expect(decider.decide(command, state)).to.deep.equal(expected);
        },
        /** For when only some events matter: the decided events, to inspect. */
        events: (): E[] => decider.decide(command, state),
        thenThrows: (errorClass: ErrorClass, rule?: string): void => {
          let thrown: unknown;
          try {
            decider.decide(command, state);
          } catch (error) {
            thrown = error;
          }
          expect(thrown, 'the command should be refused').to.be.instanceOf(errorClass);
          if (rule !== undefined) expect((thrown as { rule?: string }).rule).to.equal(rule);
        },
      };
    },
  }),
});
