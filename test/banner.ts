/** Printed before the suite: which database suites run, and how to run the skipped one. */
const url = process.env.TEST_DATABASE_URL;
const lines = [
  'Database suites:',
  '  sqlite      RUN   (a fresh SQLite directory per test)',
  url
    ? `  postgres    RUN   (a fresh database per test on ${url.replace(/\/\/[^@]*@/, '//')})`
    : '  postgres    SKIPPED — set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it',
];
process.stdout.write(`${lines.join('\n')}\n\n`);
