import { expect, test } from '@playwright/test';
import { waitForHydration } from './support';

test.describe('theme toggle', () => {
  test.use({ colorScheme: 'light' });

  test('switches <html> between light and dark and remembers the choice across reloads', async ({ page }) => {
    await page.goto('/');
    const html = page.locator('html');
    const toggle = page.getByTestId('theme-toggle');
    await waitForHydration(page);
    await expect(html).not.toHaveClass(/\bdark\b/);
    await expect(toggle).toHaveAttribute('aria-pressed', 'false');

    await toggle.click();
    await expect(html).toHaveClass(/\bdark\b/);
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');
    expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('dark');
    const darkBg = await page.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);

    await page.reload();
    await expect(html).toHaveClass(/\bdark\b/);
    await waitForHydration(page);
    await expect(toggle).toHaveAttribute('aria-pressed', 'true');

    await toggle.click();
    await expect(html).not.toHaveClass(/\bdark\b/);
    const lightBg = await page.locator('body').evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(lightBg, 'the body background changes with the theme').not.toBe(darkBg);

    await page.reload();
    await waitForHydration(page);
    await expect(html).not.toHaveClass(/\bdark\b/);
    expect(await page.evaluate(() => localStorage.getItem('theme'))).toBe('light');
  });

  test('the chosen theme carries over to other pages', async ({ page }) => {
    await page.goto('/');
    await waitForHydration(page);
    await page.getByTestId('theme-toggle').click();
    await expect(page.locator('html')).toHaveClass(/\bdark\b/);
    await page.goto('/methods/lora/');
    await expect(page.locator('html')).toHaveClass(/\bdark\b/);
  });
});

test.describe('system preference', () => {
  test.describe('dark', () => {
    test.use({ colorScheme: 'dark' });
    test('a first visit follows a dark system setting', async ({ page }) => {
      await page.goto('/');
      await expect(page.locator('html')).toHaveClass(/\bdark\b/);
      await waitForHydration(page);
      await expect(page.getByTestId('theme-toggle')).toHaveAttribute('aria-pressed', 'true');
      expect(await page.evaluate(() => localStorage.getItem('theme'))).not.toBe('dark');
    });
  });

  test.describe('light', () => {
    test.use({ colorScheme: 'light' });
    test('a first visit follows a light system setting', async ({ page }) => {
      await page.goto('/');
      await waitForHydration(page);
      await expect(page.locator('html')).not.toHaveClass(/\bdark\b/);
      await expect(page.getByTestId('theme-toggle')).toHaveAttribute('aria-pressed', 'false');
    });
  });
});
