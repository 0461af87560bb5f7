import { expect, test } from '@playwright/test';
import { ROUTES } from './support';

test.describe('at phone width (375px)', () => {
  test.use({ viewport: { width: 375, height: 740 } });

  for (const route of ROUTES) {
    test(`${route.path} does not scroll sideways`, async ({ page }) => {
      await page.goto(route.path, { waitUntil: 'networkidle' });
      await page.evaluate(() => document.fonts.ready);
      const { scrollWidth, clientWidth } = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        clientWidth: document.documentElement.clientWidth,
      }));
      expect(clientWidth).toBe(375);
      expect(scrollWidth, `document is ${scrollWidth}px wide in a ${clientWidth}px viewport`).toBeLessThanOrEqual(clientWidth);
    });
  }
});
