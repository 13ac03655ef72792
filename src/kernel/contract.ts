/**
 * A module's contract: its facade methods and events, declared as runtime
 * schemas. The same declaration gives the TypeScript types, the validation of
 * every call (in process or over HTTP) and the OpenAPI/extraction documents.
 */
import type { Static, TSchema } from './schema.ts';
import { validator } from './schema.ts';

export interface MethodSpec<I extends TSchema = TSchema, O extends TSchema = TSchema> {
  input: I;
  output: O;
  description: string;
  /** A call that may be retried safely over a network: a read, or a write whose repeat changes nothing. */
  idempotent: boolean;
}

export interface EventSpec<P extends TSchema = TSchema> {
  /** `<module>.<PastTenseFact>`, e.g. `operations.PublisherRegistered`. */
  name: string;
  version: number;
  payload: P;
  description: string;
  /** The aggregate whose events must stay in order, e.g. the publisher id. */
  aggregateId(payload: Static<P>): string;
}

export interface Contract<
  M extends Record<string, MethodSpec> = Record<string, MethodSpec>,
  E extends Record<string, EventSpec> = Record<string, EventSpec>,
> {
  module: string;
  methods: M;
  events: E;
}

export function defineContract<const M extends Record<string, MethodSpec>, const E extends Record<string, EventSpec>>(
  contract: Contract<M, E>,
): Contract<M, E> {
  for (const event of Object.values(contract.events)) {
    if (!event.name.startsWith(`${contract.module}.`)) {
      throw new Error(`event ${event.name} must be named ${contract.module}.<Name>`);
    }
  }
  return contract;
}

export function defineMethod<I extends TSchema, O extends TSchema>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

export function defineEvent<P extends TSchema>(spec: EventSpec<P>): EventSpec<P> {
  return spec;
}

/** The facade a contract describes: one async method per declared method, plain JSON in and out. */
export type Facade<C extends Contract> = {
  [K in keyof C['methods']]: (input: Static<C['methods'][K]['input']>) => Promise<Static<C['methods'][K]['output']>>;
};

export type EventPayload<E extends EventSpec> = Static<E['payload']>;

/** An event as it travels: the envelope every subscriber receives. */
export interface EventEnvelope<P = unknown> {
  id: string;
  name: string;
  version: number;
  aggregateId: string;
  occurredAt: string;
  payload: P;
}

/** The registration name of a module's facade in the container, e.g. `operationsFacade`. */
export function facadeName(contract: Contract): string {
  return `${contract.module}Facade`;
}

/**
 * Wraps an implementation so every call is validated against the contract on
 * the way in and out, exactly as it would be across a network.
 */
export function bindFacade<C extends Contract>(contract: C, impl: Facade<C>): Facade<C> {
  const bound: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const [method, spec] of Object.entries(contract.methods)) {
    const checkInput = validator(spec.input);
    const checkOutput = validator(spec.output);
    const fn = (impl as Record<string, (input: unknown) => Promise<unknown>>)[method];
    if (typeof fn !== 'function') {
      throw new Error(`${contract.module} facade does not implement ${method}() of its contract`);
    }
    bound[method] = async (input) => {
      const output = await fn.call(impl, checkInput(input, `/${method}`));
      const problems = checkOutput.check(output);
      // A bad answer is the provider's bug, never the caller's: it must not look like a 422.
      if (problems.length > 0) {
        throw new Error(`${contract.module}.${method}() broke its contract: ${JSON.stringify(problems.slice(0, 3))}`);
      }
      return output;
    };
  }
  return bound as Facade<C>;
}
