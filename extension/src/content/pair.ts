// Runs only on the daemon's /pair page (http://127.0.0.1:PORT/pair#CODE,
// or localhost): hands the one-time code in the fragment to the
// background, which trades it for the daemon's token, and says on the page
// how it went. The code is removed from the address bar and history first.
const ext = ((globalThis as { browser?: typeof chrome }).browser ?? chrome) as typeof chrome;

async function pair(): Promise<void> {
  const status = document.getElementById('redline-pair-status');
  const say = (text: string): void => {
    if (status) status.textContent = text;
  };
  const code = location.hash.slice(1);
  history.replaceState(null, '', location.pathname);
  if (!/^[0-9a-f]{32}$/.test(code)) {
    say('This pairing link is incomplete. Run `redline pair` again and open the link it prints.');
    return;
  }
  say('Pairing…');
  const answer = (await ext.runtime.sendMessage({ type: 'pair.claim', code }).catch(() => undefined)) as { ok?: boolean; message?: string } | undefined;
  if (!answer) {
    say('The Redline extension did not answer. Reload the extension and run `redline pair` again.');
    return;
  }
  say(answer.message ?? (answer.ok ? 'Paired.' : 'Pairing failed.'));
  document.documentElement.dataset.redlinePaired = answer.ok ? 'yes' : 'no';
}

if (window.top === window && document.querySelector('meta[name="redline-pair"]')) void pair();
