import fs from 'node:fs';
import test from 'ava';
import { README, mountedRoutes, renderRolesTable, withRolesTable } from '../../src/tools/rolesTable.ts';

test("README's roles table is the one the mounted routes' declared roles give (run `npm run roles:table` when a route or its roles change)", async (t) => {
  const readme = fs.readFileSync(README, 'utf8');
  const table = renderRolesTable(await mountedRoutes());
  t.is(withRolesTable(readme, table), readme);
  // Spot checks against the API specification's roles.
  const row = (route: string) => table.split('\n').find((line) => line.includes(`\`${route}\``));
  t.regex(row('PATCH /v1/invoices/{id}') ?? '', /\| ✓ \| — \| ✓ \| — \|$/);
  t.regex(row('GET /v1/invoices/{id}/pdf') ?? '', /\| ✓ \| ✓ \| ✓ \| its own \|$/);
  t.regex(row('PUT /v1/delivery-reports') ?? '', /\| ✓ \| ✓ \| — \| — \|$/);
  t.regex(row('POST /v1/tokens') ?? '', /\| ✓ \| — \| — \| — \|$/);
});

test('the roles table replaces only what lies between its markers, and a README without them is refused', (t) => {
  const table = renderRolesTable([]);
  const readme = `# x\n\n${table}\n\nafter\n`;
  t.is(withRolesTable(readme.replace('| module |', '| stale |'), table), readme);
  t.throws(() => withRolesTable('# no markers\n', table), { message: /no roles table markers/ });
});
