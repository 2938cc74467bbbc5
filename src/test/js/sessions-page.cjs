// Drives the sessions page in headless Chromium with playwright-core. Run by
// io.portcullis.recording.SessionPageBrowserTest, which passes these variables:
// GATEWAY_URL, OWNER_TOKEN, OTHER_TOKEN, SESSION_ID, EXPECTED_TEXT, CHROMIUM, PLAYWRIGHT_DIR.
// Exits 0 when every check passed, else prints the failed check and exits 1.
"use strict";

const path = require("path");
const { chromium } = require(path.join(process.env.PLAYWRIGHT_DIR, "node_modules", "playwright-core"));

const gateway = process.env.GATEWAY_URL;
const sessionId = process.env.SESSION_ID;
const timeout = 20000;

function check(condition, message) {
  if (!condition) {
    throw new Error(message);
  }
  console.log("ok: " + message);
}

async function signIn(page, token) {
  await page.goto(gateway + "/sessions");
  await page.fill("#token", token);
  await page.click("#load");
}

async function ownerSeesAndReplays(page) {
  await signIn(page, process.env.OWNER_TOKEN);
  const link = page.locator(`a[data-session="${sessionId}"]`);
  await link.waitFor({ timeout });
  check(await link.isVisible(), "the owner's list contains the session");

  await link.click();
  const chain = page.locator("#chain");
  await chain.waitFor({ timeout });
  check((await chain.getAttribute("class")) === "valid", "the timeline reports an intact hash chain");
  const rows = await page.locator("#events tbody tr").count();
  check(rows >= 4, `the timeline lists the request's events (${rows} rows)`);

  await page.selectOption("#speed", "10");
  await page.locator("button[data-event]").first().click();
  await page.locator("#replay-state", { hasText: "(done)" }).waitFor({ timeout });
  const text = await page.locator("#replay-text").textContent();
  check(text === process.env.EXPECTED_TEXT, `the replay shows the recorded answer (${JSON.stringify(text)})`);
  const count = Number(await page.locator("#replay-count").textContent());
  check(count > 2, `the replay received the recorded events one by one (${count})`);
}

async function otherUserSeesNothing(page) {
  await signIn(page, process.env.OTHER_TOKEN);
  await page.locator("#sessions table, #sessions p").first().waitFor({ timeout });
  check(await page.locator(`a[data-session="${sessionId}"]`).count() === 0,
    "another user's list does not contain the session");
  const fragment = await page.evaluate(async ([id, token]) => {
    const response = await fetch("/sessions/fragments/" + encodeURIComponent(id),
      { headers: { Authorization: "Bearer " + token } });
    return { status: response.status, body: await response.text() };
  }, [sessionId, process.env.OTHER_TOKEN]);
  check(fragment.status === 404 && fragment.body.includes("session_not_found"),
    "another user gets session_not_found for the session's timeline");
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    // Chromium's sandbox refuses to run as root, which is how CI runs.
    args: ["--no-sandbox"],
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    page.on("pageerror", error => problems.push("page error: " + error.message));
    page.on("console", message => {
      if (message.type() === "error") {
        problems.push("console error: " + message.text());
      }
    });
    await ownerSeesAndReplays(page);
    await otherUserSeesNothing(page);
    // The 404 above logs one console error for the failed fetch; everything else is unexpected.
    const unexpected = problems.filter(problem => !problem.includes("404"));
    check(unexpected.length === 0, "the page ran without script errors " + JSON.stringify(unexpected));
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), error => {
  console.error("FAILED: " + error.message);
  process.exit(1);
});
