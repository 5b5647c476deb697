import type { Projection } from '../runner';

/** Every alert raised, newest first by `raisedAt`, with its kind (who sees it) and its texts. */
export const alertsProjection: Projection = {
  name: 'alerts',
  version: 1,
  collections: { alerts: { indexes: ['kind', 'raisedAt'] } },
  eventTypes: ['AlertRaised'],
  apply(event, ctx) {
    switch (event.type) {
      case 'AlertRaised': {
        const data = event.data;
        return ctx.update('alerts', data.alertId, () => ({ _id: data.alertId, ...data, position: event.position }));
      }
      default:
        return undefined;
    }
  },
};
