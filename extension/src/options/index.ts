// The options page: pairing state and manual pairing, the captures that
// wait for another daemon or for pairing (each group can be discarded),
// when an article counts as read, which sites to capture (the daemon's
// lists, shown and edited through the background), which changes alert
// (the daemon's policy, likewise), notifications.
import { ask } from '../core/ask';
import { ext } from '../core/browser';
import { setRichText } from '../core/rich';
import type { QueueView } from '../core/replies';
import type { AlertOn } from '../core/alerts';
import type { RecheckSettings } from '../core/daemon';
import type { SiteRules } from '../core/settings';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function say(text: string, error = false): void {
  setRichText(document, $('message'), text);
  $('message').classList.toggle('error', error);
}

const captures = (n: number): string => `${n} capture${n === 1 ? '' : 's'}`;

/** The newest capture read while unpaired that the manual pairing said it would send. */
let shownThrough = 0;

/** The alert policy as last shown, to save it only when the user changed it. */
let shownAlertOn: AlertOn = 'substantive';

/** The site lists as last shown, to save them only when the user changed them. */
let shownSites: SiteRules = { allow: [], deny: [] };
/** The re-check settings as the daemon answered them (null: not shown). */
let shownRecheck: RecheckSettings | null = null;

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

const lines = (id: string): string[] =>
  ($(id) as HTMLTextAreaElement).value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');

async function render(): Promise<void> {
  const st = await ask({ type: 'ui.state' });
  const s = st.settings;
  $('pairing').textContent = st.paired ? `Paired with the daemon at ${s.daemon} (${st.connection}).` : 'Not paired.';
  ($('daemon') as HTMLInputElement).value = s.daemon;
  const u = st.queue.unpaired;
  shownThrough = st.queue.unpairedThrough;
  $('manual-waiting').textContent = u > 0 ? `${captures(u)} read while Redline was not paired will be sent to the daemon you connect to.` : '';
  $('manual-waiting').hidden = u === 0;
  renderWaiting(st.queue);
  ($('seconds') as HTMLInputElement).value = String(s.seconds);
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name="mode"]')) r.checked = r.value === s.readingMode;
  ($('notifications') as HTMLInputElement).checked = s.notifications;
  $('unpair').hidden = !st.paired;
  await renderSites(st.paired);
  await renderAlerts(st.paired);
  await renderRecheck();
}

const alertRadios = (): HTMLInputElement[] => [...document.querySelectorAll<HTMLInputElement>('input[name="alert_on"]')];

async function renderAlerts(paired: boolean): Promise<void> {
  const a = await ask({ type: 'ui.alerts' });
  shownAlertOn = a.alertOn;
  for (const r of alertRadios()) {
    r.checked = r.value === a.alertOn;
    r.disabled = !a.fromDaemon;
  }
  let note = '';
  if (!paired) note = 'Pair the extension to see and change this choice, which the Redline daemon keeps.';
  else if (!a.fromDaemon) note = `The daemon cannot be reached (${a.error ?? 'no answer'}): this is the choice it last told this browser, which still applies. Start the daemon to change it.`;
  const el = $('alerts-status');
  setRichText(document, el, note);
  el.hidden = note === '';
}

/** The captures that go nowhere now: for another daemon, or read while unpaired; each group can be discarded. */
function renderWaiting(q: QueueView): void {
  const groups: { daemon: string | null; text: string }[] = [];
  if (q.unpaired > 0) groups.push({ daemon: null, text: `${captures(q.unpaired)} read while Redline was not paired: they go to a daemon only when you confirm pairing with it.` });
  for (const g of q.elsewhere) groups.push({ daemon: g.daemon, text: `${captures(g.count)} for the daemon at ${g.daemon}: they go there only if Redline is paired with it again.` });
  const list = $('waiting');
  list.replaceChildren();
  for (const g of groups) {
    const li = document.createElement('li');
    li.append(Object.assign(document.createElement('span'), { textContent: `${g.text} ` }));
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Discard them', className: 'discard' });
    b.addEventListener('click', async () => {
      const r = await ask({ type: 'ui.queue.discard', daemon: g.daemon });
      await render();
      say(`Discarded ${captures(r.discarded ?? 0)}.`);
    });
    li.append(b);
    list.append(li);
  }
  $('waiting-section').hidden = groups.length === 0;
}

async function renderRecheck(): Promise<void> {
  const r = await ask({ type: 'ui.recheck' });
  const status = $('recheck-status');
  shownRecheck = 'recheck' in r ? r.recheck : null;
  for (const id of ['recheck-enabled', 'recheck-budget', 'recheck-sites']) ($(id) as HTMLInputElement).disabled = shownRecheck === null;
  status.textContent = 'error' in r ? r.error : '';
  status.hidden = !('error' in r);
  if (!shownRecheck) return;
  ($('recheck-enabled') as HTMLInputElement).checked = shownRecheck.enabled;
  ($('recheck-budget') as HTMLInputElement).value = String(shownRecheck.daily_budget);
  ($('recheck-sites') as HTMLTextAreaElement).value = shownRecheck.sites.join('\n');
  $('recheck-used').textContent = `(${shownRecheck.used_today} today)`;
}

async function renderSites(paired: boolean): Promise<void> {
  const a = await ask({ type: 'ui.sites' });
  shownSites = a.sites;
  ($('deny') as HTMLTextAreaElement).value = a.sites.deny.join('\n');
  ($('allow') as HTMLTextAreaElement).value = a.sites.allow.join('\n');
  for (const id of ['deny', 'allow']) ($(id) as HTMLTextAreaElement).disabled = !a.fromDaemon;
  let note = '';
  if (!paired) note = 'Pair the extension to see and edit the daemon’s lists. Until then the extension keeps what is shown here.';
  else if (!a.fromDaemon) note = `The daemon cannot be reached (${a.error ?? 'no answer'}): this is the copy kept in this browser, which still applies. Start the daemon to edit the lists.`;
  if (a.moving) note += ' The sites listed in this extension before will be added to the daemon’s lists once it answers.';
  const el = $('sites-status');
  setRichText(document, el, note.trim());
  el.hidden = note === '';
}

$('save').addEventListener('click', async () => {
  const notifications = ($('notifications') as HTMLInputElement).checked;
  if (notifications && ext.permissions) {
    // Notifications are asked for only when the user wants them.
    const granted = await ext.permissions.request({ permissions: ['notifications'] }).catch(() => false);
    if (!granted) return say('Without the permission, Redline cannot show notifications.', true);
  }
  const mode = document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value ?? 'visible';
  const settings = { readingMode: mode, seconds: Number(($('seconds') as HTMLInputElement).value), notifications };
  await ask({ type: 'ui.settings', settings });
  const deny = lines('deny');
  const allow = lines('allow');
  if (!($('deny') as HTMLTextAreaElement).disabled && (!sameList(deny, shownSites.deny) || !sameList(allow, shownSites.allow))) {
    const r = await ask({ type: 'ui.sites.save', allow, deny });
    // The lists stay as typed, to be corrected.
    if ('error' in r) return say(`The other settings were saved, but not the site lists: ${r.error}`, true);
  }
  const alertOn = alertRadios().find((r) => r.checked && !r.disabled)?.value as AlertOn | undefined;
  if (alertOn !== undefined && alertOn !== shownAlertOn) {
    const r = await ask({ type: 'ui.alerts.save', alertOn });
    if ('error' in r) return say(`The other settings were saved, but not which changes alert you: ${r.error}`, true);
  }
  if (shownRecheck) {
    const want = { enabled: ($('recheck-enabled') as HTMLInputElement).checked, daily_budget: Number(($('recheck-budget') as HTMLInputElement).value), sites: lines('recheck-sites') };
    if (want.enabled !== shownRecheck.enabled || want.daily_budget !== shownRecheck.daily_budget || !sameList(want.sites, shownRecheck.sites)) {
      if (!Number.isInteger(want.daily_budget) || want.daily_budget < 0 || want.daily_budget > 5000) return say('The daily re-checks are a whole number from 0 to 5,000.', true);
      const r = await ask({ type: 'ui.recheck.save', ...want });
      if ('error' in r) return say(`The other settings were saved, but not the re-checks: ${r.error}`, true);
    }
  }
  await render();
  say('Saved.');
});

$('connect').addEventListener('click', async () => {
  const r = await ask({ type: 'ui.token', daemon: ($('daemon') as HTMLInputElement).value, token: ($('token') as HTMLInputElement).value, through: shownThrough });
  ($('token') as HTMLInputElement).value = '';
  if (r.error) return say(r.error, true);
  await render();
  say('Connected.');
});

$('unpair').addEventListener('click', async () => {
  await ask({ type: 'ui.unpair' });
  await render();
  say('Unpaired: the articles you read wait in this browser until Redline is paired again. Those waiting for this daemon go to it only: discard them below if it is gone for good.');
});

void render();
