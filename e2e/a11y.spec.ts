import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { ROUTES, waitForHydration } from './support';

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

        const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
        const report = blocking
          .map(
            (v) =>
              `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
              v.nodes.map((n) => `    ${n.target.join(' ')}\n      ${n.failureSummary?.replace(/\n/g, '\n      ') ?? ''}`).join('\n'),
          )
          .join('\n');
        expect(blocking.length, `axe violations on ${route.path} (${theme}):\n${report}`).toBe(0);
      });
    }
  });
}
