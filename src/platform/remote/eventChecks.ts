/**
 * An event that arrives from another process (over HTTP or through the broker)
 * is held to its contract before a handler sees it: the name and version the
 * handler subscribed to, a payload that matches the event's schema, and the
 * aggregate the payload names. A bad one is a 422 naming the field, never a
 * handler failing halfway on data it was promised would not come.
 */
import { invalid, validator, type EventEnvelope, type EventSpec } from '../../kernel/index.ts';

export function eventChecker(spec: EventSpec): (event: EventEnvelope) => void {
  const payload = validator(spec.payload);
  return (event) => {
    if (event.name !== spec.name || event.version !== spec.version) {
      const message = `must be ${spec.name} version ${spec.version}, the event this handler subscribed to`;
      throw invalid('EVENTS.UNEXPECTED_EVENT', `/event/name ${message}`, [{ path: '/event/name', message }]);
    }
    payload(event.payload, '/event/payload');
    const aggregateId = spec.aggregateId(event.payload as never);
    if (event.aggregateId !== aggregateId) {
      const message = `must be ${aggregateId}, the aggregate the payload names`;
      throw invalid('EVENTS.AGGREGATE_MISMATCH', `/event/aggregateId ${message}`, [{ path: '/event/aggregateId', message }]);
    }
  };
}
