import { defineConfig, devices } from '@playwright/test';
import { ORIGIN as baseURL, PORT } from './e2e/support';

/**
 * Browser tests against the static export in out/ (run `npm run build` first; `npm test` does).
 * Uses the system Chromium: nothing is downloaded, and the browser is told not to phone home,
 * so the "no request leaves localhost" checks only see what the site itself asks for.
 */
export default defineConfig({
  testDir: 'e2e',
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  reporter: 'list',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    navigationTimeout: 15_000,
    actionTimeout: 5_000,
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
          args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        },
      },
    },
  ],
  webServer: {
    command: 'node scripts/serve.mjs',
    env: { PORT: String(PORT) },
    url: `${baseURL}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 30_000,
  },
});
