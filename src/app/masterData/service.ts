import { ValidationError, type FieldProblem } from '../../domain/errors';
import {
  masterKind,
  type DeactivationInput,
  type MasterKind,
  type ReasonCodeRecord,
  type ReasonKind,
  type RecordInput,
} from '../../domain/masterData';
import type { CommandMeta } from '../../domain/messages';
import type { CommandContext, CommandHandler, CommandResult } from '../commandHandler';
import { createMasterLookup } from './lookup';
import { checkReferences } from './references';

/**
 * Writes master data: a define or revise is checked for the codes it names (work centers, materials,
 * routing operations...) against the master data in force when it takes effect, then decided by the
 * kind's aggregate. `validate` gives every problem of a record without writing, so a bulk import can
 * check each row first and append only when all are good.
 */
export const createMasterDataService = (deps: { commands: CommandHandler }) => {
  const lookup = () => createMasterLookup(deps.commands);
  const referenceProblems = (kind: MasterKind, input: RecordInput<unknown>, now: string) =>
    checkReferences(masterKind(kind).references(input as RecordInput<never>), lookup(), input.effectiveFrom ?? now);

  const validate = async (kind: MasterKind, input: RecordInput<unknown>, now: string): Promise<FieldProblem[]> => [
    // cast: the kind is chosen at run time, so its record type is erased; validate checks the record's content
    ...masterKind(kind).kind.validate(input.record as never),
    ...(await referenceProblems(kind, input, now)),
  ];

  const send = (kind: MasterKind, verb: string, data: unknown, meta: CommandMeta, context: CommandContext) => {
    const { aggregate, kind: rules } = masterKind(kind);
    const code = (data as { code: string }).code;
    // the kind's prefix makes the command type (DefineProduct, ReviseRouting...): its decider's own; cast
    // because the kind is chosen at run time, which the command union cannot follow
    const command = { type: `${verb}${rules.prefix}`, data, meta } as never;
    return deps.commands.handle(aggregate, code, command, context);
  };

  const write = async (
    kind: MasterKind,
    verb: 'Define' | 'Revise',
    input: RecordInput<unknown>,
    meta: CommandMeta,
    context: CommandContext,
  ): Promise<CommandResult> => {
    const problems = await referenceProblems(kind, input, meta.now);
    const first = problems[0];
    if (first) {
      const { label } = masterKind(kind).kind;
      throw new ValidationError(
        `${label} ${input.code} names what master data lacks: ${first.path} ${first.message}`,
        problems,
        {
          rule: 'reference-unknown',
          params: { code: input.code, path: first.path },
        },
      );
    }
    return send(kind, verb, input, meta, context);
  };

  const reasons = (
    verb: 'Define' | 'Revise' | 'Deactivate',
    kind: ReasonKind,
    data: object,
    meta: CommandMeta,
    context: CommandContext,
  ) =>
    deps.commands.handle(
      'reasonCodes',
      kind,
      // cast: the verb is chosen at run time (define, revise, deactivate), which the command union cannot follow
      { type: `${verb}ReasonCode`, data: { ...data, kind }, meta } as never,
      context,
    );

  return {
    validate,
    define: (kind: MasterKind, input: RecordInput<unknown>, meta: CommandMeta, context: CommandContext) =>
      write(kind, 'Define', input, meta, context),
    revise: (kind: MasterKind, input: RecordInput<unknown>, meta: CommandMeta, context: CommandContext) =>
      write(kind, 'Revise', input, meta, context),
    deactivate: (kind: MasterKind, input: DeactivationInput, meta: CommandMeta, context: CommandContext) =>
      send(kind, 'Deactivate', input, meta, context),
    defineReason: (
      kind: ReasonKind,
      input: RecordInput<ReasonCodeRecord>,
      meta: CommandMeta,
      context: CommandContext,
    ) => reasons('Define', kind, input, meta, context),
    reviseReason: (
      kind: ReasonKind,
      input: RecordInput<ReasonCodeRecord>,
      meta: CommandMeta,
      context: CommandContext,
    ) => reasons('Revise', kind, input, meta, context),
    deactivateReason: (kind: ReasonKind, input: DeactivationInput, meta: CommandMeta, context: CommandContext) =>
      reasons('Deactivate', kind, input, meta, context),
  };
};

export type MasterDataService = ReturnType<typeof createMasterDataService>;
