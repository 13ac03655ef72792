/** "Goals not met, and why": the goals missed or undecided, and what is known of why. */
import type { Goal } from './lib/verdict.ts';
import { HOP_WHY } from './reportHop.ts';

/** `hot-ratio-sqlite` → `hot-ratio-sqlite` if explained for that database, else `hot-ratio`. */
function whyKey(id: string): string {
  return WHY[id] ? id : id.replace(/-(sqlite|postgres)$/, '');
}

/**
 * Why a goal is missed, from the profiles and experiments behind these figures; printed only for missed goals.
 * Where a text explains a figure from before issue 17 (old goals, old code), it says so and what is to be re-measured.
 */
const WHY: Record<string, string> = {
  'hot-ratio': `**The hot read path.** The bare app runs the invoice query and the line query and nothing else. seams runs the same two queries as kept prepared statements with named columns (\`db.select()\`: on SQLite rows read as arrays, on PostgreSQL named statements without Knex's runner), and on every request also does what the product promises:

- **The token is checked** against a view in memory of the process's replica (read again after 500 ms, emptied by every change made or merged in the process): no database read for a token in use, but the secret is still hashed (SHA-256) and compared in constant time.
- **AsyncLocalStorage** keeps the request's context and the route being served, so that facade calls are counted per calling route (the extraction report's hops per endpoint). On Node 20 it turns on async hooks for every promise (\`promiseInitHook\`, \`_propagate\` in the profile); earlier measurements put it at 9 % (SQLite) to 12 % (PostgreSQL) of throughput, and a build with it taken out used 10 % less CPU per request (Node 20, SQLite, six alternating rounds). Node 24's AsyncContextFrame (on by default there) removes most of that cost: compare the Node 24 column of the goals table.
- The rest is spread thin: the request log line (buffered, written asynchronously), the Prometheus counter and histogram, the security headers (worked out once at start), Ajv on the query string, the API's router (a request is matched against the one router its path names), and a larger object graph per request (GC).

Where the difference lies, from CPU profiles of both servers under the same load on Node 20 and SQLite (8 rounds, 0.67× median): seams spends about 630 µs of CPU per request, the bare app about 430 µs. The two queries cost seams less than the bare app (the kept statements read as arrays: 27 % of seams' busy time against 50 % in Knex's runner and \`prepare\` for the bare app), so the whole difference, and more, is the stack around them: garbage collection 11 % of seams' time against 3 % (more objects per request: the request's context, the validated query, the view of each invoice, the log entry, the metrics labels), the middleware chain (request context, compression's check, the problem handler, the security headers, the router, which builds a middleware chain for each request) and Koa's response work over 14 headers instead of 4. Measured apart: a pino line costs about 6 µs, the two metrics calls under 1 µs, AsyncLocalStorage about 0.08 µs per \`await\` (50 awaits: 2.0 µs without, 6.0 µs inside a run). No single part is more than a few percent; what is left is the price of the features, taken per request.

Each of these is a feature; the per-request work that was waste is gone (see "What was changed").`,
  'hot-tail':
    '**Tail latency.** p99 stays within 3× p50 in quiet runs; on a busy machine (see the load average) single rounds show longer tails, from other processes taking the server core.',
  ...HOP_WHY,
  'ingest-postgres':
    '**Ingest on PostgreSQL.** The import COPYs each batch into a temporary table and upserts from it with one `INSERT … SELECT … ON CONFLICT DO UPDATE`; the floor COPYs straight into the table and cannot upsert. Timed in psql on 100,000 rows: COPY 0.87 s; COPY into the temporary table 0.1 s, then the upsert from it 1.06 s: the upsert a resent day needs costs PostgreSQL about 1.2× the whole COPY. Beside it the CLI spends about 10 s of CPU on 1,000,000 lines (parsing, checking every row, building the COPY text), on the same two cores.',
  'ingest-sqlite':
    "**Ingest on SQLite.** One kept single-row upsert per row in large transactions; `INSERT … ON CONFLICT DO UPDATE` does more per row than the floor's plain INSERT. And on SQLite the CLI does everything on one thread: better-sqlite3 writes synchronously, so reading, parsing and checking each line cannot overlap the writes as they do on PostgreSQL, while the floor only writes. On the machine of the page before this one, with a slower floor (80,000 rows/s against 106,000–111,000 here), the same import was 1.02× (see the notes below). Parsing and checking in a worker thread beside the writes would be the next step.",
  'run-ratio-postgres':
    "**Invoice run on PostgreSQL.** The floor aggregates the whole month in one statement and inserts in bulk; seams works a page of 1,000 accounts at a time, so that a run is resumable page by page, its progress is visible, memory stays flat and Billing asks Operations for earnings only through its facade. A page is three statements and one commit: the accounts with their live invoice, the earnings call (each ad unit's days summed by its own index range: about 60 % of the database time, reading one heap block per delivery row), and one guarded write of the drafts, lines, failures and the run's cursor (about 35 %: the inserts and the lines' foreign-key checks, as the floor's); plus about 2 s for the CLI to start the app. An index of `delivery_reports (ad_unit_id, day)` that includes the counts would let the earnings read skip the heap, once vacuumed: not tried.",
  'run-ratio':
    '**Invoice run.** See the invoice-run profile below: the time goes to the earnings aggregation per page and to writing the page.',
  'run-linear':
    '**Invoice run growth.** See the invoice-run profile: a page costs the same wherever it is in the run unless the database plans it differently at that size.',
  'run-memory':
    '**Invoice run memory.** The run holds one page at a time; V8 lets its heap grow before collecting, so peak RSS rises with work done rather than with data held.',
  'startup-ready':
    "**Start-up.** seams starts as it ships: `npm start` brings `dist/` up to date (each TypeScript file compiled once, by `npm run build`), then runs `node --enable-source-maps dist/src/main.js`, with no TypeScript loader in the process. Before that build step a start on Node 20 took 2.1–2.9 s and 149–156 MiB, of which tsx's loader thread took about 0.4 s and its transforms most of the rest of the difference. A CPU profile of a compiled start on Node 20 and an empty SQLite database (about 0.95 s of CPU): about 0.6 s is Node resolving, reading and compiling about a thousand files of dependencies (Knex, Objection and lodash alone are about 500 of them; Node 20 has no compile cache, so CommonJS files are compiled anew on every start), then the three schemas' migrations (Knex), the settings' schemas (Ajv, about 60 ms) and the first connections. What a process may never need (the PDF renderer, the broker client, the HTTP client for other processes, the mailer) loads on first use. On PostgreSQL an empty database's migrations are DDL in three schemas, each its own round trips and commits. Bundling the dependencies into the build's output would cut the file count further.",
  'startup-rss':
    "**RSS after start.** What the resident memory is made of is in figure 6: file pages are mostly the node binary's own code (about 60 MiB on Node 24, shared by every Node process on the machine), and anonymous memory is V8's heap, whose young generation alone takes up to 32 MiB once start-up has allocated through it, plus the compiled code, the database drivers' buffers and malloc. The modules a process may never need load on first use; a smaller young generation (`--max-semi-space-size`) would cut 16 MiB more at start at the price of more collections under load, so it is left to operators.",
  'lint-linear':
    '**Lint growth.** dependency-cruiser resolves and checks every import; its cycle check walks what each module reaches, which grows faster than the file count when files import long chains of others.',
  'lint-cache':
    "**Lint cache.** dependency-cruiser's cache (strategy `content`) re-reads and hashes every file to know the tree is unchanged.",
};

/** The section, or '' when every goal is met. Undecided goals are listed too: their rounds fall on both sides of the goal. */
export function missedSection(goals: Goal[]): string {
  const open = goals.filter((g) => g.verdict !== 'met');
  if (open.length === 0) return '';
  const missed = open.filter((g) => g.verdict === 'missed');
  const reasons = whyMissed(missed);
  return `## Goals not met, and why

${open.map(openGoalLine).join('\n')}

${reasons.join('\n\n')}
`;
}

/** A goal's line in the section. */
export function openGoalLine(g: Goal): string {
  return g.verdict === 'undecided'
    ? `- ${g.figure}: ${g.text} — measured ${g.measured}: **undecided**, its rounds fall on both sides of the goal.`
    : `- ${g.figure}: ${g.text} — measured ${g.measured}.`;
}

/** The explanations of the missed goals, each once (undecided goals get none: they may not be missed). */
export function whyMissed(missed: Goal[]): string[] {
  return [...new Set(missed.map((g) => whyKey(g.id)))].map((key) => WHY[key]).filter((text): text is string => Boolean(text));
}
