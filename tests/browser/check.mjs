// Renders a run's and a sweep's report.html in Debian's chromium (headless, no network) and
// checks what a person would see: plots present and not empty, KPI values equal to the CSV
// files, no script error, and on the sweep page that changing a control shows that point's
// values. Saves a screenshot of each page. Run by tests/browser.rs:
//   node check.mjs RUN_DIR SWEEP_DIR SCREENSHOT_DIR
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [runDir, sweepDir, shotDir] = process.argv.slice(2);
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

// --- the run page ---
{
  const { page, errors } = await open(path.join(runDir, 'report.html'), 'run');
  const n = await checkPlots(page, 'run', 6);
  const summary = Object.fromEntries(csv(path.join(runDir, 'summary.csv')).map((r) => [r.kpi, r.mean]));
  const shown = await tableValues(page);
  if (shown.length !== Object.keys(summary).length) fail(`run: ${shown.length} KPI rows, summary.csv has ${Object.keys(summary).length}`);
  for (const row of shown) {
    if (row.value !== summary[row.kpi]) fail(`run: ${row.kpi} data-value ${row.value} != summary.csv ${summary[row.kpi]}`);
    if (!agrees(row.shown, summary[row.kpi])) fail(`run: ${row.kpi} shows ${row.shown}, summary.csv has ${summary[row.kpi]}`);
  }
  const scriptErrors = await page.evaluate(() => window.ccsimErrors);
  errors.push(...scriptErrors.map((e) => `run: ${e}`));
  failures.push(...errors);
  await page.screenshot({ path: path.join(shotDir, 'report-run.png'), fullPage: true });
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

await browser.close();
if (failures.length) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('browser checks passed');
