// The toolbar popup: is Redline connected, which articles changed since
// they were read (click one for its changes), pause capture, track or
// forget the page in the current tab, open the dashboard.
import { ask } from '../core/ask';
import { ext } from '../core/browser';
import { appendRichText, setRichText } from '../core/rich';
import { appendSpans } from '../core/spans';
import { browserCheckLine, noticeLines } from './notice';
import { describeChange, timeAgo } from '../core/summary';
import type { Change } from '../background/changes';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function say(text: string, error = false): void {
  const m = $('message');
  setRichText(document, m, text);
  m.classList.toggle('error', error);
}

const CONNECTION: Record<string, string> = {
  connected: 'Connected',
  connecting: 'Connecting…',
  offline: 'Daemon not running',
  unauthorized: 'Not paired: pair again',
  idle: 'Not connected',
};

async function currentTabURL(): Promise<string | null> {
  const [tab] = await ext.tabs.query({ active: true, currentWindow: true });
  const url = tab?.url ?? '';
  return /^https?:\/\//.test(url) ? url : null;
}

async function showDiff(c: Change): Promise<void> {
  const box = $('diff');
  box.hidden = false;
  box.replaceChildren(Object.assign(document.createElement('p'), { textContent: 'Loading…' }));
  const a = await ask({ type: 'ui.diff', articleId: c.articleId });
  box.replaceChildren();
  if (!('diff' in a) || !a.diff) {
    box.append(Object.assign(document.createElement('p'), { textContent: ('error' in a && a.error) || 'Could not load the changes.', className: 'error' }));
    return;
  }
  const h = document.createElement('h3');
  appendSpans(document, h, a.diff.title);
  box.append(h);
  for (const op of a.diff.ops) {
    if (op.op === 'equal') continue;
    const p = document.createElement('p');
    if (op.op === 'change' || (op.op === 'move' && op.spans)) appendSpans(document, p, op.spans ?? []);
    else if (op.op === 'insert') p.append(Object.assign(document.createElement('ins'), { textContent: op.text ?? '' }));
    else if (op.op === 'delete') p.append(Object.assign(document.createElement('del'), { textContent: op.text ?? '' }));
    else p.textContent = op.text ?? '';
    box.append(p);
  }
  const actions = document.createElement('p');
  actions.className = 'actions';
  const open = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Open article' });
  open.addEventListener('click', () => void ext.tabs.create({ url: c.url }));
  const all = Object.assign(document.createElement('button'), { type: 'button', textContent: 'All changes' });
  all.addEventListener('click', async () => {
    const r = await ask({ type: 'ui.dashboard', articleId: c.articleId });
    if (r.error) say(r.error, true);
  });
  const seen = Object.assign(document.createElement('button'), { type: 'button', textContent: 'Mark seen', className: 'primary' });
  seen.addEventListener('click', async () => {
    const r = await ask({ type: 'ui.seen', articleId: c.articleId, version: c.to });
    if (r.error) say(r.error, true);
    else await render();
  });
  actions.append(open, all, seen);
  box.append(actions);
}

async function render(): Promise<void> {
  const st = await ask({ type: 'ui.state' });
  $('connection').textContent = st.paired ? (CONNECTION[st.connection] ?? st.connection) : 'Not paired';
  $('connection').dataset.state = st.paired ? st.connection : 'unpaired';
  const notice = $('notice');
  const notes = noticeLines(st);
  notice.replaceChildren();
  for (const n of notes) appendRichText(document, notice.appendChild(document.createElement('span')), n);
  notice.hidden = notes.length === 0;
  ($('paused') as HTMLInputElement).checked = st.settings.paused;
  const list = $('changes');
  list.replaceChildren();
  for (const c of st.changes) {
    const li = document.createElement('li');
    const b = Object.assign(document.createElement('button'), { type: 'button', className: 'change' });
    b.append(Object.assign(document.createElement('strong'), { textContent: c.title }));
    if (c.titleWas) b.append(Object.assign(document.createElement('span'), { className: 'was', textContent: `was: ${c.titleWas}` }));
    b.append(Object.assign(document.createElement('span'), { textContent: `${describeChange(c.summary)} · ${timeAgo(c.at, new Date())}` }));
    b.addEventListener('click', () => void showDiff(c));
    li.append(b);
    list.append(li);
  }
  $('no-changes').hidden = st.changes.length > 0;
  await renderRecheck(st.paired);
}

/** Whether this browser re-checks the page in the current tab, and when it last did. */
async function renderRecheck(paired: boolean): Promise<void> {
  const url = paired ? await currentTabURL() : null;
  const r = url ? await ask({ type: 'ui.watch', url }) : null;
  const line = r && 'watch' in r ? browserCheckLine(r.watch ?? undefined, new Date()) : null;
  $('recheck').textContent = line ?? '';
  $('recheck').hidden = line === null;
}

($('paused') as HTMLInputElement).addEventListener('change', async (e) => {
  await ask({ type: 'ui.settings', settings: { paused: (e.target as HTMLInputElement).checked } });
  say((e.target as HTMLInputElement).checked ? 'Capture paused.' : 'Capture resumed.');
});
$('track').addEventListener('click', async () => {
  const url = await currentTabURL();
  if (!url) return say('This tab has no web page to track.', true);
  const r = await ask({ type: 'ui.track', url });
  if ('error' in r) say(r.error, true);
  else say(r.message);
});
$('forget').addEventListener('click', async () => {
  const url = await currentTabURL();
  if (!url) return say('This tab has no web page to forget.', true);
  const r = await ask({ type: 'ui.forget', url });
  if ('error' in r) say(r.error, true);
  else say(r.message);
  await render();
});
// The background asks the daemon for a one-time login and opens it: the
// dashboard opens logged in.
$('dashboard').addEventListener('click', async () => {
  const r = await ask({ type: 'ui.dashboard', articleId: null });
  if (r.error) say(r.error, true);
});
$('options').addEventListener('click', () => void ext.runtime.openOptionsPage());

void render();
