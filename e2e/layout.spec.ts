import { expect, test } from '@playwright/test';

test.use({ viewport: { width: 360, height: 800 }, colorScheme: 'dark' });

test('at 360 px wide, in the dark theme, the page needs no sideways scrolling and every control has a name', async ({
  page,
}) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Palmer penguins' }).click();
  await expect(page.getByTestId('data-summary')).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // Dark theme: the element paints a dark background.
  const bg = await page.locator('webgpu-trainer').evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).toBe('rgb(22, 24, 28)');
  // Every form control is labelled (by a <label>, aria-label, or as a button by its text).
  const unnamed = await page.evaluate(() => {
    const missing: string[] = [];
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('input, select, button')) {
        const named =
          el.getAttribute('aria-label') ||
          el.closest('label') ||
          (el.id && root.querySelector(`label[for="${el.id}"]`)) ||
          (el.tagName === 'BUTTON' && el.textContent?.trim());
        if (!named) missing.push(el.outerHTML.slice(0, 80));
      }
      for (const host of root.querySelectorAll('*')) if (host.shadowRoot) walk(host.shadowRoot);
    };
    walk(document);
    return missing;
  });
  expect(unnamed).toEqual([]);
});
