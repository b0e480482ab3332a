import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Real Chromium for the dashboard's tests: Debian's `chromium` package driven by playwright-core
 * (the test tool's own browser download cannot work here). Tests skip, saying so, when none is found.
 */
const CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'];

export const chromiumPath: string | undefined = CANDIDATES.find(
  (path): path is string => !!path && existsSync(path),
);

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh headless Chromium with a profile folder of its own, removed on close. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!chromiumPath) throw new Error('no Chromium found');
  const profile = mkdtempSync(join(tmpdir(), 'tinystacks-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A headless Chromium whose contexts start empty (no cache, no storage): a first visit each time. */
export async function launchChromium(): Promise<Browser> {
  if (!chromiumPath) throw new Error('no Chromium found');
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: ARGS });
}

export type { Page };

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(axeSource);
  // A string, not a function: the test code is type-checked without the DOM's types.
  const violations = (await page.evaluate(
    `axe.run(document).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Where screenshots go: a gitignored folder kept as the test's artifacts. */
export const SCREENSHOTS = join(process.cwd(), 'test-artifacts/dashboard');

const PHONE_WIDTH = 375;

/** How wide the page is laid out at a phone's width: wider than the screen means sideways scrolling. */
async function widthAtPhone(page: Page): Promise<number> {
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  await page.setViewportSize({ width: PHONE_WIDTH, height: 900 });
  // A string, not a function: the test code is type-checked without the DOM's types.
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  await page.setViewportSize(size);
  return width;
}

/** The page at a phone's width (375 px) and a desktop's, each as a full-page PNG. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1280, height: 900 };
  for (const [label, width] of [
    [`${PHONE_WIDTH}`, PHONE_WIDTH],
    ['desktop', 1280],
  ] as const) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${label}.png`), fullPage: true });
  }
  await page.setViewportSize(size);
}

/** A dashboard page as every browser test checks it: screenshots at both widths, no serious axe-core violation. */
export async function checkPage(page: Page, name: string): Promise<void> {
  await screenshots(page, name);
  expect({ page: name, width: await widthAtPhone(page) }).toEqual({ page: name, width: PHONE_WIDTH });
  const violations = await seriousViolations(page);
  expect(
    violations.map(
      (v) => `${name}: ${v.id} (${v.impact}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    ),
  ).toEqual([]);
}
