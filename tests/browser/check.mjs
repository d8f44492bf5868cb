// Renders the report.html of a run, a sweep and a staffing search in Debian's chromium
// (headless, no network) and checks what a person would see: plots present and not empty, KPI
// values equal to the CSV files, no script error, on the sweep page that changing a control
// shows that point's values, and on the staffing page its targets, its plots and a verdict
// table equal to staffing.csv, and on the page of a center of several queues and groups the
// tables of its queues and groups equal to segments.csv and fitting the page. Saves a screenshot
// of each page. Run by tests/browser.rs:
//   node check.mjs RUN_DIR SWEEP_DIR STAFF_DIR CENTER_DIR SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [runDir, sweepDir, staffDir, centerDir, shotDir] = process.argv.slice(2);
const failures = [];
const fail = (msg) => failures.push(msg);

// Minimal CSV reader: ccsim's numeric CSVs have no quoted cells except in error messages.
function csv(file) {
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  return lines.slice(1).map((l) => {
    const cells = l.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i]]));
  });
}

// A displayed number agrees with the exact one to the 4 significant digits shown.
function agrees(shown, exact) {
  if (exact === '' || exact === undefined) return shown === '—';
  const x = Number(exact), s = Number(shown);
  return Number.isFinite(s) && Math.abs(s - x) <= Math.max(5e-4 * Math.abs(x), 5e-5);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-proxy-server',
    '--proxy-server=127.0.0.1:9', '--host-resolver-rules=MAP * ~NOTFOUND'],
});

async function open(file, name) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(`${name}: script error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`${name}: console error: ${m.text()}`); });
  // The page must be self-contained: any request beyond the file itself is a failure.
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url === pathToFileURL(file).href) return route.continue();
    errors.push(`${name}: the page requested ${url}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

async function checkPlots(page, name, min) {
  const plots = await page.$$eval('figure svg', (svgs) => svgs.map((s) => {
    const r = s.getBoundingClientRect();
    return { id: s.closest('figure').id || s.id, width: r.width, height: r.height,
      shapes: s.querySelectorAll('path, polyline, polygon, rect, circle, line').length };
  }));
  if (plots.length < min) fail(`${name}: ${plots.length} plots, expected at least ${min}`);
  for (const p of plots) {
    if (p.width < 200 || p.height < 100) fail(`${name}: plot ${p.id} is ${p.width}×${p.height}`);
    if (p.shapes < 5) fail(`${name}: plot ${p.id} is empty (${p.shapes} shapes)`);
  }
  return plots.length;
}

async function tableValues(page) {
  return page.$$eval('#kpi-table tr[data-kpi]', (rows) => rows.map((r) => ({
    kpi: r.dataset.kpi, shown: r.querySelector('.mean').textContent.trim(),
    value: r.querySelector('.mean').dataset.value,
  })));
}

// The KPI table of a run's page equals its summary.csv.
async function checkSummary(page, dir, name) {
  const summary = Object.fromEntries(csv(path.join(dir, 'summary.csv')).map((r) => [r.kpi, r.mean]));
  const shown = await tableValues(page);
  if (shown.length !== Object.keys(summary).length) fail(`${name}: ${shown.length} KPI rows, summary.csv has ${Object.keys(summary).length}`);
  for (const row of shown) {
    if (row.value !== summary[row.kpi]) fail(`${name}: ${row.kpi} data-value ${row.value} != summary.csv ${summary[row.kpi]}`);
    if (!agrees(row.shown, summary[row.kpi])) fail(`${name}: ${row.kpi} shows ${row.shown}, summary.csv has ${summary[row.kpi]}`);
  }
  return shown;
}

// --- the run page ---
{
  const { page, errors } = await open(path.join(runDir, 'report.html'), 'run');
  const n = await checkPlots(page, 'run', 6);
  const shown = await checkSummary(page, runDir, 'run');
  const scriptErrors = await page.evaluate(() => window.ccsimErrors);
  errors.push(...scriptErrors.map((e) => `run: ${e}`));
  failures.push(...errors);
  await page.screenshot({ path: path.join(shotDir, 'report-run.png'), fullPage: true });
  // Run without --trace N: no transcript, no Timeline.
  if (await page.$('section#timeline')) fail('run: a Timeline section without trace.csv');
  console.log(`run page: ${n} plots, ${shown.length} KPIs checked`);
}

// --- the sweep page ---
{
  const { page, errors } = await open(path.join(sweepDir, 'report.html'), 'sweep');
  const n = await checkPlots(page, 'sweep', 4);
  const rows = csv(path.join(sweepDir, 'sweep.csv'));
  const byPoint = Object.fromEntries(rows.map((r) => [r.point, r]));
  const controls = await page.$$eval('.controls select', (s) => s.map((c) => c.options.length));
  async function expectPoint(point, label) {
    const id = (await page.textContent('#point-id')).trim();
    if (id !== String(point)) fail(`sweep ${label}: page shows point ${id}, expected ${point}`);
    const row = byPoint[String(point)];
    for (const v of await tableValues(page)) {
      if (!agrees(v.shown, row[v.kpi])) fail(`sweep ${label}: ${v.kpi} shows ${v.shown}, sweep.csv point ${point} has ${row[v.kpi]}`);
    }
    const lines = await page.$$eval('#explorer svg polyline.series', (l) => l.length);
    if (lines < 4) fail(`sweep ${label}: the explorer charts hold ${lines} lines`);
    const bars = await page.$$eval('#chart-response rect', (r) => r.length);
    if (bars < 10) fail(`sweep ${label}: the response-time chart holds ${bars} bars`);
    const settings = await page.$$eval('#point-settings tr', (r) => r.length);
    if (settings < 5) fail(`sweep ${label}: ${settings} settings rows`);
  }
  await expectPoint(0, 'initially');
  // Move every control to its last value, one after the other.
  let index = new Array(controls.length).fill(0);
  for (let c = 0; c < controls.length; c++) {
    const before = (await tableValues(page)).map((v) => v.shown).join('|');
    await page.selectOption(`#control-${c}`, String(controls[c] - 1));
    index[c] = controls[c] - 1;
    const point = index.reduce((acc, i, k) => acc * controls[k] + i, 0);
    await expectPoint(point, `after control ${c}`);
    const after = (await tableValues(page)).map((v) => v.shown).join('|');
    if (before === after) fail(`sweep: changing control ${c} changed no value`);
  }
  const scriptErrors = await page.evaluate(() => window.ccsimErrors);
  errors.push(...scriptErrors.map((e) => `sweep: ${e}`));
  failures.push(...errors);
  await page.screenshot({ path: path.join(shotDir, 'report-sweep.png'), fullPage: true });
  console.log(`sweep page: ${n} plots, ${controls.length} controls driven`);
}

// --- the staffing page ---
{
  const { page, errors } = await open(path.join(staffDir, 'report.html'), 'staff');
  const n = await checkPlots(page, 'staff', 9);
  const header = fs.readFileSync(path.join(staffDir, 'staffed.toml'), 'utf8').split('\n').find((l) => l.startsWith('# Targets: '));
  const targets = header.slice('# Targets: '.length).split(', ');
  const shownTargets = await page.$$eval('#staffing code.target', (c) => c.map((x) => x.textContent));
  if (shownTargets.join(', ') !== targets.join(', ')) fail(`staff: targets shown ${shownTargets}, staffed.toml has ${targets}`);
  // The plan's plots: staffing per interval, and each target's KPI against its target.
  for (const id of ['plot-staff_agents', ...targets.map((t) => 'plot-staff_' + t.split(/[<>]=/)[0])]) {
    if (!(await page.$(`figure#${id} svg`))) fail(`staff: no plot ${id}`);
  }
  const rows = csv(path.join(staffDir, 'staffing.csv'));
  const table = await page.$$eval('#verdict-table tr[data-row]', (trs) => trs.map((tr) => ({
    agents: tr.dataset.agents, verdict: tr.dataset.verdict,
    cells: [...tr.querySelectorAll('td')].map((td) => td.textContent.trim()),
    targets: [...tr.querySelectorAll('td.target')].map((td) => ({ kpi: td.dataset.kpi, value: td.dataset.value, shown: td.textContent.trim() })),
  })));
  if (table.length !== rows.length) fail(`staff: ${table.length} verdict rows, staffing.csv has ${rows.length}`);
  rows.forEach((r, i) => {
    const t = table[i];
    if (!t) return;
    if (t.agents !== r.agents) fail(`staff row ${i}: ${t.agents} agents shown, staffing.csv has ${r.agents}`);
    if (t.verdict !== r.verdict || !t.cells.includes(r.verdict)) fail(`staff row ${i}: verdict ${t.verdict}, staffing.csv has ${r.verdict}`);
    if (t.cells[1] !== r.start || t.cells[2] !== r.end) fail(`staff row ${i}: ${t.cells[1]}–${t.cells[2]}, staffing.csv has ${r.start}–${r.end}`);
    if (t.targets.length !== targets.length) fail(`staff row ${i}: ${t.targets.length} target cells`);
    for (const c of t.targets) {
      if (c.value !== r[c.kpi]) fail(`staff row ${i}: ${c.kpi} data-value ${c.value}, staffing.csv has ${r[c.kpi]}`);
      const [mean, low, high] = c.shown.match(/[0-9.]+/g);
      if (!agrees(mean, r[c.kpi]) || !agrees(low, r[c.kpi + '_ci95_low']) || !agrees(high, r[c.kpi + '_ci95_high'])) {
        fail(`staff row ${i}: ${c.kpi} shows ${c.shown}, staffing.csv has ${r[c.kpi]} [${r[c.kpi + '_ci95_low']}, ${r[c.kpi + '_ci95_high']}]`);
      }
    }
  });
  const shown = await checkSummary(page, staffDir, 'staff');
  const scriptErrors = await page.evaluate(() => window.ccsimErrors);
  errors.push(...scriptErrors.map((e) => `staff: ${e}`));
  failures.push(...errors);
  await page.screenshot({ path: path.join(shotDir, 'report-staff.png'), fullPage: true });
  console.log(`staff page: ${n} plots, ${table.length} verdict rows and ${shown.length} KPIs checked`);
}

// --- the page of a center: its queues and groups ---
{
  const { page, errors } = await open(path.join(centerDir, 'report.html'), 'center');
  const n = await checkPlots(page, 'center', 8);
  await checkSummary(page, centerDir, 'center');
  const segments = Object.fromEntries(csv(path.join(centerDir, 'segments.csv')).map((r) => [`${r.scope}/${r.segment}/${r.kpi}`, r]));
  let checked = 0;
  for (const scope of ['queue', 'group']) {
    const table = await page.$(`#segments-${scope}`);
    if (!table) { fail(`center: no table of the ${scope}s`); continue; }
    const box = await table.boundingBox();
    const fits = await page.$eval(`#segments-${scope}`, (t) => t.parentElement.scrollWidth <= t.parentElement.clientWidth);
    if (!box || box.height < 100) fail(`center: the ${scope} table is ${box && box.height} px high`);
    if (!fits) fail(`center: the ${scope} table is wider than the page`);
    const cells = await page.$$eval(`#segments-${scope} td[data-segment]`, (tds) => tds.map((td) => ({
      segment: td.dataset.segment, kpi: td.dataset.kpi, value: td.dataset.value,
      mean: td.firstChild.textContent.trim(), ci: (td.querySelector('.ci') || { textContent: '' }).textContent.trim(),
    })));
    for (const c of cells.filter((c) => c.segment !== '')) {
      const r = segments[`${scope}/${c.segment}/${c.kpi}`];
      if (!r) { fail(`center: ${scope} ${c.segment} ${c.kpi} is not in segments.csv`); continue; }
      if (c.value !== r.mean || !agrees(c.mean, r.mean)) fail(`center: ${scope} ${c.segment} ${c.kpi} shows ${c.mean} (${c.value}), segments.csv has ${r.mean}`);
      const [low, high] = (c.ci.match(/[0-9.e+-]+/g) || []);
      if (r.ci95_low !== '' && (!agrees(low, r.ci95_low) || !agrees(high, r.ci95_high))) fail(`center: ${scope} ${c.segment} ${c.kpi} interval ${c.ci}, segments.csv has [${r.ci95_low}, ${r.ci95_high}]`);
      checked++;
    }
  }
  // The center was run with --trace N: the Timeline draws lanes of agents of trace.csv, chats
  // of its contacts, and fits the page.
  const trace = csv(path.join(centerDir, 'trace.csv'));
  const accepting = new Set(trace.filter((r) => r.event === 'accepted' || r.event === 'reaccepted').map((r) => r.agent));
  const traced = new Set(trace.map((r) => r.contact));
  const timeline = await page.evaluate(() => {
    const s = document.querySelector('section#timeline svg');
    if (!s) return null;
    const r = s.getBoundingClientRect();
    return { width: r.width, height: r.height, page: document.body.clientWidth,
      lanes: [...s.querySelectorAll('g.tl-lane')].map((l) => ({ agent: l.dataset.agent,
        bars: [...l.querySelectorAll('g.tl-chat')].map((b) => b.dataset.contact) })),
      legend: s.querySelectorAll('g.tl-legend text').length };
  });
  if (!timeline) fail('center: no Timeline section with a drawing (the run has trace.csv)');
  else {
    if (timeline.lanes.length < 2 || timeline.lanes.length > 8) fail(`center: the Timeline has ${timeline.lanes.length} lanes`);
    for (const l of timeline.lanes) {
      if (!accepting.has(l.agent)) fail(`center: Timeline lane of agent ${l.agent}, who accepted no traced chat`);
      if (l.bars.length === 0) fail(`center: Timeline lane of agent ${l.agent} has no chat`);
      for (const c of l.bars) if (!traced.has(c)) fail(`center: Timeline chat of contact ${c}, not in trace.csv`);
    }
    if (timeline.width > timeline.page + 1 || timeline.height < 100) fail(`center: the Timeline is ${timeline.width}×${timeline.height} on a page ${timeline.page} wide`);
    if (timeline.legend < 6) fail(`center: the Timeline's legend has ${timeline.legend} entries`);
  }
  const scriptErrors = await page.evaluate(() => window.ccsimErrors);
  errors.push(...scriptErrors.map((e) => `center: ${e}`));
  failures.push(...errors);
  await page.screenshot({ path: path.join(shotDir, 'report-center.png'), fullPage: true });
  console.log(`center page: ${n} plots, ${checked} queue and group values checked, timeline of ${timeline && timeline.lanes.length} lanes`);
}

await browser.close();
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('browser checks passed');
