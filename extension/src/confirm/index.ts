// The pairing confirmation page (confirm-pair.html): the background opens
// it when a /pair page hands over a code. It shows the address and port
// the link would pair with, what Redline is paired with now, and which
// waiting captures would go there; only its Pair button makes the
// background claim the token. Cancel, or closing it, pairs nothing.
import { ask } from '../core/ask';
import { ext } from '../core/browser';
import { setRichText } from '../core/rich';
import { waitingLines } from './waiting';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

/** A pending pairing shown for less than this cannot be confirmed yet: a link that replaced it under the pointer is not paired by a click meant for the other. */
const SETTLE_MS = 1000;

/** What is shown: the pending pairing and the captures the page counted. */
let shown: { id: string; through: number } | null = null;
let settle: ReturnType<typeof setTimeout> | undefined;

async function render(): Promise<void> {
  const st = await ask({ type: 'confirm.state' });
  const p = st.pending;
  $('ask').hidden = p === null;
  $('none').hidden = p !== null;
  if (p === null) {
    shown = null;
    return;
  }
  const u = new URL(p.address);
  $('address').textContent = p.address;
  $('port').textContent = u.port || '80';
  $('current').textContent =
    st.paired === null
      ? 'Redline is not paired now.'
      : st.paired === p.address
        ? `Redline is paired with this daemon already: pairing again gives it a new token.`
        : `Redline is paired now with the daemon at ${st.paired}: this replaces the pairing with ${st.paired}.`;
  $('waiting').textContent = waitingLines(p.address, st.paired, st.queue).join(' ');
  if (shown?.id !== p.id) {
    setRichText(document, $('result'), '');
    ($('pair') as HTMLButtonElement).disabled = true;
    clearTimeout(settle);
    settle = setTimeout(() => {
      ($('pair') as HTMLButtonElement).disabled = false;
    }, SETTLE_MS);
  }
  shown = { id: p.id, through: st.queue.unpairedThrough };
  for (const id of ['pair', 'cancel']) $(id).hidden = false;
}

function answered(message: string, error: boolean): void {
  setRichText(document, $('result'), message);
  $('result').classList.toggle('error', error);
  for (const id of ['pair', 'cancel']) $(id).hidden = true;
  shown = null;
}

$('pair').addEventListener('click', async () => {
  if (!shown) return;
  ($('pair') as HTMLButtonElement).disabled = true;
  const r = await ask({ type: 'confirm.pair', id: shown.id, through: shown.through });
  answered(r.message, !r.ok);
});

$('cancel').addEventListener('click', async () => {
  if (!shown) return;
  const r = await ask({ type: 'confirm.cancel', id: shown.id });
  answered(r.message, false);
});

// The background asks whether this page is open (to focus it rather than
// open another) when a new link arrives, and what it counts may change.
ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender, reply: (r: unknown) => void) => {
  if (sender.id !== ext.runtime.id || sender.tab !== undefined || (raw as { type?: unknown })?.type !== 'confirm.changed') return false;
  void render();
  ext.tabs.getCurrent().then(
    (tab) => reply({ tabId: tab?.id }),
    () => reply({}),
  );
  return true;
});
ext.storage.onChanged.addListener((changes, area) => {
  if (area === 'local' && ('queue' in changes || 'token' in changes) && shown) void render();
});

void render();
