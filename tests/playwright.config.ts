// Browser tests against the built site, served by Astro's own preview server on a free port
// (tests/site/serve.ts). `npm test` builds the site first and picks the browser (tests/lib/browser.ts).
import { defineConfig, devices } from '@playwright/test';
import { chromiumArgs } from './lib/browser.ts';

const executablePath = process.env.KB_CHROMIUM_PATH || undefined;

export default defineConfig({
  testDir: './site',
  // tests/site also holds node:test files (*.test.ts) of the site's modules; npm test runs those with node.
  testMatch: '**/*.spec.ts',
  globalSetup: './site/serve.ts',
  fullyParallel: true,
  // Three workers on two cores: the live-panel tests spend most of their time waiting for a repro
  // run, and the third worker keeps both cores busy meanwhile. KB_PW_WORKERS overrides.
  workers: Number(process.env.KB_PW_WORKERS ?? 3),
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  // KB_PW_OUTPUT / KB_PW_JSON: another run beside this one (npm test's base-path pass) keeps its
  // artifacts and report apart, as Playwright empties its output folder when it starts.
  outputDir: process.env.KB_PW_OUTPUT ?? '../test-results/playwright',
  reporter: [['list'], ['json', { outputFile: process.env.KB_PW_JSON ?? '../test-results/playwright.json' }]],
  use: {
    // Set by globalSetup once the preview server is listening; workers read it when they load this file.
    baseURL: process.env.KB_TEST_URL,
    // A trace records DOM snapshots at every action of every test, passing or not: a third of the
    // browser tests' CPU time (208 -> 147 CPU-seconds for the whole set on 2 cores). So traces are
    // off unless KB_PW_TRACE=1 asks for them (then kept for failing tests); a failing test always
    // leaves a screenshot of the page as it failed, which costs nothing while tests pass.
    trace: process.env.KB_PW_TRACE === '1' ? 'retain-on-failure' : 'off',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: { ...(executablePath ? { executablePath } : {}), args: chromiumArgs() },
      },
    },
  ],
});
