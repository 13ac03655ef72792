/** Operations booted alone: Billing is a stub that honours Billing's contract. */
import type { ExecutionContext } from 'ava';
import { operationsModule } from '../../modules/operations/index.ts';
import { billingStubModule, billingStubOf } from '../fixtures/modules/billingStub/index.ts';
import type { Dialect } from '../helpers/databases.ts';
import { boot, type Booted } from '../helpers/server.ts';

export interface OperationsTest {
  api: Booted;
  ops: string;
  finance: string;
  billing: ReturnType<typeof billingStubOf>;
  /** A publisher with one app and one ad unit. */
  seed(name?: string, bundleId?: string): Promise<{ publisherId: string; appId: string; adUnitId: string }>;
}

export async function bootOperations(
  t: ExecutionContext,
  dialect: Dialect,
  options: Parameters<typeof boot>[2] = {},
): Promise<OperationsTest> {
  const api = await boot(t, dialect, { modules: [operationsModule, billingStubModule], ...options });
  const ops = await api.token('ops');
  const finance = await api.token('finance');
  let n = 0;
  return {
    api,
    ops,
    finance,
    billing: billingStubOf(api.app),
    async seed(name = `Studio ${++n}`, bundleId = `com.studio${n}.game${Math.random().toString(36).slice(2, 8)}`) {
      const publisher = await api.post('/v1/publishers', { name, contactEmail: 'ops@studio.example', country: 'DE' }, ops);
      const app = await api.post(`/v1/publishers/${publisher.body.id}/apps`, { name: `${name} Game`, platform: 'android', bundleId }, ops);
      const unit = await api.post(`/v1/apps/${app.body.id}/ad-units`, { name: 'feed', format: 'native' }, ops);
      if (unit.status !== 201) throw new Error(`seed failed: ${publisher.text} ${app.text} ${unit.text}`);
      return { publisherId: publisher.body.id, appId: app.body.id, adUnitId: unit.body.id };
    },
  };
}
