import {
  checkPage as checkedPage,
  chromiumPath,
  launchBrowser,
  screenshots,
  type Page,
  type TestBrowser,
} from './browser';
import { startLocalServer, type LocalServer } from './local-server';

/** Time for one browser step (a page driven through a whole operation on the simulator). */
export const STEP_MS = 120_000;

/** `describe` where Chromium is installed; elsewhere the suite is skipped, saying so. */
export const describeInBrowser: jest.Describe = chromiumPath ? describe : describe.skip;
if (!chromiumPath)
  process.stdout.write('dashboard browser tests SKIPPED: no Chromium found (apt-get install -y chromium)\n');

export interface DashboardSession {
  readonly server: LocalServer;
  readonly browser: TestBrowser;
  readonly page: Page;
  /** Screenshots at 375 px and on a desktop, and no serious or critical axe-core violation. */
  checkPage(name: string, on?: Page): Promise<void>;
  /** Screenshots at 375 px and on a desktop. */
  screenshots(name: string): Promise<void>;
}

/**
 * `npm start` (with `args`) and one Chromium page for the enclosing suite, closed after it. A test
 * during which the page threw an uncaught error fails.
 */
export function dashboardSession(name: string, args: string[]): DashboardSession {
  let server: LocalServer | undefined;
  let browser: TestBrowser | undefined;
  let page: Page | undefined;
  const errors: string[] = [];
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the dashboard session has not started (use it inside a test)');
    return value;
  };

  beforeAll(async () => {
    server = await startLocalServer(name, args);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (error) => errors.push(error.message));
  }, STEP_MS);
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });
  afterEach(() => expect(errors.splice(0)).toEqual([]));

  return {
    get server() {
      return started(server);
    },
    get browser() {
      return started(browser);
    },
    get page() {
      return started(page);
    },
    async screenshots(name) {
      await screenshots(started(page), name);
    },
    checkPage: (name, on) => checkedPage(on ?? started(page), name),
  };
}
