// The alert policy: which changes of an article the reader read alert
// them (the banner, the badge, the notification). The daemon keeps the one
// policy, shared with its dashboard and feeds; the extension learns it
// when its event stream connects (the welcome) and whenever it changes
// (settings.changed), keeps the last one it learned for when the daemon is
// away, and applies it to every change the daemon reports: an
// article.changed event, a capture's changed_since_read, a diff's summary.
import type { Significance, Summary } from './daemon';

export type AlertOn = 'substantive' | 'minor';

/** The daemon's default, until the extension learns the user's choice. */
export const DEFAULT_ALERT_ON: AlertOn = 'substantive';

/** The policy in raw (from storage or the daemon), or null when it is none. */
export function parseAlertOn(raw: unknown): AlertOn | null {
  return raw === 'substantive' || raw === 'minor' ? raw : null;
}

/** Whether a change of this significance alerts under the policy; a trivial one never does. */
export function alertsOn(policy: AlertOn, sig: Significance | undefined): boolean {
  return sig === 'substantive' || (sig === 'minor' && policy === 'minor');
}

/** Whether the change a summary (or an unseen change) describes alerts under the policy. */
export const summaryAlerts = (policy: AlertOn, s: Pick<Summary, 'significance'> | null | undefined): boolean => s != null && alertsOn(policy, s.significance);

/** The settings the daemon tells every client (the welcome's and settings.changed's `settings`). */
export function alertOnOf(settings: unknown): AlertOn | null {
  return typeof settings === 'object' && settings !== null ? parseAlertOn((settings as { alert_on?: unknown }).alert_on) : null;
}
