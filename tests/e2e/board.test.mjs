// Browser test: the real server serving web/dist, Debian's Chromium driven by
// playwright-core (never a browser download). A leader signs in, sees the
// live totals, and an order created over the API shows up without a reload;
// no Content-Security-Policy violation on the way.
//   node tests/e2e/board.test.mjs HUYING_BIN CONFIG_DIR
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startServer, tempDir, launch, newPage, signIn, problems, finish } from './lib.mjs'

const [bin, config] = process.argv.slice(2)
const tmp = tempDir()
const server = startServer({ bin, config, db: join(tmp.dir, 'web.db') })
const url = await server.url
const browser = await launch()
let failure = null
try {
  const page = await newPage(browser, 'board')
  const violations = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text())
  })
  await signIn(page, url, 'leader1')
  await page.locator('.state.live').waitFor({ timeout: 10000 })
  const intake = page.locator('[data-key="today_intake"] .value')
  await intake.waitFor()
  assert.equal((await intake.textContent()).trim(), '0')

  // An operator's order, over the API: the board shows it without a reload.
  const login = await fetch(url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user: 'op1', password: 'demo' }),
  }).then((r) => r.json())
  const created = await fetch(url + '/api/v1/orders', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${login.token}` },
    body: JSON.stringify({ kind: 'complaint', category: '城市管理/市容环境/占道经营',
      address: '桂园街道文华社区红岭路12号', description: '门口有人占道经营',
      citizen: { name: '张三', phone: '13800001111' } }),
  })
  assert.equal(created.status, 201)
  const number = (await created.json()).order.number
  await page.waitForFunction(
    () => document.querySelector('[data-key="today_intake"] .value')?.textContent.trim() === '1',
    null, { timeout: 5000 })
  // The ticker names it; the charts are drawn; the names come from the config.
  await page.locator('.tick', { hasText: number }).first().waitFor({ timeout: 5000 })
  assert.ok((await page.locator('.chart canvas').count()) >= 2)
  await page.getByText('桂园街道').first().waitFor({ timeout: 5000 })
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT })

  // Replay from a minute ago: the board plays back to the order, then ends.
  const from = await page.evaluate(() => {
    const d = new Date(Date.now() - 60000)
    const p = (n) => String(n).padStart(2, '0')
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
      `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  })
  await page.getByPlaceholder('回放起点').fill(from)
  await page.getByPlaceholder('回放起点').press('Enter')
  await page.locator('.replay .el-select').click()
  await page.getByText('60 倍速', { exact: true }).click()
  await page.getByRole('button', { name: '回放' }).click()
  await page.locator('.state.replay, .state.replay_end').waitFor({ timeout: 5000 })
  // First the board as it was a minute ago (nothing yet), then the order arrives.
  await page.waitForFunction(
    () => document.querySelector('[data-key="today_intake"] .value')?.textContent.trim() === '0',
    null, { timeout: 5000 })
  await page.waitForFunction(
    () => document.querySelector('[data-key="today_intake"] .value')?.textContent.trim() === '1',
    null, { timeout: 10000 })
  await page.getByRole('button', { name: '返回实时' }).click()
  await page.locator('.state.live').waitFor({ timeout: 5000 })
  // The English switch reaches the board too, charts included.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByText('Logged today').waitFor({ timeout: 3000 })
  await page.getByText('Open and overdue by street').waitFor()
  await page.getByRole('button', { name: '中文' }).click()
  await page.getByText('今日受理').first().waitFor({ timeout: 3000 })
  // Nothing personal reached the page.
  assert.ok(!(await page.content()).includes('13800001111'))
  assert.deepEqual(violations, [])
  assert.deepEqual(problems, [], 'console errors')
  console.log('web: sign-in, live board and CSP: ok')
} catch (e) {
  failure = e
}
await finish(failure, { browser, server, tmp })
