// Signs in to the approver page through Keycloak in headless Chromium and approves the
// approvals whose ids are given, or checks that the queue is empty. Run by ApproverPageTest:
//
//   PAGE_URL=http://127.0.0.1:8581/approvals USERNAME=carol PASSWORD=carol \
//   APPROVAL_IDS=id1,id2 SCREENSHOT=target/approver-page.png CHROMIUM=/usr/bin/chromium \
//   NODE_PATH=~/.cache/portcullis/playwright/node_modules node approve_in_browser.cjs
//
// With APPROVAL_IDS empty it expects the page to say that nothing waits.
const { chromium } = require('playwright-core');

const env = (name) => {
  const value = process.env[name];
  if (value === undefined) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

async function main() {
  const ids = env('APPROVAL_IDS').split(',').filter((id) => id.length > 0);
  // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
  const browser = await chromium.launch({ executablePath: env('CHROMIUM'), headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    page.setDefaultTimeout(20000);
    await page.goto(env('PAGE_URL'));
    await page.fill('#username', env('USERNAME'));
    await page.fill('#password', env('PASSWORD'));
    await page.click('#kc-login');
    await page.waitForSelector('h1');
    if (ids.length === 0) {
      await page.waitForSelector('#empty');
      await page.screenshot({ path: env('SCREENSHOT'), fullPage: true });
      console.log('queue is empty');
      return;
    }
    for (const id of ids) {
      await page.waitForSelector(`[data-approval-id="${id}"]`);
    }
    await page.screenshot({ path: env('SCREENSHOT'), fullPage: true });
    for (const id of ids) {
      const card = page.locator(`[data-approval-id="${id}"]`);
      await card.locator('form.approve input[name=reason]').fill('approved in the browser');
      await card.locator('form.approve button').click();
      await page.waitForSelector(`.notice:has-text("Approval ${id} is approved.")`);
      console.log(`approved ${id}`);
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
