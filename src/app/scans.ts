import { ForbiddenError, IllegalStateError } from '../domain/errors';
import type { ScanBody } from '../domain/generated';
import type { CommandMeta } from '../domain/messages';
import type { OrderCommand } from '../domain/order';
import type { CommandHandler, CommandResult } from './commandHandler';
import { verifyCard, type CardKeySource } from './operationCards';

/**
 * What a PDA sends when an operator scans an operation card (schemas/commands/scan.json). `scanId` is
 * the scan's own id, scoped to its caller: a PDA that retries sends the same id, and nothing counts twice
 * (the same id with other content is refused by the route, 409 `scan-id-reused`); `at` is when the
 * operator scanned (the PDA's clock), by default when it arrives. Who scanned is the operator logged in, never
 * a name in the body (one that names another is refused).
 */
export type Scan = ScanBody;
export type ScanAction = Scan['action'];

export type ScanOutcome = { orderId: string; operationId: string; results: CommandResult[] };

/** Where a scan came in: when the server received it, and the client's own request id. */
export type ScanEdge = { receivedAt?: string; clientRequestId?: string };

// a scan that finds the operator already in (or not in) does not fail the production fact it carries
const LENIENT_LABOUR_RULES = new Set(['already-clocked-in', 'not-clocked-in']);

/**
 * The operator of a request is the person logged in (a shop-floor or browser session, or a key that
 * belongs to a person). A body may repeat that name but never name someone else (403).
 */
export const operatorFor = (caller: { personId?: string }, named: string | undefined): string | undefined => {
  if (named !== undefined && named !== caller.personId)
    throw new ForbiddenError(
      `operatorId ${named} is not the operator logged in (${caller.personId ?? 'nobody'}): nobody clocks in someone else`,
      'operator-not-caller',
    );
  return caller.personId;
};

/** Turns a verified scan into the operation command and the operator's clocking. */
export const createScanService = (deps: { commands: CommandHandler; cardKey: CardKeySource }) => ({
  /** `operator` is who is logged in; the scan's own operatorId, if any, must be the same person. */
  async handle(
    input: Scan,
    operator: { personId?: string },
    meta: CommandMeta,
    correlationId: string,
    edge: ScanEdge = {},
  ): Promise<ScanOutcome> {
    const operatorId = operatorFor(operator, input.operatorId);
    if (!operatorId)
      throw new ForbiddenError(
        'a scan clocks the operator logged in: log in on the device with badge and PIN',
        'operator-session-required',
      );
    const scan = { ...input, operatorId };
    const { orderId, operationId } = verifyCard(deps.cardKey, scan.card);
    const at = scan.at ?? meta.now;
    const commandMeta: CommandMeta = { ...meta, now: at };
    // a scan id is its caller's own: another caller's scan with the same id is another scan
    const context = (suffix: string) => ({
      commandId: `scan:${meta.actor}:${scan.scanId}${suffix}`,
      correlationId,
      source: 'pda' as const,
      inputId: scan.scanId,
      ...(edge.receivedAt ? { receivedAt: edge.receivedAt, clientTimeField: '/at' } : {}),
      ...(edge.clientRequestId ? { clientRequestId: edge.clientRequestId } : {}),
    });
    const order = (command: OrderCommand, suffix = '') =>
      deps.commands.handle('order', orderId, command, context(suffix));
    const operation = { orderId, operationId };
    const report = () =>
      order(
        {
          type: 'ReportQuantity',
          data: {
            ...operation,
            good: scan.good ?? 0,
            scrap: scan.scrap ?? 0,
            rework: scan.rework ?? 0,
            ...(scan.scrapReason ? { scrapReason: scan.scrapReason } : {}),
          },
          meta: commandMeta,
        },
        ':report',
      );
    const clock = async (type: 'ClockIn' | 'ClockOut', when = at): Promise<CommandResult[]> => {
      try {
        return [
          await deps.commands.handle(
            'operator',
            scan.operatorId,
            {
              type,
              data: { operatorId: scan.operatorId, orderId, operationId, at: when },
              meta: { ...commandMeta, now: when },
            },
            context(':labour'),
          ),
        ];
      } catch (error) {
        if (error instanceof IllegalStateError && LENIENT_LABOUR_RULES.has(error.rule)) return [];
        throw error;
      }
    };
    /**
     * Start or resume an operation that is already running (its order's hold was lifted, which had
     * clocked everyone out, or a second operator tends it): the scan clocks the operator onto it.
     */
    const joinOr = async (command: OrderCommand): Promise<CommandResult[]> => {
      try {
        return [await order(command), ...(await clock('ClockIn'))];
      } catch (error) {
        if (!(error instanceof IllegalStateError && error.rule === 'operation-running')) throw error;
      }
      // joining is clocked when the server receives it: an offline scan dated earlier (during a hold,
      // say) is not paid for the time before
      const received = edge.receivedAt ?? meta.now;
      return clock('ClockIn', Date.parse(at) > Date.parse(received) ? at : received);
    };
    const hasQuantity = (scan.good ?? 0) + (scan.scrap ?? 0) + (scan.rework ?? 0) > 0;
    const results: CommandResult[] = [];
    switch (scan.action) {
      case 'start': {
        const data = {
          ...operation,
          operatorId: scan.operatorId,
          ...(scan.machineId ? { machineId: scan.machineId } : {}),
        };
        results.push(...(await joinOr({ type: 'StartOperation', data, meta: commandMeta })));
        break;
      }
      case 'pause':
        results.push(
          await order({
            type: 'PauseOperation',
            data: { ...operation, ...(scan.reason ? { reason: scan.reason } : {}) },
            meta: commandMeta,
          }),
          ...(await clock('ClockOut')),
        );
        break;
      case 'resume':
        results.push(...(await joinOr({ type: 'ResumeOperation', data: operation, meta: commandMeta })));
        break;
      case 'report':
        results.push(await report());
        break;
      case 'complete':
        if (hasQuantity) results.push(await report());
        results.push(
          await order({ type: 'CompleteOperation', data: operation, meta: commandMeta }),
          ...(await clock('ClockOut')),
        );
        break;
    }
    return { orderId, operationId, results };
  },
});

export type ScanService = ReturnType<typeof createScanService>;
