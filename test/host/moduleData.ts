/** Data in a module's database as seams writes it: publishers registered, Billing's accounts opened from their events. */
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { waitUntil } from '../helpers/wait.ts';

/** Registers publishers and waits for Billing to open their accounts (its inbox and tables filled); answers their ids. */
export async function billingAccountsOpened(settings: NodeJS.ProcessEnv, names = ['Pixel Forge', 'Tiny Wings']): Promise<string[]> {
  const app = await createApp(loadConfig({ ...settings, LOG_LEVEL: 'silent', SEAMS_DB_POOL_MAX: '2' }));
  try {
    const operations = app.modules.find((m) => m.definition.name === 'operations')!.container.cradle as any;
    const ids: string[] = [];
    for (const name of names)
      ids.push((await operations.publishers.register({ name, contactEmail: 'money@example.com', country: 'FI' })).id);
    app.start();
    const accounts = app.databases.get('billing')!.knex;
    await waitUntil(
      async () => Number((await accounts('billing_accounts').count({ n: '*' }))[0]!.n) === names.length,
      20_000,
      'the billing accounts',
    );
    return ids;
  } finally {
    await app.close();
  }
}
