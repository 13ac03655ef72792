import net from 'node:net';
import test from 'ava';
import { billingModule } from '../../modules/billing/index.ts';
import { operationsModule } from '../../modules/operations/index.ts';
import { boot } from '../helpers/server.ts';
import { SERVICE_TOKEN } from '../helpers/split.ts';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('a request that needs a module whose process does not answer is 503 MODULE_UNAVAILABLE, not a 500', async (t) => {
  const api = await boot(t, 'sqlite', {
    modules: [operationsModule, billingModule],
    env: {
      SEAMS_MODULES: 'billing',
      SEAMS_REMOTE_OPERATIONS: `http://127.0.0.1:${await closedPort()}`,
      SEAMS_SERVICE_TOKEN: SERVICE_TOKEN,
    },
  });
  // A publisher token names a publisher: Billing's process asks Operations whether it exists.
  const res = await api.post('/v1/tokens', { role: 'publisher', publisherId: 'pub_01M8NR5TJMZM6H8YFRY7W6RG1W' });
  t.is(res.status, 503, res.text);
  t.like(res.body, { status: 503, code: 'MODULE_UNAVAILABLE' });
  t.is(res.headers.get('content-type'), 'application/problem+json');
});
