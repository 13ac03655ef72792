import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { waitUntil } from '../helpers/wait.ts';
import { bootBilling, captureIO } from './billingApp.ts';

for (const dialect of dialects) {
  test(`[${dialect}] a billing account follows the publisher's name and email until finance overrides them, field by field`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance, stub } = billing;
    const id = await billing.publisher('Acme', { contactEmail: 'ops@acme.example' });
    const account = async () => (await api.get(`/v1/billing-accounts/${id}`, finance)).body;
    const atVersion = (version: number) =>
      waitUntil(async () => ((await account()).version === version ? account() : null), 10_000, `version ${version}`);

    await stub.update(id, { name: 'Acme Studios' });
    t.like(await atVersion(2), { legalName: 'Acme Studios', billingEmail: 'ops@acme.example', overriddenFields: [] });

    const patched = await billing.patch(
      `/v1/billing-accounts/${id}`,
      { legalName: 'Acme Studios Oy', taxId: 'FI12345678', paymentTermsDays: 45 },
      finance,
      { 'if-match': '"2"' },
    );
    t.is(patched.status, 200);
    t.is(patched.headers.get('etag'), '"3"');
    t.like(patched.body, {
      legalName: 'Acme Studios Oy',
      taxId: 'FI12345678',
      paymentTermsDays: 45,
      overriddenFields: ['legalName'],
      version: 3,
    });

    // The name is finance's now; the email still follows Operations.
    await stub.update(id, { name: 'Acme Renamed', contactEmail: 'billing@acme.example' });
    t.like(await atVersion(4), { legalName: 'Acme Studios Oy', billingEmail: 'billing@acme.example' });

    // null hands the field back to Operations.
    const followed = await billing.patch(`/v1/billing-accounts/${id}`, { legalName: null, billingEmail: 'ap@acme.example' }, finance);
    t.like(followed.body, { legalName: 'Acme Renamed', billingEmail: 'ap@acme.example', overriddenFields: ['billingEmail'], version: 5 });

    // Sending what is already there changes nothing, not even the version.
    const same = await billing.patch(`/v1/billing-accounts/${id}`, { billingEmail: 'ap@acme.example' }, finance);
    t.is(same.body.version, 5);
  });

  test(`[${dialect}] billing accounts: 412 on a stale If-Match, 422 on bad or unknown fields, 404, 401 and 403`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance, ops } = billing;
    const id = await billing.publisher('Beta');
    const path = `/v1/billing-accounts/${id}`;

    const stale = await billing.patch(path, { taxId: 'X1' }, finance, { 'if-match': '"7"' });
    t.is(stale.status, 412);
    t.is(stale.body.code, 'BILLING.VERSION_MISMATCH');
    t.is((await billing.patch(path, { taxId: 'X1' }, finance, { 'if-match': 'nonsense' })).status, 412);
    t.is((await api.get(path, finance)).body.taxId, null, 'nothing changed');

    const unknown = await billing.patch(path, { currency: 'EUR' }, finance);
    t.is(unknown.status, 422);
    t.deepEqual(unknown.body.errors, [{ path: '/currency', message: 'is not an allowed field' }]);
    t.is((await billing.patch(path, {}, finance)).status, 422);
    t.is((await billing.patch(path, { billingEmail: 'not-an-email' }, finance)).status, 422);
    t.is((await billing.patch(path, { paymentTermsDays: -1 }, finance)).status, 422);
    t.is((await billing.patch(path, { paymentTermsDays: 12.5 }, finance)).status, 422);
    t.is((await billing.patch(path, { legalName: '' }, finance)).status, 422);

    const missing = await api.get('/v1/billing-accounts/pub_nobody', finance);
    t.is(missing.status, 404);
    t.is(missing.body.code, 'BILLING.ACCOUNT_NOT_FOUND');
    t.is((await billing.patch('/v1/billing-accounts/pub_nobody', { taxId: 'X' }, finance)).status, 404);

    t.is((await api.get(path, null)).status, 401);
    t.is((await api.get(path, ops)).status, 403);
    t.is((await billing.patch(path, { taxId: 'X' }, ops)).status, 403);
    t.is((await api.get(path, await api.token('publisher', id))).status, 403, 'not even its own publisher');
    t.is((await api.get(path)).status, 200, 'admin may');
  });
}

for (const dialect of dialects) {
  test(`[${dialect}] CLI billing accounts sync opens accounts for active publishers that have none, and leaves the rest alone`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const [kept, lost] = await billing.earners(2, 0);
    await billing.patch(`/v1/billing-accounts/${kept}`, { legalName: 'Kept Oy' });
    // As if `lost` had been registered before Billing ran: no event ever reached Billing.
    await billing.db('billing_accounts').where({ publisher_id: lost }).delete();
    const sync = billing.definition.commands!(billing.cradle).find((c) => c.name === 'billing accounts sync')!;
    const cli = captureIO();
    t.is(await sync.run({ args: {}, options: {} }, cli.io), 0);
    t.is(cli.out(), '1\n');
    t.like((await billing.api.get(`/v1/billing-accounts/${lost}`, billing.finance)).body, {
      legalName: 'publisher 1',
      currency: 'USD',
      paymentTermsDays: 30,
      version: 1,
    });
    t.like((await billing.api.get(`/v1/billing-accounts/${kept}`, billing.finance)).body, { legalName: 'Kept Oy', version: 2 });
    t.is(await sync.run({ args: {}, options: {} }, captureIO().io), 0);
  });
}
