import { expect, test } from '@playwright/test';
import { ROUTES, expectNoSeriousAxeViolations, waitForHydration } from './support';

// One page of each kind; prompt-tuning is the same template as lora.
const PAGES = ROUTES.filter((r) => r.path !== '/methods/prompt-tuning/');

for (const theme of ['light', 'dark'] as const) {
  test.describe(`accessibility, ${theme} theme`, () => {
    test.use({ colorScheme: theme });

    for (const route of PAGES) {
      test(`${route.path} (${route.kind}) has no serious or critical axe violations`, async ({ page }) => {
        await page.goto(route.path, { waitUntil: 'networkidle' });
        await waitForHydration(page);
        if (theme === 'dark') await expect(page.locator('html')).toHaveClass(/\bdark\b/);
        else await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);

        await expectNoSeriousAxeViolations(page, `${route.path} (${theme})`);
      });
    }
  });
}
