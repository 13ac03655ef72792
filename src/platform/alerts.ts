/**
 * E-mail alerts for unexpected errors (500s), when SMTP_URL and
 * SEAMS_ALERT_EMAIL are set. The first error in a quiet period is mailed at
 * once; errors that follow within the window are gathered into one digest, so
 * a storm sends a handful of mails, not thousands. Sending never blocks a response.
 */
import type { Logger } from '../kernel/index.ts';

export interface ErrorReport {
  requestId: string;
  route: string;
  error: unknown;
}

const DIGEST_WINDOW_MS = 60_000;
const DIGEST_MAX_ITEMS = 20;

export type Alerter = ReturnType<typeof makeAlerter>;

export function makeAlerter({
  smtpUrl,
  to,
  log,
  windowMs = DIGEST_WINDOW_MS,
}: {
  smtpUrl: string;
  to: string;
  log: Logger;
  windowMs?: number;
}) {
  // nodemailer is loaded only by a process that sends alerts (one with SMTP settings)
  const transport = import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(smtpUrl));
  let pending: ErrorReport[] = [];
  let suppressed = 0;
  let windowTimer: NodeJS.Timeout | null = null;
  let sending: Promise<unknown> = Promise.resolve();

  const describe = ({ requestId, route, error }: ErrorReport) =>
    `Request id: ${requestId}\nRoute: ${route}\n\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;

  function send(subject: string, text: string): void {
    sending = transport
      .then((smtp) => smtp.sendMail({ from: `seams <alerts@${process.env.HOSTNAME ?? 'localhost'}>`, to, subject, text }))
      .catch((error: unknown) => log.warn({ err: error }, 'could not send an error alert'));
  }

  function flush(): void {
    windowTimer = null;
    if (pending.length === 0) return;
    const items = pending;
    const more = suppressed;
    pending = [];
    suppressed = 0;
    const text = items.map(describe).join('\n---\n') + (more > 0 ? `\n… and ${more} more\n` : '');
    send(`[seams] ${items.length + more} more unexpected errors`, text);
    windowTimer = setTimeout(flush, windowMs); // keep the window open while the storm lasts
    windowTimer.unref();
  }

  return {
    report(report: ErrorReport): void {
      if (windowTimer === null) {
        send(`[seams] unexpected error on ${report.route}`, describe(report));
        windowTimer = setTimeout(flush, windowMs);
        windowTimer.unref();
        return;
      }
      if (pending.length < DIGEST_MAX_ITEMS) pending.push(report);
      else suppressed++;
    },
    /** Sends what is gathered and waits for the last mail (shutdown). */
    async close(): Promise<void> {
      if (windowTimer) clearTimeout(windowTimer);
      windowTimer = null;
      if (pending.length > 0) flush();
      if (windowTimer) clearTimeout(windowTimer);
      await sending;
      (await transport).close();
    },
  };
}
