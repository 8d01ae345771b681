/*
 * The agent panel in a real browser (docs/agents.md, "In the browser"):
 * Debian's Chromium, headless, driven by puppeteer-core.  Run by
 * tests/e2e/panel.sh, which starts the servers:
 *
 *   node panel.js open URL SHOTS      the panel on a server without tokens
 *   node panel.js tokens URL SHOTS TOKEN   sign-in on a server with tokens
 *
 * Prints one line per failed check and "panel: N passed, N failed";
 * exits 1 when any failed.  Screenshots go to SHOTS, to be looked at.
 */
'use strict';

const puppeteer = require('puppeteer-core');
const path = require('path');

const [mode, base, shots, token] = process.argv.slice(2);
let passed = 0, failed = 0;

function check(cond, what) {
  if (process.env.VERBOSE) console.log((cond ? 'ok: ' : 'not ok: ') + what);
  if (cond) passed++;
  else { failed++; console.log('FAIL: ' + what); }
}

/* Polled, not on animation frames, which a background tab does not get. */
const POLL = { polling: 50 };
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

async function shot(page, name) {
  // what the agent sees: the panel's window, 400 px wide, from the top
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(shots, name + '.png') });
}

async function newPage(browser, errors) {
  const page = await browser.newPage();
  await page.setViewport({ width: 400, height: 860 });
  page.on('pageerror', (e) => errors.push('page error: ' + e.message));
  page.on('console', (m) => {
    // a refused request is logged by the browser as a failed load: the
    // checks look at what the page said about it instead
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push('console: ' + m.text());
  });
  page.setDefaultTimeout(15000);
  return page;
}

const count = (page, sel) => page.$$eval(sel, (x) => x.length);
const text = (page, sel) => page.$eval(sel, (x) => x.textContent);
const itemState = (page, ref) => page.$eval('.item[data-ref="' + ref + '"]',
  (x) => x.className.split(' ')[1]).catch(() => 'absent');

/* Types a line in the box and waits until the conversation shows it. */
async function say(page, line) {
  const before = await count(page, '#events li');
  await page.focus('#line');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (n) => document.querySelectorAll('#events li').length > n, POLL, before);
}

async function speaker(page, want) {
  if ((await text(page, '#speaker')) !== want) {
    await page.focus('#line');
    await page.keyboard.press('Tab');
  }
  check((await text(page, '#speaker')) === want, 'Tab switches the speaker to ' + want);
}

async function api(method, url, body) {
  const r = await fetch(base + url, {
    method, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, data: await r.json() };
}

async function openServer(browser) {
  const errors = [];
  const page = await newPage(browser, errors);

  // The start page: open or start a case.
  await page.goto(base + '/');
  await page.waitForSelector('#start:not([hidden])');
  check(await page.$eval('#open-id', (x) => x === document.activeElement),
        'the case id box has the focus on the start page');
  await shot(page, 'panel-start');

  // An unknown case is said, and nothing is opened.
  await page.type('#open-id', 'NOPE-1');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('#open-form .error').textContent !== '', POLL);
  check((await text(page, '#open-form .error')).includes("no case 'NOPE-1'"),
        'an unknown case id is refused with its name');

  // A new case.
  await page.type('#new-topic', 'delivery');
  await page.type('#new-id', 'P-1');
  await page.click('#new-form button[type=submit]');
  await page.waitForSelector('#case:not([hidden])');
  check(page.url().endsWith('#P-1'), 'the case id is in the address, for reload');
  check((await text(page, '#state')) === 'In contact', 'a new case is in contact');
  check(await page.$eval('#line', (x) => x === document.activeElement),
        'the box has the focus on a new case');
  check((await text(page, '#next-prompt')).length > 10, 'the next step is shown');

  // A second tab on the same case follows it live.
  const other = await newPage(browser, errors);
  await other.goto(base + '/#P-1');
  await other.waitForSelector('#conn.live');
  await page.bringToFront();

  // The call, typed as an agent would.
  await speaker(page, 'Customer');
  await say(page, 'My parcel is a week late and I need it for Saturday!');
  await speaker(page, 'You');
  const t0 = Date.now();
  await say(page, "So what I'm hearing is the parcel you ordered on the 3rd " +
                  "hasn't arrived, and Saturday matters.");
  await other.waitForFunction(() => {
    const x = document.querySelector('.item[data-ref="listen.restate"]');
    return x && x.classList.contains('waiting') === false &&
           document.querySelectorAll('#events .detected').length > 0;
  }, POLL);
  const latency = Date.now() - t0;
  console.log('panel: the other tab showed the restatement ' + latency + ' ms after Enter');
  check(latency < 3000, 'the other tab is updated live (' + latency + ' ms)');
  check((await count(page, '#events .detected')) > 0,
        'a detected event is shown with its evidence');
  check((await text(page, '#events .detected')).includes('listen'),
        'the detected event names the principle that found it');
  await speaker(page, 'Customer');
  await say(page, 'Yes, exactly.');
  check((await itemState(page, 'listen.restate')) === 'done',
        'listen.restate ticks once the customer agrees');

  // What a customer says is text, never markup.
  await say(page, 'My name is <img src=x onerror="document.title=1"><b>Bob</b>');
  check((await text(page, '#events')).includes('<b>Bob</b>') &&
        (await count(page, '#events img, #events b')) === 0 &&
        (await page.title()) === 'Playbook',
        'markup in what was said is shown as text');

  // Commands of playbook live, after a slash.
  await say(page, '/ask order_id Could I have your order number?');
  await say(page, '/fact order_id=A-1042');
  check((await itemState(page, 'ask.order_id')) === 'done', '/fact ticks ask.order_id');
  await say(page, '/ask order_id Sorry, what was the order number again?');
  await page.waitForSelector('#violations li');
  const v = await text(page, '#violations li');
  check(v.includes('no repeat') && v.includes('what was the order number again'),
        'the violation is shown with the words that caused it: ' + v);
  await other.waitForSelector('#violations li');
  check((await count(other, '#violations li')) === 1, 'the other tab shows the violation too');

  await say(page, '/propose I can send a replacement today by express courier.');
  await say(page, '/resolve');

  // A bad command is refused, said, and nothing is recorded.
  const n = await count(page, '#events li');
  await page.focus('#line');
  await page.keyboard.type('/frobnicate now');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelector('#say-error').textContent !== '', POLL);
  check((await text(page, '#say-error')).includes("unknown command 'frobnicate'"),
        'an unknown command is refused with the reason');
  check((await page.$eval('#line', (x) => x.value)) === '/frobnicate now',
        'a refused line stays in the box to be corrected');
  check((await count(page, '#events li')) === n, 'a refused command records nothing');
  await page.$eval('#line', (x) => { x.value = ''; });
  await shot(page, 'panel-call');

  // Keys: Esc leaves the box, j selects, x checks, s skips with a reason.
  await page.keyboard.press('Escape');
  const first = await page.$eval('.item.open', (x) => x.dataset.ref);
  let guard = 0;
  while ((await page.$eval('.item.selected', (x) => x.dataset.ref).catch(() => ''))
         !== first && guard++ < 30)
    await page.keyboard.press('j');
  check(guard < 30, 'j walks the items to ' + first);
  await page.keyboard.press('x');
  await page.waitForFunction((r) =>
    document.querySelector('.item[data-ref="' + r + '"]').classList.contains('done'), POLL, first);
  check(true, 'x marks the selected item done');
  const skipRef = await page.$eval('.item.open', (x) => x.dataset.ref);
  await page.click('.item[data-ref="' + skipRef + '"]');
  await page.keyboard.press('s');
  await page.waitForSelector('.item.selected form input');
  await page.keyboard.press('Enter');          // no reason: not sent
  await sleep(200);
  check((await itemState(page, skipRef)) !== 'skipped', 'a skip without a reason is not sent');
  await page.keyboard.type('Customer hung up before we got there');
  await page.keyboard.press('Enter');
  await page.waitForFunction((r) =>
    document.querySelector('.item[data-ref="' + r + '"]').classList.contains('skipped'),
    {}, skipRef);
  check((await text(page, '.item[data-ref="' + skipRef + '"]')).includes('hung up'),
        'a skipped item shows its reason');

  // Undo: the last event is struck through, and can be seen to be.
  const before = await count(page, '#events li.undone');
  await page.keyboard.press('u');
  await page.waitForFunction((k) =>
    document.querySelectorAll('#events li.undone').length > k, POLL, before);
  check(true, 'u undoes the last event');

  // A follow-up, then the end of the contact: the case stays open.
  await page.keyboard.press('f');
  check(await page.$eval('#fu-due', (x) => x === document.activeElement),
        'f opens the follow-up form');
  await page.keyboard.type('tomorrow 10:00');
  await page.type('#fu-text', 'Check the parcel arrived');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#fu-list li').length > 0, POLL);
  check((await text(page, '#fu-list')).includes('tomorrow 10:00'),
        'the planned follow-up is listed');
  await page.focus('#fu-due');
  await page.keyboard.type('whenever');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('#followup .error').textContent !== '', POLL);
  check((await text(page, '#followup .error')).includes('whenever'),
        'a due time that does not read is refused, naming it');
  await page.$eval('#fu-due', (x) => { x.value = ''; x.blur(); });

  await page.keyboard.press('e');
  await page.waitForSelector('#confirm:not([hidden])');
  await page.keyboard.press('Escape');
  check(await page.$eval('#confirm', (x) => x.hidden), 'Esc cancels ending the contact');
  check((await text(page, '#state')) === 'In contact', 'a cancelled end changes nothing');
  await page.keyboard.press('e');
  await page.waitForSelector('#confirm:not([hidden])');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('#state').textContent === 'Between contacts', POLL);
  check((await text(page, '#banner')).includes('stays open for'),
        'between contacts, the panel says what the case stays open for');
  await other.waitForFunction(() =>
    document.querySelector('#state').textContent === 'Between contacts', POLL);
  check(true, 'the other tab sees the contact end');
  await shot(page, 'panel-between');

  // Reload: the case comes back as it was.
  const score = await text(page, '#score');
  const events = await count(page, '#events li');
  await page.reload();
  await page.waitForSelector('#case:not([hidden])');
  await page.waitForSelector('#conn.live');
  check((await text(page, '#score')) === score, 'the score is the same after a reload');
  check((await count(page, '#events li')) === events,
        'the conversation is the same after a reload');

  // Days later: the follow-up, and the case closes itself.
  await page.click('#followup summary').catch(() => {});
  await page.waitForSelector('#fu-done:not([hidden])');
  await page.click('#fu-done button[data-outcome="fixed"]');
  await page.waitForFunction(() =>
    document.querySelector('#state').textContent === 'In contact', POLL);
  await page.keyboard.press('e');
  await page.waitForSelector('#confirm:not([hidden])');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('#state').textContent !== 'In contact', POLL);
  const st = await text(page, '#state');
  console.log('panel: after the follow-up call the case is ' + st);
  check(await page.$eval('#line', (x) => x.disabled) === (st === 'Closed'),
        'a closed case takes nothing more');

  // The server agrees with what the page shows.
  const r = await api('GET', '/v1/cases/P-1');
  check(r.status === 200 && Math.round(r.data.case.score.overall.value * 100) + '%' ===
        await text(page, '#score'), 'the page shows the server\'s score');

  // The keys help.
  await page.keyboard.press('?');
  check(!(await page.$eval('#help', (x) => x.hidden)), '? shows the keys');
  await shot(page, 'panel-keys');
  await page.keyboard.press('Escape');

  // Dark mode, as an agent's system may ask.
  await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
  await page.goto(base + '/#P-1');
  await page.waitForSelector('#case:not([hidden])');
  await shot(page, 'panel-dark');

  check(errors.length === 0, 'no page errors: ' + errors.join('; '));
}

async function tokenServer(browser) {
  const errors = [];
  const page = await newPage(browser, errors);
  await page.goto(base + '/');
  await page.waitForSelector('#token-form:not([hidden])');
  await shot(page, 'panel-sign-in');
  await page.type('#token', 'not-a-token');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() =>
    document.querySelector('#token-form .error').textContent !== '', POLL);
  check((await text(page, '#token-form .error')).includes('unknown token'),
        'a wrong token is refused');
  await page.$eval('#token', (x) => { x.value = ''; });
  await page.type('#token', token);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#start:not([hidden])');
  await page.type('#new-topic', 'billing');
  await page.click('#new-form button[type=submit]');
  await page.waitForSelector('#case:not([hidden])');
  await page.waitForSelector('#conn.live');
  check((await text(page, '#case-meta')).includes('ann'),
        'a case started with an agent token is that agent\'s');
  await say(page, 'I was charged twice this month.');
  check((await count(page, '#events li')) >= 1, 'events are recorded with the token');
  // The token stays in this browser: a reload needs no sign-in; Sign
  // out removes it.
  await page.reload();
  await page.waitForSelector('#case:not([hidden])');
  check(true, 'a reload keeps the sign-in');
  await page.keyboard.press('Escape');
  await page.keyboard.press('g');
  await page.waitForSelector('#start:not([hidden])');
  await page.click('#sign-out');
  await page.waitForSelector('#token-form:not([hidden])');
  check(await page.evaluate(() => localStorage.getItem('playbook.token')) === null,
        'Sign out removes the token from the browser');
  await page.reload();
  await page.waitForSelector('#token-form:not([hidden])');
  check(true, 'after Sign out, a reload asks for the token again');
  check(errors.length === 0, 'no page errors: ' + errors.join('; '));
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // two tabs at once: the one behind must not be slowed down
    args: ['--no-sandbox', '--disable-dev-shm-usage',
           '--disable-background-timer-throttling',
           '--disable-renderer-backgrounding',
           '--disable-backgrounding-occluded-windows'],
    protocolTimeout: 30000,
  });
  try {
    if (mode === 'tokens') await tokenServer(browser);
    else await openServer(browser);
  } catch (e) {
    failed++;
    console.log('FAIL: ' + (e.stack || e));
  } finally {
    await browser.close();
  }
  console.log('panel (' + mode + '): ' + passed + ' passed, ' + failed + ' failed');
  process.exit(failed ? 1 : 0);
})();
