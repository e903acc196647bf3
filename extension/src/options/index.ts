// The options page: pairing state and manual pairing, when an article
// counts as read, which sites to capture, notifications.
import type { PageMessage } from '../core/messages';
import type { Settings } from '../core/settings';

const ext = ((globalThis as { browser?: typeof chrome }).browser ?? chrome) as typeof chrome;
const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const ask = <T>(msg: PageMessage): Promise<T> => ext.runtime.sendMessage(msg) as Promise<T>;

function say(text: string, error = false): void {
  $('message').textContent = text;
  $('message').classList.toggle('error', error);
}

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
  ($('deny') as HTMLTextAreaElement).value = s.deny.join('\n');
  ($('allow') as HTMLTextAreaElement).value = s.allow.join('\n');
  ($('notifications') as HTMLInputElement).checked = s.notifications;
  $('unpair').hidden = !st.paired;
}

$('save').addEventListener('click', async () => {
  const notifications = ($('notifications') as HTMLInputElement).checked;
  if (notifications && ext.permissions) {
    // Notifications are asked for only when the user wants them.
    const granted = await ext.permissions.request({ permissions: ['notifications'] }).catch(() => false);
    if (!granted) return say('Without the permission, Redline cannot show notifications.', true);
  }
  const mode = document.querySelector<HTMLInputElement>('input[name="mode"]:checked')?.value ?? 'visible';
  const settings = { readingMode: mode, seconds: Number(($('seconds') as HTMLInputElement).value), deny: lines('deny'), allow: lines('allow'), notifications };
  await ask({ type: 'ui.settings', settings });
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
  say('Unpaired: Redline captures nothing until it is paired again.');
});

void render();
