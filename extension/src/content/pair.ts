// Runs only on a /pair page on loopback (http://127.0.0.1:PORT/pair#CODE,
// or localhost; any port, since the daemon's may be any): hands the
// one-time code in the fragment to the background and says on the page
// what happens. The code is removed from the address bar and history
// first. Nothing pairs from here: the background opens the extension's own
// confirmation page, which shows this page's address and port, and tells
// this page how the user answered there.
import { ext } from '../core/browser';
import type { TabMessage } from '../core/messages';
import { setRichText } from '../core/rich';

function say(text: string): void {
  const status = document.getElementById('redline-pair-status');
  if (status) setRichText(document, status, text);
}

async function pair(): Promise<void> {
  const code = location.hash.slice(1);
  history.replaceState(null, '', location.pathname);
  if (!/^[0-9a-f]{32}$/.test(code)) {
    say('This pairing link is incomplete. Run `redline pair` again and open the link it prints.');
    return;
  }
  // The answer from the confirmation page comes later, from the background.
  let answered = false;
  ext.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender) => {
    if (sender.id !== ext.runtime.id || sender.tab !== undefined) return;
    const msg = raw as TabMessage;
    if (msg?.type !== 'pair.result') return;
    answered = true;
    say(msg.message);
    document.documentElement.dataset.redlinePaired = msg.ok ? 'yes' : 'no';
  });
  say('Asking the Redline extension…');
  const answer = (await ext.runtime.sendMessage({ type: 'pair.request', code }).catch(() => undefined)) as { ok?: boolean | null; message?: string } | undefined;
  if (answered) return; // the user was quicker than this answer
  if (!answer) {
    say('The Redline extension did not answer. Reload the extension and run `redline pair` again.');
    return;
  }
  say(answer.message ?? 'Pairing failed.');
  if (answer.ok === false) document.documentElement.dataset.redlinePaired = 'no';
}

if (window.top === window && document.querySelector('meta[name="redline-pair"]')) void pair();
