/**
 * `eks-access report --app` on the example app, as a user sees it: the table output (a text
 * snapshot), and the HTML page opened in headless Chromium (Debian's `chromium`, driven by
 * playwright-core; no browser is downloaded): its table rows and graph nodes read from the DOM,
 * the filter, a click on a node highlighting its paths, no network request, and a screenshot saved
 * under test/.tmp/report-page/ for review.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { chromium, BrowserContext, Page } from 'playwright-core';
import { run } from './harness';
import { buildApp } from '../../examples/new-cluster/app';

jest.setTimeout(120_000);

const OUT = join(__dirname, '..', '.tmp', 'report-page');
const ASSEMBLY = join(OUT, 'cdk.out');
const PAGE = join(OUT, 'report.html');
/** Where the screenshot of the page goes (gitignored). */
export const SCREENSHOT = join(OUT, 'report-page.png');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The launch flags: no GPU, no background traffic, no first-run UI. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

beforeAll(() => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  // As `cdk synth` does: construct paths in the template metadata.
  buildApp(new App({ outdir: ASSEMBLY, context: { 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:enable-path-metadata': true } })).app.synth();
});

test('the table report of the example app', async () => {
  const r = await run(['report', '--app', ASSEMBLY]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatchSnapshot();
});

describe('the HTML report of the example app, in headless Chromium', () => {
  let context: BrowserContext;
  let page: Page;
  const external: string[] = [];
  let profile: string;

  beforeAll(async () => {
    const r = await run(['report', '--app', ASSEMBLY, '-o', 'html', '--out', PAGE]);
    expect(r).toEqual({ code: 0, stdout: '', stderr: `wrote ${PAGE}\n` });
    if (!existsSync(CHROMIUM)) {
      throw new Error(`no Chromium at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium), as .ci/run does, or set CHROMIUM_PATH`);
    }
    profile = mkdtempSync(join(OUT, 'profile-'));
    const options = { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1500, height: 1100 } };
    context = await chromium.launchPersistentContext(profile, options);
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) {
        return route.continue();
      }
      external.push(url);
      return route.abort();
    });
    page = await context.newPage();
    await page.goto(`file://${PAGE}`);
  });
  afterAll(async () => {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test('is one self-contained file that asks the network for nothing', () => {
    const html = readFileSync(PAGE, 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(external).toEqual([]);
  });

  test('has a row per team role', async () => {
    const rows = await page.$$eval('#principals tbody tr', (trs) => trs.map((tr) => (tr as unknown as { innerText: string }).innerText));
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.includes('Access/Developers/Role'))).toMatch(/team:dev[\s\S]*ClusterRole edit \(namespace dev, RoleBinding dev\/dev-edit\)[\s\S]*IAM group EksAccessNewCluster\/Access\/Developers\/Group/);
    expect(rows.find((r) => r.includes('Access/Sre/Role'))).toMatch(/role\/platform\/[\s\S]*AmazonEKSClusterAdminPolicy \(cluster\)[\s\S]*\(MFA required\)/);
    expect(rows.find((r) => r.includes('Access/Auditors/Role'))).toMatch(/team:auditors[\s\S]*ClusterRole view \(cluster, ClusterRoleBinding auditors-view\)/);
  });

  test('draws the graph IAM group → role → Kubernetes group → role → namespace', async () => {
    const nodes = await page.$$eval('#graph g.node', (gs) => gs.map((g) => `${g.getAttribute('data-kind')}: ${g.querySelector('title')!.textContent}`));
    expect(nodes).toEqual(expect.arrayContaining([
      'iam-group: IAM group EksAccessNewCluster/Access/Developers/Group',
      'iam-group: IAM group EksAccessNewCluster/Access/Sre/Group (MFA required)',
      'principal: EksAccessNewCluster/Access/Developers/Role',
      'k8s-group: team:dev',
      'role: ClusterRole edit',
      'role: ClusterRole view',
      'access-policy: AmazonEKSClusterAdminPolicy',
      'scope: namespace dev',
      'scope: namespace dev-tools',
      'scope: whole cluster',
    ]));
    expect(await page.$$eval('#graph path.edge', (es) => es.length)).toBeGreaterThanOrEqual(12);
  });

  test('a click on a node highlights its paths and dims the rest', async () => {
    await page.click('#graph g.node[data-kind="iam-group"][data-id*="Developers"]');
    const lit = await page.$$eval('#graph g.node.highlighted', (gs) => gs.map((g) => g.querySelector('title')!.textContent));
    expect(lit.sort()).toEqual([
      'ClusterRole edit', 'EksAccessNewCluster/Access/Developers/Role', 'IAM group EksAccessNewCluster/Access/Developers/Group',
      'namespace dev', 'namespace dev-tools', 'team:dev',
    ]);
    expect(await page.$eval('#graph g.node[data-kind="access-policy"]', (g) => g.classList.contains('dimmed'))).toBe(true);
    expect(await page.$$eval('#graph path.edge.highlighted', (es) => es.length)).toBe(5);
    expect(await page.$$eval('#principals tr.highlighted', (trs) => trs.map((tr) => tr.querySelector('small')!.textContent))).toEqual(['EksAccessNewCluster/Access/Developers/Role']);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    // A second click clears the highlight.
    await page.click('#graph g.node[data-kind="iam-group"][data-id*="Developers"]');
    expect(await page.$$eval('#graph g.highlighted, #graph g.dimmed', (gs) => gs.length)).toBe(0);
  });

  test('the filter hides the rows that do not match', async () => {
    await page.fill('#filter', 'auditors');
    const visible = await page.$$eval('#principals tbody tr', (trs) => trs.filter((tr) => !(tr as unknown as { hidden: boolean }).hidden).length);
    expect(visible).toBe(1);
    expect(await page.textContent('#shown')).toBe('1 of 3 shown');
    await page.fill('#filter', '');
  });

  test('the screenshot is saved for review', () => {
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
  });
});
