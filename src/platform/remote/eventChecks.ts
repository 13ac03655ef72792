/**
 * An event that arrives from another process (over HTTP or through the broker)
 * is held to its contract before a handler sees it: the name and version the
 * handler subscribed to, a payload that matches the event's schema, and the
 * aggregate the payload names. A bad one is a 422 naming the field, never a
 * handler failing halfway on data it was promised would not come.
 */
import { Strict, Type, invalid, validator, type EventEnvelope, type EventSpec } from '../../kernel/index.ts';

/** An event as it travels between processes (its payload is checked against its contract afterwards). */
export const EventEnvelopeShape = Strict({
  id: Type.String({ minLength: 1, maxLength: 64 }),
  name: Type.String({ maxLength: 120 }),
  version: Type.Integer(),
  aggregateId: Type.String({ maxLength: 200 }),
  occurredAt: Type.String({ maxLength: 40 }),
  payload: Type.Unknown(),
});

/** A checker for the events a handler subscribed to (one, or several feeding one read model). */
export function eventChecker(specs: EventSpec[]): (event: EventEnvelope) => void {
  const byName = new Map(specs.map((spec) => [spec.name, { spec, payload: validator(spec.payload) }]));
  const subscribed = specs.map((spec) => `${spec.name} version ${spec.version}`).join(' or ');
  return (event) => {
    const known = byName.get(event.name);
    if (!known || event.version !== known.spec.version) {
      const message = `must be ${subscribed}, the event${specs.length > 1 ? 's' : ''} this handler subscribed to`;
      throw invalid('EVENTS.UNEXPECTED_EVENT', `/event/name ${message}`, [{ path: '/event/name', message }]);
    }
    const { spec, payload } = known;
    payload(event.payload, '/event/payload');
    const aggregateId = spec.aggregateId(event.payload as never);
    if (event.aggregateId !== aggregateId) {
      const message = `must be ${aggregateId}, the aggregate the payload names`;
      throw invalid('EVENTS.AGGREGATE_MISMATCH', `/event/aggregateId ${message}`, [{ path: '/event/aggregateId', message }]);
    }
  };
}
