import { Writable } from 'node:stream';
import test from 'ava';
import { makeProgress } from '../../src/platform/progress.ts';

function sink(isTTY: boolean) {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, done) {
        text += chunk;
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => text };
}

test('on a terminal the bar redraws in place with count, rate and ETA', (t) => {
  let now = 0;
  const out = sink(true);
  const progress = makeProgress(out.stream, 'import', 'rows', 1000, () => now);
  now = 1000;
  progress.update(250);
  t.is(out.text(), '\r\x1b[2Kimport [#####---------------]  25% 250/1,000 rows, 250 rows/s, ETA 3s');
  now = 1050;
  progress.update(260);
  t.is(out.text().split('\r').length, 2, 'no redraw within 100 ms');
  now = 4000;
  progress.update(1000);
  progress.finish();
  t.regex(out.text(), /100% 1,000\/1,000 rows, 250 rows\/s, ETA 0s\nimport done: 1,000 rows in 4\.0s\n$/);
});

test('without a terminal it writes plain progress lines every two seconds', (t) => {
  let now = 0;
  const out = sink(false);
  const progress = makeProgress(out.stream, 'import', 'rows', undefined, () => now);
  for (let at = 500; at <= 5000; at += 500) {
    now = at;
    progress.update(at * 10);
  }
  progress.finish('50,000 rows written');
  const lines = out.text().trimEnd().split('\n');
  t.deepEqual(lines, [
    'import 5,000 rows, 10,000 rows/s, ETA ?',
    'import 25,000 rows, 10,000 rows/s, ETA ?',
    'import 45,000 rows, 10,000 rows/s, ETA ?',
    'import 50,000 rows, 10,000 rows/s, ETA ?',
    'import done: 50,000 rows written in 5.0s',
  ]);
  t.false(out.text().includes('\r'));
});

test("a byte count reads as kB/MB of the exact total, with the caller's detail instead of a byte rate; clear() ends it without a summary", (t) => {
  let now = 0;
  const out = sink(true);
  const progress = makeProgress(out.stream, 'import', 'bytes', 25_000_000, () => now);
  now = 2000;
  progress.update(5_000_000, 25_000_000, '120,000 rows, 60,000 rows/s');
  t.is(out.text(), '\r\x1b[2Kimport [####----------------]  20% 5.0 MB of 25.0 MB, 120,000 rows, 60,000 rows/s, ETA 8s');
  progress.clear();
  t.true(out.text().endsWith('\r\x1b[2K'), 'the bar is wiped');
  t.false(out.text().includes('done'));
});
