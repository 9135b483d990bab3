// Browser test: the real server serving web/dist, Debian's Chromium driven by
// playwright-core (never a browser download). A leader signs in, sees the
// live totals, and an order created over the API shows up without a reload;
// no Content-Security-Policy violation on the way.
//   node tests/board.test.mjs HUYING_BIN CONFIG_DIR
import { chromium } from 'playwright-core'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import assert from 'node:assert/strict'

const [bin, config] = process.argv.slice(2)
const dist = resolve(new URL('..', import.meta.url).pathname, 'dist')
const dir = mkdtempSync(join(tmpdir(), 'huying-web-'))
const chromiumPath = execFileSync('which', ['chromium']).toString().trim()

const server = spawn(bin, ['serve', '--config', config, '--db', join(dir, 'web.db'), '--port', '0',
  '--web', dist, '--rate-per-session', '0'], { stdio: ['ignore', 'pipe', 'ignore'] })
const url = await new Promise((ok, fail) => {
  let out = ''
  server.stdout.on('data', (d) => {
    out += d
    const m = out.match(/listening on (http:\/\/\S+)/)
    if (m) ok(m[1])
  })
  server.on('exit', (code) => fail(new Error(`server exited ${code}`)))
})

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
})
let failed = false
try {
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } })
  const violations = []
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text())
  })
  await page.goto(url + '/')
  await page.getByLabel('用户名').fill('leader1')
  await page.getByLabel('密码').fill('demo')
  await page.getByRole('button', { name: '登录' }).click()
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
  // Nothing personal reached the page.
  assert.ok(!(await page.content()).includes('13800001111'))
  assert.deepEqual(violations, [])
  console.log('web: sign-in, live board and CSP: ok')
} catch (e) {
  failed = true
  console.error('web test failed:', e)
} finally {
  await browser.close()
  server.kill('SIGTERM')
  rmSync(dir, { recursive: true, force: true })
}
process.exit(failed ? 1 : 0)
