import type { CommandOf, Directive } from '../aggregates';
import { metaFor, type Trigger } from './types';

/** The nonconformance a failed inspection raises, and the re-inspection that follows a failure. */
export const nonconformanceIdFor = (inspectionId: string): string => `NC-${inspectionId}`;
export const reinspectionIdFor = (failedInspectionId: string): string => `${failedInspectionId}-R`;

/** A command to the order the event names; none when it names no order (an incoming inspection). */
const onOrder = (orderId: string | undefined, command: (orderId: string) => CommandOf['order']): Directive[] =>
  orderId ? [{ aggregate: 'order', id: orderId, command: command(orderId) }] : [];

/** The events the quality loop reacts to. */
export const qualityLoopEvents = [
  'QualityLoopOpened',
  'InspectionRequested',
  'InspectionPassed',
  'InspectionFailed',
  'InspectionCancelled',
  'DispositionDecided',
  'NonconformanceClosed',
  'NonconformanceRaised',
] as const;

/**
 * The quality closed loop. A failed inspection raises a nonconformance, quarantines the lot and
 * requests a re-inspection; the loop closes when a re-inspection passes or a disposition is final.
 * Every inspection and nonconformance is mirrored on its order as an open loop, so the order cannot
 * complete while one is open.
 */
export const qualityLoop = (event: Trigger): Directive[] => {
  const meta = metaFor(event, 'quality-loop');
  switch (event.type) {
    case 'QualityLoopOpened': {
      const {
        reason,
        kind,
        loopId,
        orderId,
        operationId,
        characteristics,
        lotId,
        quantity,
        unit,
        product,
        reinspectionOf,
      } = event.data;
      if (reason !== 'routing' || kind !== 'inspection') return [];
      // the operation's output becomes a lot the inspection names, when there is any output
      const lot = lotId && operationId && quantity && unit && product ? { lotId, quantity, unit } : undefined;
      const directives: Directive[] = [];
      if (lot && operationId && product)
        directives.push({
          aggregate: 'lot',
          id: lot.lotId,
          command: {
            type: 'OpenWipLot',
            data: { ...lot, orderId, operationId, material: product },
            meta,
          },
        });
      directives.push({
        aggregate: 'inspection',
        id: loopId,
        command: {
          type: 'RequestInspection',
          data: {
            inspectionId: loopId,
            orderId,
            reason: reinspectionOf ? 'reinspection' : 'routing',
            characteristics: characteristics ?? [],
            ...(operationId ? { operationId } : {}),
            ...(product ? { product } : {}),
            ...(lot ?? {}),
            ...(reinspectionOf ? { reinspectionOf } : {}),
          },
          meta,
        },
      });
      // a rework operation completed: its nonconformance now waits for this re-inspection
      if (reinspectionOf)
        directives.push({
          aggregate: 'nonconformance',
          id: reinspectionOf,
          command: {
            type: 'ScheduleReinspection',
            data: { nonconformanceId: reinspectionOf, inspectionId: loopId, afterRework: true },
            meta,
          },
        });
      return directives;
    }
    case 'InspectionRequested': {
      const { inspectionId, orderId, operationId } = event.data;
      return onOrder(orderId, (id) => ({
        type: 'OpenQualityLoop',
        data: { orderId: id, loopId: inspectionId, kind: 'inspection', ...(operationId ? { operationId } : {}) },
        meta,
      }));
    }
    case 'InspectionPassed': {
      const { inspectionId, orderId, reinspectionOf, lotId } = event.data;
      const directives: Directive[] = [];
      if (reinspectionOf) {
        directives.push({
          aggregate: 'nonconformance',
          id: reinspectionOf,
          command: { type: 'CloseNonconformance', data: { nonconformanceId: reinspectionOf }, meta },
        });
        if (lotId)
          directives.push({
            aggregate: 'lot',
            id: lotId,
            command: { type: 'ReleaseLot', data: { lotId, reason: `re-inspection ${inspectionId} passed` }, meta },
          });
      }
      directives.push(
        ...onOrder(orderId, (id) => ({ type: 'CloseQualityLoop', data: { orderId: id, loopId: inspectionId }, meta })),
      );
      return directives;
    }
    case 'InspectionFailed': {
      const {
        inspectionId,
        orderId,
        operationId,
        lotId,
        product,
        quantity,
        unit,
        failed,
        characteristics,
        reinspectionOf,
        reason,
      } = event.data;
      const nonconformanceId = reinspectionOf ?? nonconformanceIdFor(inspectionId);
      const reinspectionId = reinspectionIdFor(inspectionId);
      const subject = {
        ...(orderId ? { orderId } : {}),
        ...(operationId ? { operationId } : {}),
        ...(lotId ? { lotId } : {}),
        ...(product ? { product } : {}),
        ...(quantity !== undefined ? { quantity } : {}),
        ...(unit ? { unit } : {}),
      };
      const directives: Directive[] = [
        reinspectionOf
          ? {
              aggregate: 'nonconformance',
              id: nonconformanceId,
              command: { type: 'ScheduleReinspection', data: { nonconformanceId, inspectionId: reinspectionId }, meta },
            }
          : {
              aggregate: 'nonconformance',
              id: nonconformanceId,
              command: {
                type: 'RaiseNonconformance',
                data: {
                  nonconformanceId,
                  inspectionId,
                  failed,
                  reinspectionId,
                  source: reason === 'incoming' ? 'incoming-inspection' : 'inspection',
                  ...subject,
                },
                meta,
              },
            },
      ];
      if (lotId) {
        directives.push({
          aggregate: 'lot',
          id: lotId,
          command: {
            type: 'QuarantineLot',
            data: { lotId, reason: `inspection ${inspectionId} failed`, nonconformanceId },
            meta,
          },
        });
      }
      directives.push(
        {
          aggregate: 'inspection',
          id: reinspectionId,
          command: {
            type: 'RequestInspection',
            data: {
              inspectionId: reinspectionId,
              reason: 'reinspection',
              characteristics,
              reinspectionOf: nonconformanceId,
              ...subject,
            },
            meta,
          },
        },
        ...onOrder(orderId, (id) => ({
          type: 'OpenQualityLoop',
          data: {
            orderId: id,
            loopId: nonconformanceId,
            kind: 'nonconformance',
            ...(operationId ? { operationId } : {}),
          },
          meta,
        })),
        ...onOrder(orderId, (id) => ({ type: 'CloseQualityLoop', data: { orderId: id, loopId: inspectionId }, meta })),
      );
      return directives;
    }
    case 'InspectionCancelled': {
      const { inspectionId, orderId } = event.data;
      return onOrder(orderId, (id) => ({
        type: 'CloseQualityLoop',
        data: { orderId: id, loopId: inspectionId },
        meta,
      }));
    }
    case 'DispositionDecided': {
      const { disposition, lotId, nonconformanceId, orderId, operationId, quantity, reasonCode, pendingReinspection } =
        event.data;
      const reason = `disposition ${disposition} of ${nonconformanceId}`;
      const part = quantity !== undefined ? { quantity } : {};
      const directives: Directive[] = [];
      if (lotId && disposition === 'scrap')
        directives.push({
          aggregate: 'lot',
          id: lotId,
          command: { type: 'ScrapLot', data: { lotId, reason, ...part }, meta },
        });
      if (lotId && disposition === 'return-to-supplier')
        directives.push({
          aggregate: 'lot',
          id: lotId,
          command: { type: 'ReturnLotToSupplier', data: { lotId, reason, ...part }, meta },
        });
      // scrapped units of an operation's output are no longer good: the order's good quantity shrinks
      if (disposition === 'scrap' && operationId && quantity)
        directives.push(
          ...onOrder(orderId, (id) => ({
            type: 'ScrapNonconforming',
            data: { orderId: id, operationId, nonconformanceId, quantity, ...(reasonCode ? { reasonCode } : {}) },
            meta,
          })),
        );
      // rework of an operation's output is work: a rework operation on the order, re-inspected when done
      if (disposition === 'rework' && orderId && operationId && quantity) {
        directives.push({
          aggregate: 'order',
          id: orderId,
          command: { type: 'AddReworkOperation', data: { orderId, operationId, nonconformanceId, quantity }, meta },
        });
        if (pendingReinspection)
          directives.push({
            aggregate: 'inspection',
            id: pendingReinspection,
            command: {
              type: 'CancelInspection',
              data: { inspectionId: pendingReinspection, reason: `${nonconformanceId}: rework, re-inspected after it` },
              meta,
            },
          });
      }
      return directives;
    }
    case 'NonconformanceClosed': {
      const { nonconformanceId, orderId, pendingReinspection, lotId, resolution } = event.data;
      const directives: Directive[] = [];
      // what is left of the lot after scrap and returns is good to use
      if (lotId && (resolution === 'use-as-is' || resolution === 'mixed'))
        directives.push({
          aggregate: 'lot',
          id: lotId,
          command: { type: 'ReleaseLot', data: { lotId, reason: `${nonconformanceId} closed: ${resolution}` }, meta },
        });
      if (pendingReinspection) {
        directives.push({
          aggregate: 'inspection',
          id: pendingReinspection,
          command: {
            type: 'CancelInspection',
            data: { inspectionId: pendingReinspection, reason: `${nonconformanceId} closed by disposition` },
            meta,
          },
        });
      }
      directives.push(
        ...onOrder(orderId, (id) => ({
          type: 'CloseQualityLoop',
          data: { orderId: id, loopId: nonconformanceId },
          meta,
        })),
      );
      return directives;
    }
    case 'NonconformanceRaised': {
      // raised by hand: its order is held and its lot quarantined, as a failed inspection's would be
      const { nonconformanceId, orderId, operationId, lotId, raisedBy } = event.data;
      if (!raisedBy) return [];
      return [
        ...onOrder(orderId, (id) => ({
          type: 'OpenQualityLoop',
          data: {
            orderId: id,
            loopId: nonconformanceId,
            kind: 'nonconformance',
            ...(operationId ? { operationId } : {}),
          },
          meta,
        })),
        ...(lotId
          ? [
              {
                aggregate: 'lot',
                id: lotId,
                command: {
                  type: 'QuarantineLot',
                  data: { lotId, reason: `nonconformance ${nonconformanceId} raised`, nonconformanceId },
                  meta,
                },
              } as const,
            ]
          : []),
      ];
    }
    default:
      return [];
  }
};
