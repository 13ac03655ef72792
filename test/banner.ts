/** Printed before the suite: which database suites run, and how to run the skipped one. */
import { nginxInstalled } from './helpers/nginx.ts';

const url = process.env.TEST_DATABASE_URL;
const lines = [
  'Database and ingress suites:',
  '  sqlite      RUN   (a fresh SQLite directory per test)',
  url
    ? `  postgres    RUN   (a fresh database per test on ${url.replace(/\/\/[^@]*@/, '//')})`
    : '  postgres    SKIPPED — set TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test to run it',
  nginxInstalled() || process.env.CI
    ? '  nginx       RUN   (the sample ingress, deploy/nginx/seams-split.conf, in front of a split)'
    : "  nginx       SKIPPED — install Debian's nginx-light (apt-get install -y nginx-light) to run the sample ingress test",
];
process.stdout.write(`${lines.join('\n')}\n\n`);
