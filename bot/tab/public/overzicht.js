// The coordinator overview tab: open cases, the waiting list, caseloads and the monitoring counts of a period.
// Inside Teams it gets an SSO token for the API; outside Teams (local mode) it renders without one.

// The words for the ids come with the data (labels), from the same tables as the bot's cards.
let LABELS = {};
const MONTHS = ['jan', 'feb', 'mrt', 'apr', 'mei', 'jun', 'jul', 'aug', 'sep', 'okt', 'nov', 'dec'];

const $ = (id) => document.getElementById(id);
const fmt = (n) => (n === null || n === undefined ? '–' : String(n).replace('.', ','));
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const label = (table, key) => LABELS[table]?.[key] ?? key;
/** A cell that, on a narrow screen, shows its column's name before its value (see overzicht.css, "stacked"). */
const td = (name, content, cls = '') => `<td data-label="${esc(name)}"${cls ? ` class="${cls}"` : ''}><span>${content}</span></td>`;
const dateNl = (ymd) => new Date(`${ymd}T12:00:00Z`).toLocaleDateString('nl-NL', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Amsterdam' });

let getToken = async () => undefined;
let inTeams = false;

/** teams-js: initialise with a short timeout, so that a plain browser still gets the page. */
async function connectTeams() {
  const teams = window.microsoftTeams;
  if (!teams) return false;
  try {
    await Promise.race([teams.app.initialize(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1500))]);
    const context = await teams.app.getContext();
    applyTheme(context.app.theme);
    teams.app.registerOnThemeChangeHandler(applyTheme);
    getToken = () => teams.authentication.getAuthToken();
    // A reference opens its card in the channel thread: inside Teams through Teams itself, not a new browser window.
    document.addEventListener('click', (event) => {
      const link = event.target?.closest?.('a.card-link');
      if (!link) return;
      event.preventDefault();
      void teams.app.openLink(link.href);
    });
    return true;
  } catch {
    return false;
  }
}

function applyTheme(theme) {
  document.body.className = `theme-${['dark', 'contrast'].includes(theme) ? theme : 'default'}`;
}

function periodQuery() {
  return new URLSearchParams({ from: $('from').value, to: $('to').value }).toString();
}

async function api(path) {
  const token = await getToken();
  return fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
}

async function load() {
  $('error').hidden = true;
  $('csv').href = `/api/overzicht.csv?${periodQuery()}`;
  let response;
  try {
    response = await api(`/api/overzicht?${periodQuery()}`);
  } catch {
    return showError('Het overzicht kon niet geladen worden. Controleer de verbinding en probeer het opnieuw.');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) return showError(body.error ?? `Het overzicht kon niet geladen worden (${response.status}).`);
  render(body);
}

function showError(message) {
  $('error').textContent = message;
  $('error').hidden = false;
  $('content').innerHTML = '';
}

function bar(value, max, { full = false, title = '' } = {}) {
  const width = max > 0 ? Math.min(100, (value / max) * 100) : 0;
  return `<svg class="bar" viewBox="0 0 100 14" preserveAspectRatio="none" aria-hidden="true"><title>${esc(title)}</title>
    <rect class="track" x="0" y="0" width="100" height="14" rx="2"/><rect class="fill${full ? ' full' : ''}" x="0" y="0" width="${width}" height="14" rx="2"/></svg>`;
}

/** A table of counts with a bar per row; `table` names the labels to use. */
function countTable(caption, header, counts, table, { hideZero = false } = {}) {
  const rows = Object.entries(counts).filter(([, n]) => !hideZero || n > 0);
  const max = Math.max(1, ...rows.map(([, n]) => n));
  const body = rows.length === 0
    ? '<tr><td colspan="3" class="muted">Geen aanmeldingen in deze periode.</td></tr>'
    : rows.map(([key, n]) => `<tr><th scope="row">${esc(table ? label(table, key) : key)}</th><td class="num">${fmt(n)}</td><td class="bar">${bar(n, max, { title: `${n}` })}</td></tr>`).join('');
  return `<section class="panel"><h3>${esc(caption)}</h3><table><thead><tr><th scope="col">${esc(header)}</th><th scope="col" class="num">Aantal</th><th scope="col"><span class="small">Verhouding</span></th></tr></thead><tbody>${body}</tbody></table></section>`;
}

/** Instroom per month as a column chart (inline SVG) with the numbers in a table for screen readers. */
function monthChart(perMonth) {
  const entries = Object.entries(perMonth);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const width = 1000;
  const step = width / entries.length;
  const cols = entries.map(([month, n], i) => {
    const h = (n / max) * 120;
    const x = i * step + step * 0.18;
    const name = entries.length <= 24 ? MONTHS[Number(month.slice(5, 7)) - 1] : month.slice(2);
    return `<rect class="col" x="${x.toFixed(1)}" y="${(140 - h).toFixed(1)}" width="${(step * 0.64).toFixed(1)}" height="${h.toFixed(1)}" rx="2"/>
      <text x="${(i * step + step / 2).toFixed(1)}" y="${(134 - h).toFixed(1)}" text-anchor="middle">${n > 0 ? n : ''}</text>
      <text x="${(i * step + step / 2).toFixed(1)}" y="158" text-anchor="middle">${name}</text>`;
  });
  const table = entries.map(([m, n]) => `<tr><th scope="row">${m}</th><td class="num">${n}</td></tr>`).join('');
  return `<section class="panel"><h3>Instroom per maand</h3>
    <svg class="columns" viewBox="0 0 ${width} 165" role="img" aria-label="Instroom per maand"><line x1="0" y1="140.5" x2="${width}" y2="140.5"/>${cols.join('')}</svg>
    <details><summary class="small">Als tabel</summary><table><thead><tr><th scope="col">Maand</th><th scope="col" class="num">Aantal</th></tr></thead><tbody>${table}</tbody></table></details></section>`;
}

function reference(c) {
  return c.link ? `<a class="card-link" href="${esc(c.link)}" target="_blank" rel="noopener" title="Open de kaart in het kanaal">${esc(c.reference)}</a>` : esc(c.reference);
}

function render(data) {
  const { monitoring: m, openCases, wachtlijst } = data;
  LABELS = data.labels ?? {};
  const open = m.stand.openPerStatus;
  const openTotal = Object.values(open).reduce((s, n) => s + n, 0);
  const statusTiles = Object.entries(open).map(([s, n]) => `<div class="tile"><span class="value">${n}</span><span class="label">${esc(label('status', s))}</span></div>`).join('');
  const caseRows = openCases.length === 0
    ? '<tr><td colspan="7" class="muted">Geen open aanmeldingen.</td></tr>'
    : openCases.map((c) => `<tr>${td('Kenmerk', reference(c), 'ref')}${td('Status', `${esc(label('status', c.status))}${c.stilSinds ? ` <span class="urgent" title="Er is sindsdien niets aan veranderd; sluit hem af als er niets meer gebeurt">stil sinds ${esc(dateNl(c.stilSinds.slice(0, 10)))}</span>` : ''}`)}${td('Route', esc(label('route', c.route)))}${td('Wijk', esc(c.wijk))}
        ${td('Toegewezen aan', c.assignee ? esc(c.assignee) : '<span class="muted">nog niemand</span>')}${td('Urgentie', c.urgent ? '<span class="urgent">Urgent</span>' : 'Nee')}${td('Wachtdagen', String(c.waitingDays), 'num')}</tr>`).join('');
  // Waakvlam and complex-intensief against each professional's norm (seed 004); over it is marked, never refused.
  const norm = (n, max) => (n > max ? `<strong title="boven de norm">${n} / ${max}</strong>` : `${n} / ${max}`);
  const caseloads = m.stand.caseloads.map((p) => {
    const full = p.activeCases >= p.maxCases;
    return `<tr><th scope="row">${esc(p.name)} <span class="muted small">(${esc(label('role', p.role))})</span></th>
      ${td('Gezinnen / max.', `${p.activeCases} / ${p.maxCases}`, 'num')}<td class="bar">${bar(p.activeCases, p.maxCases, { full, title: `${p.activeCases} van ${p.maxCases}` })}</td>
      ${td('Plekken', full ? '<strong>vol</strong>' : `nog ${p.room}`, 'num small')}${td('Waakvlam', norm(p.waakvlam, p.maxWaakvlam), 'num small')}${td('Complex-intensief', norm(p.complexIntensief, p.maxComplexIntensief), 'num small')}</tr>`;
  }).join('');
  const int = m.stand.intensiteit;
  const u = m.uitstroom;

  const waitRows = wachtlijst.cases.length === 0
    ? '<li class="muted">Niemand op de wachtlijst.</li>'
    : wachtlijst.cases.map((c) => `<li><strong>${reference(c)}</strong> · ${esc(label('route', c.route))} · ${esc(c.wijk)} · ${c.waitingDays} dagen sinds aanmelding</li>`).join('');
  $('content').innerHTML = `
    <section class="panel" aria-labelledby="h-open"><h2 id="h-open">Open aanmeldingen (${openTotal})</h2>
      <div class="tiles">${statusTiles}</div>
      <table class="stacked"><thead><tr><th scope="col">Kenmerk</th><th scope="col">Status</th><th scope="col">Route</th><th scope="col">Wijk</th><th scope="col">Toegewezen aan</th><th scope="col">Urgentie</th><th scope="col" class="num">Wachtdagen</th></tr></thead>
      <tbody>${caseRows}</tbody></table>
      <p class="muted small">Wachtdagen: van aanmelding tot oppakken, of tot het peilmoment als niemand de aanmelding nog heeft. Een kenmerk opent de kaart in het kanaal.</p>
    </section>
    <div class="grid">
      <section class="panel" aria-labelledby="h-wacht"><h2 id="h-wacht">Wachtlijst</h2>
        <div class="tiles"><div class="tile"><span class="value">${wachtlijst.length}</span><span class="label">op de wachtlijst</span></div>
        <div class="tile"><span class="value">${fmt(wachtlijst.longestWaitDays)}</span><span class="label">langste wachttijd (dagen)</span></div></div>
        <ul class="plain">${waitRows}</ul>
      </section>
      <section class="panel" aria-labelledby="h-caseload"><h2 id="h-caseload">Caseload per professional</h2>
        <table class="stacked"><thead><tr><th scope="col">Professional</th><th scope="col" class="num">Gezinnen / max.</th><th scope="col"><span class="small">Bezetting</span></th><th scope="col" class="num">Plekken</th><th scope="col" class="num">Waakvlam</th><th scope="col" class="num">Complex-intensief</th></tr></thead><tbody>${caseloads}</tbody></table>
      </section>
      <section class="panel" aria-labelledby="h-intensiteit"><h2 id="h-intensiteit">Intensiteit (lopende zaken)</h2>
        <div class="tiles"><div class="tile"><span class="value">${int.perLevel.licht}</span><span class="label">licht</span></div>
        <div class="tile"><span class="value">${int.perLevel.waakvlam}</span><span class="label">waakvlam</span></div>
        <div class="tile"><span class="value">${int.perLevel['complex-intensief']} / ${int.normComplexIntensief}</span><span class="label">complex-intensief (norm team)</span></div>
        <div class="tile"><span class="value">${int.wachtOpAkkoord}</span><span class="label">wacht op akkoord gedragswetenschapper</span></div>
        <div class="tile"><span class="value">${m.stand.keukentafelgesprekkenSamen}</span><span class="label">keukentafelgesprekken met gezinscoach en jeugdconsulent</span></div>
        <div class="tile"><span class="value">${m.stand.maatwerkTegelijk}</span><span class="label">maatwerk naast de gezinscoach</span></div></div>
      </section>
    </div>
    <h2>Monitoring ${esc(dateNl(m.period.from))} t/m ${esc(dateNl(m.period.to))}</h2>
    <div class="tiles">
      <div class="tile"><span class="value">${m.instroom.total}</span><span class="label">instroom (aanmeldingen)</span></div>
      <div class="tile"><span class="value">${m.instroom.children}</span><span class="label">kinderen daarin</span></div>
      <div class="tile"><span class="value">${u.total}</span><span class="label">uitstroom (afgesloten)</span></div>
      <div class="tile"><span class="value">${fmt(u.leadTimeDays.mean)}</span><span class="label">gem. doorlooptijd (dagen)</span></div>
      <div class="tile"><span class="value">${fmt(u.leadTimeDays.median)}</span><span class="label">mediaan doorlooptijd (dagen)</span></div>
      <div class="tile"><span class="value">${u.uitval}</span><span class="label">uitval (eenzijdig gestopt)</span></div>
      <div class="tile"><span class="value">${u.doelenBehaald.percentage === null ? '–' : `${fmt(u.doelenBehaald.percentage)}%`}</span><span class="label">doelen behaald (${u.doelenBehaald.count} van ${u.doelenBehaald.of} afgesloten)</span></div>
      <div class="tile"><span class="value">${fmt(u.tevredenheid.mean)}</span><span class="label">tevredenheid gezinnen (gemiddeld cijfer, ${u.tevredenheid.n} ${u.tevredenheid.n === 1 ? 'cijfer' : 'cijfers'})</span></div>
      <div class="tile"><span class="value">${m.samen.keukentafelgesprekkenGestart}</span><span class="label">keukentafelgesprekken samen gestart</span></div>
      <div class="tile"><span class="value">${m.samen.maatwerkIngezet}</span><span class="label">maatwerk ingezet naast de gezinscoach</span></div>
      <div class="tile"><span class="value">${m.anoniemOverleg.instroom}</span><span class="label">anoniem overleg (apart geteld, niet in de instroom)</span></div>
    </div>
    ${monthChart(m.instroom.perMonth)}
    <div class="grid">
      ${countTable('Instroom per wijk', 'Wijk of dorp', m.instroom.perWijk)}
      ${countTable('Instroom per verwijzer', 'Verwijzer', m.instroom.perReferrerRole, 'role', { hideZero: true })}
      ${countTable('Instroom per hoofdvraag', 'Leefgebied', m.instroom.perHoofdvraag, 'leefgebied', { hideZero: true })}
      ${countTable('Kinderen per leeftijdsgroep', 'Leeftijd', m.instroom.perAgeGroup, 'age')}
      ${countTable('Uitstroom per reden', 'Reden', u.perReason, 'reason')}
      ${countTable('Doorverwezen naar', 'Naar', u.doorverwezenNaar, 'doorverwezen')}
      ${countTable('Verwezen naar organisatie', 'Organisatie', u.perOrganisatie)}
    </div>
    <section class="panel">
      <p class="muted small">Doelen behaald: afgesloten met de reden "doelen behaald", van alle afgesloten trajecten. Tevredenheid: het cijfer (1 tot en met 10) dat bij afsluiten is vastgelegd. Leeftijdsgroepen tellen per kind; een aanmelding met meer hoofdvragen telt bij elk leefgebied. Peilmoment van de stand: ${esc(new Date(m.period.peilmoment).toLocaleString('nl-NL', { timeZone: 'Europe/Amsterdam' }))}.</p>
    </section>`;
}

/** In Teams the API wants the token in a header, which a plain link cannot send: fetch, then save the blob. */
async function downloadCsv() {
  const response = await api($('csv').href);
  if (!response.ok) return showError('De CSV kon niet gedownload worden.');
  const url = URL.createObjectURL(await response.blob());
  const a = Object.assign(document.createElement('a'), { href: url, download: `monitoring-${$('from').value}-tot-en-met-${$('to').value}.csv` });
  a.click();
  URL.revokeObjectURL(url);
}

const year = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Amsterdam' }).slice(0, 4);
const query = new URLSearchParams(window.location.search);
$('from').value = query.get('from') ?? `${year}-01-01`;
$('to').value = query.get('to') ?? `${year}-12-31`;
$('period').addEventListener('submit', (event) => { event.preventDefault(); void load(); });
$('csv').addEventListener('click', (event) => {
  if (!inTeams) return; // local mode: the plain link works
  event.preventDefault();
  void downloadCsv();
});

inTeams = await connectTeams();
$('context').textContent = inTeams
  ? 'Alleen zichtbaar voor coördinatoren. Zonder namen of contactgegevens van gezinnen.'
  : 'Deze pagina draait niet in Teams (lokale modus); het overzicht is alleen op deze computer te zien.';
await load();
if (inTeams) window.microsoftTeams.app.notifySuccess();
document.body.dataset.ready = 'true';
