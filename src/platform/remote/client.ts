/**
 * A module that runs in another process, reached over HTTP: its facade is
 * derived from its contract (no hand-written client), calls are validated on
 * the way out and in, domain errors come back as the same DomainError, reads
 * declared idempotent are retried, and connections are pooled (keep-alive).
 */
import { lazyPool } from '../http/lazyPool.ts';
import { DomainError, validator, type Contract, type ErrorKind, type EventEnvelope, type FieldError } from '../../kernel/index.ts';
import { DeliveryUnavailable } from '../events/dispatcher.ts';

export interface RemoteOptions {
  timeoutMs: number;
  retries: number;
  connections: number;
}

const DEFAULTS: RemoteOptions = { timeoutMs: 10_000, retries: 2, connections: 32 };

export class RemoteCallError extends Error {
  /** The failure may pass (worth retrying an idempotent read). */
  readonly retryable: boolean;
  /** The request surely did not reach the handler (no connection, or refused at the door). */
  readonly unreached: boolean;

  constructor(message: string, retryable: boolean, unreached = false) {
    super(message);
    this.name = 'RemoteCallError';
    this.retryable = retryable;
    this.unreached = unreached;
  }
}

/** Errors that mean no connection was made, so the request never reached the other process. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);
/** Answers of a process that is not serving (draining, not ready) or of a gateway without a live upstream. */
const NOT_SERVING = new Set([502, 503]);

interface ProblemBody {
  code?: string;
  kind?: ErrorKind;
  detail?: string;
  errors?: FieldError[];
}

export function remoteModule(baseUrl: string, serviceToken: string, given: Partial<RemoteOptions> = {}) {
  const options = { ...DEFAULTS, ...given };
  const pool = lazyPool(baseUrl, {
    connections: options.connections,
    keepAliveTimeout: 30_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
  });

  async function post(path: string, body: unknown): Promise<{ status: number; json: unknown }> {
    let response;
    try {
      response = await pool.request({
        path,
        method: 'POST',
        headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      throw new RemoteCallError(`${baseUrl}${path} unreachable: ${(error as Error).message}`, true, NOT_CONNECTED.has(code));
    }
    const text = await response.body.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new RemoteCallError(
        `${baseUrl}${path} answered ${response.statusCode} with a body that is not JSON`,
        response.statusCode >= 500,
        NOT_SERVING.has(response.statusCode),
      );
    }
    return { status: response.statusCode, json };
  }

  /** Calls once, or retries with backoff when `retry` allows and the failure is transient. */
  async function call(path: string, body: unknown, retry: boolean): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      try {
        const { status, json } = await post(path, body);
        if (status >= 200 && status < 300) return json;
        const problem = (json ?? {}) as ProblemBody;
        if (status < 500 && problem.code && problem.kind) {
          throw new DomainError(problem.code, problem.kind, problem.detail ?? problem.code, problem.errors);
        }
        throw new RemoteCallError(`${baseUrl}${path} answered ${status}: ${problem.detail ?? ''}`, status >= 500, NOT_SERVING.has(status));
      } catch (error) {
        const transient = error instanceof RemoteCallError && error.retryable;
        if (!retry || !transient || attempt >= options.retries) throw error;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * (0.5 + Math.random())));
      }
    }
  }

  return {
    facade<C extends Contract>(contract: C): Record<string, (input: unknown) => Promise<unknown>> {
      const facade: Record<string, (input: unknown) => Promise<unknown>> = {};
      for (const [method, spec] of Object.entries(contract.methods)) {
        const checkInput = validator(spec.input);
        const checkOutput = validator(spec.output);
        facade[method] = async (input) => {
          let output: unknown;
          try {
            output = await call(`/internal/${contract.module}/${method}`, checkInput(input, `/${method}`), spec.idempotent);
          } catch (error) {
            // Nobody there (no connection, or a process draining): the caller sees the module as unavailable, a kernel error.
            if (error instanceof RemoteCallError && error.unreached) {
              throw new DomainError('MODULE_UNAVAILABLE', 'unavailable', `${contract.module} does not answer: ${error.message}`);
            }
            throw error;
          }
          const problems = checkOutput.check(output);
          if (problems.length > 0)
            throw new RemoteCallError(
              `${contract.module}.${method}() answered outside its contract: ${JSON.stringify(problems.slice(0, 3))}`,
              false,
            );
          return output;
        };
      }
      return facade;
    },

    /** Delivers an event into the remote module's inbox (the dispatcher retries on failure; an unreached process costs no attempt). */
    async deliverEvent(module: string, subscriber: string, event: EventEnvelope): Promise<void> {
      try {
        await call(`/internal/${module}/events`, { subscriber, event }, false);
      } catch (error) {
        if (error instanceof RemoteCallError && error.unreached) throw new DeliveryUnavailable(error.message, module);
        throw error;
      }
    },

    close: () => pool.close(),
  };
}

export type RemoteModule = ReturnType<typeof remoteModule>;
