import test from 'ava';
import { dialects } from '../helpers/databases.ts';
import { PERIOD, bootBilling } from './billingApp.ts';

for (const dialect of dialects) {
  test(`[${dialect}] lifecycle: draft → void and issued → void publish InvoiceVoided; illegal moves 409, stale If-Match 412, bad bodies 422`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance, ops } = billing;
    const a = await billing.earner('a', 10_000_000);
    const b = await billing.earner('b', 10_000_000);
    const c = await billing.earner('c', 10_000_000);
    await billing.run();
    const [draftA, draftB, draftC] = await Promise.all([a, b, c].map((id) => billing.draftOf(id)));
    const path = (invoice: { id: string }) => `/v1/invoices/${invoice.id}`;

    const voidedDraft = await billing.patch(path(draftA), { status: 'void', reason: 'duplicate account' });
    t.is(voidedDraft.status, 200);
    t.like(voidedDraft.body, { status: 'void', number: null, voidReason: 'duplicate account', version: 2 });
    t.truthy(voidedDraft.body.voidedAt);

    t.is((await billing.issue(draftB.id)).status, 200);
    const stale = await billing.patch(path(draftB), { status: 'void' }, finance, { 'if-match': '"1"' });
    t.is(stale.status, 412);
    t.is(stale.body.code, 'BILLING.VERSION_MISMATCH');
    const voidedIssued = await billing.patch(path(draftB), { status: 'void' }, finance, { 'if-match': '"2"' });
    t.is(voidedIssued.status, 200);
    t.like(voidedIssued.body, { status: 'void', voidReason: null });

    const events = await billing.received(3);
    t.deepEqual(
      events.map((e) => [e.name, e.payload.invoiceId]),
      [
        ['billing.InvoiceVoided', draftA.id],
        ['billing.InvoiceIssued', draftB.id],
        ['billing.InvoiceVoided', draftB.id],
      ],
    );
    t.deepEqual(events[0]!.payload, {
      invoiceId: draftA.id,
      publisherId: a,
      period: PERIOD,
      number: null,
      wasIssued: false,
      voidedAt: voidedDraft.body.voidedAt,
    });
    t.like(events[2]!.payload, { number: voidedIssued.body.number, wasIssued: true });

    for (const [invoice, status] of [
      [draftA, 'issued'],
      [draftA, 'void'],
      [draftB, 'issued'],
    ] as const) {
      const illegal = await billing.patch(path(invoice), { status });
      t.is(illegal.status, 409, `${invoice.id} → ${status}`);
      t.is(illegal.body.code, 'BILLING.ILLEGAL_TRANSITION');
    }
    // Paid invoices are final.
    await billing.issue(draftC.id);
    await api.post(`${path(draftC)}/payments`, { amountMinor: 700, receivedOn: '2026-04-01', reference: 'R1' }, finance);
    t.is((await billing.patch(path(draftC), { status: 'void' })).status, 409);
    t.is((await billing.patch(path(draftC), { status: 'issued' })).status, 409);

    for (const body of [
      { status: 'paid' },
      { status: 'draft' },
      {},
      { status: 'void', totalMinor: 1 },
      { status: 'issued', reason: 'x' },
      { status: 'void', reason: '' },
    ]) {
      t.is((await billing.patch(path(draftC), body)).status, 422, JSON.stringify(body));
    }
    t.is((await billing.patch('/v1/invoices/inv_nope', { status: 'issued' })).status, 404);
    t.is((await billing.patch(path(draftC), { status: 'void' }, ops)).status, 403);
    t.is((await api.request('PATCH', path(draftC), { body: { status: 'void' }, token: null })).status, 401);
  });

  test(`[${dialect}] an issued invoice with payments cannot be voided`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const id = await billing.earner('partly', 10_000_000);
    await billing.run();
    const draft = await billing.draftOf(id);
    await billing.issue(draft.id);
    await billing.api.post(
      `/v1/invoices/${draft.id}/payments`,
      { amountMinor: 100, receivedOn: '2026-04-01', reference: 'R1' },
      billing.finance,
    );
    const refused = await billing.patch(`/v1/invoices/${draft.id}`, { status: 'void' });
    t.is(refused.status, 409);
    t.is(refused.body.code, 'BILLING.INVOICE_HAS_PAYMENTS');
  });

  test(`[${dialect}] listing: filters, newest period first, stable keyset pages; bad query parameters are 422`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const { api, finance, ops, stub } = billing;
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push(await billing.publisher(name));
    for (const period of ['2026-01', '2026-02']) {
      for (const id of ids) stub.setEarnings(period, id, [{ appId: 'app_1', name: 'Game', impressions: 1, grossMicros: 5_000_000 }]);
      await billing.run(period);
    }
    await billing.issue((await billing.invoicesOf(ids[0]!))[0].id);

    const pages: any[] = [];
    let cursor: string | null = null;
    do {
      const res: any = await api.get(`/v1/invoices?limit=4${cursor ? `&cursor=${cursor}` : ''}`, ops);
      t.is(res.status, 200);
      pages.push(...res.body.data);
      cursor = res.body.nextCursor;
    } while (cursor);
    t.is(pages.length, 6);
    t.is(new Set(pages.map((i) => i.id)).size, 6, 'no invoice twice');
    t.deepEqual(
      pages.map((i) => i.period),
      ['2026-02', '2026-02', '2026-02', '2026-01', '2026-01', '2026-01'],
    );
    const sorted = [...pages].sort((x, y) => (x.period === y.period ? (x.id < y.id ? 1 : -1) : x.period < y.period ? 1 : -1));
    t.deepEqual(
      pages.map((i) => i.id),
      sorted.map((i) => i.id),
    );

    const filtered = await api.get(`/v1/invoices?publisherId=${ids[0]}&period=2026-02`, finance);
    t.is(filtered.body.data.length, 1);
    t.like(filtered.body.data[0], { publisherId: ids[0], period: '2026-02' });
    const issued = await api.get('/v1/invoices?status=issued', finance);
    t.deepEqual(
      issued.body.data.map((i: { publisherId: string }) => i.publisherId),
      [ids[0]],
    );

    for (const query of [
      'limit=0',
      'limit=101',
      'status=bogus',
      'period=2026-13',
      'cursor=notacursor',
      'sort=id',
      `cursor=${Buffer.from('[1,2]').toString('base64url')}`,
    ]) {
      const res = await api.get(`/v1/invoices?${query}`, finance);
      t.is(res.status, 422, query);
    }
    t.is((await api.get('/v1/invoices/inv_nope', finance)).status, 404);
    t.is((await api.get('/v1/invoices', null)).status, 401);
  });

  test(`[${dialect}] money is exact: one half-up rounding per line from gross, total = sum of lines, a billion-dollar month`, async (t) => {
    const billing = await bootBilling(t, dialect);
    const apps = [
      // 1,250,000 µ$ × 50% = 62.5 ¢ → 63 (a tie goes up)
      { appId: 'app_1', name: 'Tie', impressions: 10, grossMicros: 1_250_000 },
      // 1,249,999 µ$ × 50% = 62.49995 ¢ → 62
      { appId: 'app_2', name: 'Below', impressions: 10, grossMicros: 1_249_999 },
    ];
    const half = await billing.earner('half', 0, { revenueShareBps: 5_000, apps });
    // 15,000 µ$ × 33.33% = 0.49995 ¢ → 0: rounding the share to whole micros first would make it 1 ¢.
    const once = await billing.earner('once', 0, {
      revenueShareBps: 3_333,
      apps: [
        { appId: 'app_1', name: 'Tiny', impressions: 1, grossMicros: 15_000 },
        { appId: 'app_2', name: 'Big', impressions: 1, grossMicros: 3_000_000 },
      ],
    });
    // ~1 billion USD: gross × bps ≈ 10^19, far above 2^53; floating point would give one cent more.
    const gross = 1_000_000_050_010_001;
    const huge = await billing.earner('huge', gross, { revenueShareBps: 9_999 });
    t.not(Math.round((gross * 9_999) / 1e8), 99_990_005_000, 'this case breaks floating point');

    await billing.run();
    const halfDraft = await billing.draftOf(half);
    t.deepEqual(
      halfDraft.lines.map((l: { amountMinor: number }) => l.amountMinor),
      [63, 62],
    );
    t.is(halfDraft.totalMinor, 125);
    const onceDraft = await billing.draftOf(once);
    t.deepEqual(
      onceDraft.lines.map((l: { amountMinor: number }) => l.amountMinor),
      [0, 100],
    ); // 3 USD × 33.33% = 99.99 ¢ → 100
    t.is(onceDraft.totalMinor, 100);
    const hugeDraft = await billing.draftOf(huge);
    t.is(hugeDraft.totalMinor, 99_990_005_000);
    t.is(hugeDraft.lines[0].amountMinor, 99_990_005_000);
    const issued = await billing.issue(hugeDraft.id);
    t.is(issued.body.totalMinor, 99_990_005_000);
    const stored = await billing.db('invoices').where({ id: hugeDraft.id }).first();
    t.is(String(stored.total_minor), '99990005000');
  });
}
