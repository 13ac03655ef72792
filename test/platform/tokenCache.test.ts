/**
 * The view in memory of the tokens requests were checked against: it answers a token read lately
 * without reading again, never one older than its age limit, never one read across a change, and
 * holds a bounded number of tokens however many ids are presented.
 */
import test from 'ava';
import { makeTokenCache, type CheckedToken } from '../../src/platform/auth/tokenCache.ts';

const token = (role: CheckedToken['role']): CheckedToken => ({
  role,
  publisherId: null,
  secretHash: Buffer.alloc(32),
  revoked: false,
  publisherSuspended: false,
});

/** A read that counts its calls and answers what `rows` holds now. */
function store(rows: Map<string, CheckedToken>) {
  const reads: string[] = [];
  return { reads, read: async (id: string) => (reads.push(id), rows.get(id)) };
}

test('a token read lately is answered without reading it again, until it is older than the age limit', async (t) => {
  let now = 0;
  const cache = makeTokenCache({ maxAgeMs: 500, now: () => now });
  const rows = new Map([['tok_a', token('ops')]]);
  const { reads, read } = store(rows);
  t.is((await cache.get('tok_a', read))?.role, 'ops');
  now = 499;
  rows.set('tok_a', { ...token('ops'), revoked: true });
  t.false((await cache.get('tok_a', read))?.revoked);
  t.is(reads.length, 1);
  now = 500;
  t.true((await cache.get('tok_a', read))?.revoked, 'read again at the age limit');
  t.is(reads.length, 2);
});

test('an unknown id is read every time, so a token created elsewhere is found at once', async (t) => {
  const cache = makeTokenCache();
  const rows = new Map<string, CheckedToken>();
  const { reads, read } = store(rows);
  t.is(await cache.get('tok_new', read), undefined);
  rows.set('tok_new', token('finance'));
  t.is((await cache.get('tok_new', read))?.role, 'finance');
  t.is(reads.length, 2);
});

test('a change empties the view, and a read under way while it happened is not kept', async (t) => {
  const cache = makeTokenCache();
  const rows = new Map([['tok_a', token('ops')]]);
  const { reads, read } = store(rows);
  await cache.get('tok_a', read);
  cache.changed();
  t.is(cache.size, 0);

  // A read that saw the row before a revocation committed, and ends after it.
  let finish!: () => void;
  const slow = (id: string) => {
    const seen = rows.get(id);
    return new Promise<CheckedToken | undefined>((resolve) => (finish = () => resolve(seen)));
  };
  const underWay = cache.get('tok_a', slow);
  rows.set('tok_a', { ...token('ops'), revoked: true });
  cache.changed();
  finish();
  t.false((await underWay)?.revoked, 'that request was checked against the row it read');
  t.true((await cache.get('tok_a', read))?.revoked, 'the next one reads again');
  t.is(reads.length, 2);
});

test('a flood of distinct ids keeps at most the bound, dropping the oldest first', async (t) => {
  const cache = makeTokenCache({ maxEntries: 100 });
  const { reads, read } = store(new Map(Array.from({ length: 1_000 }, (_, i) => [`tok_${i}`, token('ops')])));
  for (let i = 0; i < 1_000; i++) await cache.get(`tok_${i}`, read);
  t.is(cache.size, 100);
  await cache.get('tok_999', read);
  t.is(reads.length, 1_000, 'the newest is kept');
  await cache.get('tok_0', read);
  t.is(reads.length, 1_001, 'the oldest was dropped');
});
