// The options page: pairing state and manual pairing, when an article
// counts as read, which sites to capture (the daemon's lists, shown and
// edited through the background), notifications.
import type { PageMessage } from '../core/messages';
import { setRichText } from '../core/rich';
import type { Settings, SiteRules } from '../core/settings';

const ext = ((globalThis as { browser?: typeof chrome }).browser ?? chrome) as typeof chrome;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const ask = <T>(msg: PageMessage): Promise<T> => ext.runtime.sendMessage(msg) as Promise<T>;

function say(text: string, error = false): void {
  setRichText(document, $('message'), text);
  $('message').classList.toggle('error', error);
}

type SitesAnswer = { sites: SiteRules; fromDaemon: boolean; moving: boolean; error?: string };

/** The site lists as last shown, to save them only when the user changed them. */
let shownSites: SiteRules = { allow: [], deny: [] };

const sameList = (a: string[], b: string[]): boolean => a.length === b.length && a.every((s, i) => s === b[i]);

const lines = (id: string): string[] =>
  ($(id) as HTMLTextAreaElement).value
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '');

async function render(): Promise<void> {
  const st = await ask<{ settings: Settings; paired: boolean; connection: string }>({ type: 'ui.state' });
  const s = st.settings;
  $('pairing').textContent = st.paired ? `Paired with the daemon at ${s.daemon} (${st.connection}).` : 'Not paired.';
  ($('daemon') as HTMLInputElement).value = s.daemon;
  ($('seconds') as HTMLInputElement).value = String(s.seconds);
  for (const r of document.querySelectorAll<HTMLInputElement>('input[name="mode"]')) r.checked = r.value === s.readingMode;
  ($('notifications') as HTMLInputElement).checked = s.notifications;
  $('unpair').hidden = !st.paired;
  await renderSites(st.paired);
}

async function renderSites(paired: boolean): Promise<void> {
  const a = await ask<SitesAnswer>({ type: 'ui.sites' });
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
    const r = await ask<{ sites?: SiteRules; error?: string }>({ type: 'ui.sites.save', allow, deny });
    // The lists stay as typed, to be corrected.
    if (r.error) return say(`The other settings were saved, but not the site lists: ${r.error}`, true);
  }
  await render();
  say('Saved.');
});

$('connect').addEventListener('click', async () => {
  const r = await ask<{ error?: string }>({ type: 'ui.token', daemon: ($('daemon') as HTMLInputElement).value, token: ($('token') as HTMLInputElement).value });
  ($('token') as HTMLInputElement).value = '';
  if (r.error) return say(r.error, true);
  await render();
  say('Connected.');
});

$('unpair').addEventListener('click', async () => {
  await ask({ type: 'ui.unpair' });
  await render();
  say('Unpaired: the articles you read wait in this browser until Redline is paired again.');
});

void render();
