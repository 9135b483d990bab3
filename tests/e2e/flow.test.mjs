// The pages end to end, in Debian's Chromium against the real server:
//  - an operator logs an order with the keyboard alone (the route preview
//    names the department and its reason before submitting) and reads its
//    number;
//  - within 2 s and without a reload it is on the leaders' board (counter
//    and ticker) and in the right department's workbench, never in another
//    department's;
//  - the clerk claims and replies from the workbench; the operator does the
//    call-back; the board's rates change accordingly;
//  - an order flagged for review is placed and dispatched from the desk;
//  - after a server restart the board and the workbench reconnect by
//    themselves;
//  - an expired session brings back the sign-in and keeps the half-typed
//    order;
//  - no console error in any page.
// FLOW_SHOTS=DIR saves the pages at the moments of the flow (for debugging).
//   node tests/e2e/flow.test.mjs HUYING_BIN CONFIG_DIR
import assert from 'node:assert/strict'
import { join } from 'node:path'
import {
  startServer, stopServer, tempDir, launch, newPage, signIn, apiAs, problems, setQuiet, finish,
} from './lib.mjs'

const [bin, config] = process.argv.slice(2)
const tmp = tempDir()
const db = join(tmp.dir, 'e2e.db')
let server = startServer({ bin, config, db })
let url = await server.url
const port = new URL(url).port
const browser = await launch()
const shots = process.env.FLOW_SHOTS
let failure = null

const started = Date.now()
const step = (s) => console.log(`- ${((Date.now() - started) / 1000).toFixed(1)} s: ${s}`)
const within = (ms) => ({ timeout: ms })

try {
  // The watchers first: the board, the right department, another one.
  const board = await newPage(browser, 'board')
  await signIn(board, url, 'leader1')
  await board.locator('.state.live').waitFor(within(10000))
  const clerk = await newPage(browser, 'clerk-cg-gy')
  await signIn(clerk, url, 'clerk-cg-gy')
  await clerk.locator('.workbench .state.live').waitFor(within(10000))
  const other = await newPage(browser, 'clerk-zj')
  await signIn(other, url, 'clerk-zj')
  await other.locator('.workbench .state.live').waitFor(within(10000))
  step('board and two workbenches live')

  // The operator, keyboard only: sign in, then one call.
  const op = await newPage(browser, 'operator')
  await op.goto(url + '/')
  await op.getByLabel('用户名').focus()
  await op.keyboard.type('op1')
  await op.keyboard.press('Tab')
  await op.keyboard.type('demo')
  await op.keyboard.press('Enter')
  await op.locator('.console').waitFor(within(10000))
  // The phone field has the focus; Tab walks the form in the order of a call.
  await op.waitForFunction(() => document.activeElement?.name === 'phone')
  await op.keyboard.type('13800001111')
  await op.keyboard.press('Tab')
  await op.keyboard.type('张先生')
  await op.keyboard.press('Tab') // 保密
  await op.keyboard.press('Tab')
  assert.equal(await op.evaluate(() => document.activeElement?.name), 'address')
  await op.keyboard.type('桂园街道文华社区红岭路12号')
  await op.keyboard.press('Escape')
  await op.keyboard.press('Tab') // kind: 投诉 is the default
  assert.equal(await op.evaluate(() => document.activeElement?.name), 'kind')
  await op.keyboard.press('Tab')
  assert.equal(await op.evaluate(() => document.activeElement?.name), 'category')
  await op.keyboard.type('占道经营')
  await op.locator('.el-autocomplete-suggestion li', { hasText: '城市管理/市容环境/占道经营' }).waitFor(within(5000))
  await op.keyboard.press('ArrowDown')
  await op.keyboard.press('Enter')
  assert.equal(await op.inputValue('input[name=category]'), '城市管理/市容环境/占道经营')
  await op.keyboard.press('Tab') // urgency
  await op.keyboard.press('Tab')
  assert.equal(await op.evaluate(() => document.activeElement?.name), 'description')
  await op.keyboard.type('门口有人占道经营，堵住通道，已经持续一周')
  // The route preview names the department and why, before submitting.
  await op.locator('[data-testid=route]', { hasText: '桂园街道城管执法中队' }).waitFor(within(5000))
  await op.locator('[data-testid=route]', { hasText: '属地管理' }).waitFor()
  await op.locator('[data-testid=placement]', { hasText: '文华社区' }).waitFor()
  const t0 = Date.now()
  await op.keyboard.press('Control+Enter')
  const numberEl = op.locator('[data-testid=order-number]')
  await numberEl.waitFor(within(5000))
  const number = (await numberEl.textContent()).trim()
  const tSubmit = Date.now() - t0
  assert.match(number, /^[A-Z]*\d{8,}$/)
  assert.ok(tSubmit < 1500, `the number took ${tSubmit} ms`)
  // Ready for the next call: the focus is back on the phone.
  await op.waitForFunction(() => document.activeElement?.name === 'phone')
  step(`operator logged ${number} with the keyboard in ${tSubmit} ms`)

  // Within 2 s, no reload: the board and the right workbench.
  const t1 = Date.now()
  await board.waitForFunction(
    () => document.querySelector('[data-key="today_intake"] .value')?.textContent.trim() === '1',
    null, within(2000))
  await board.locator('.tick', { hasText: number }).first().waitFor(within(2000))
  const row = clerk.locator('.el-table__row', { hasText: number })
  await row.waitFor(within(Math.max(100, 2000 - (Date.now() - t1))))
  await row.locator('.el-tag', { hasText: '新工单' }).waitFor(within(1000))
  step(`on the board and in the workbench after ${Date.now() - t1} ms`)
  if (shots) {
    await op.screenshot({ path: join(shots, 'console.png') })
    await clerk.screenshot({ path: join(shots, 'workbench.png') })
  }

  // The clerk claims and replies (上门办: who, where, when).
  await row.locator('button[data-command=claim]').click()
  await clerk.locator('.cmd-ok').click()
  await clerk.locator('.el-table__row', { hasText: number }).locator('button[data-command=reply]').waitFor(within(5000))
  await clerk.locator('.el-table__row', { hasText: number }).locator('button[data-command=reply]').click()
  const dialog = clerk.locator('.cmd-form[data-command=reply]')
  await dialog.locator('textarea').first().fill('已到现场清理占道摊点，通道恢复畅通')
  const inputs = dialog.locator('input.el-input__inner')
  await inputs.nth(0).fill('王队')
  await inputs.nth(1).fill('红岭路12号')
  const at = await clerk.evaluate(() => {
    const d = new Date(Date.now() - 60000)
    const p = (n) => String(n).padStart(2, '0')
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
  })
  await inputs.nth(2).fill(at)
  await inputs.nth(2).press('Enter')
  await clerk.locator('.cmd-ok').click()
  await clerk.locator('.el-table__row', { hasText: number }).filter({ hasText: '已办结待回访' }).waitFor(within(5000))
  step('the clerk claimed and replied')
  // The other department never saw it.
  assert.equal(await other.locator('.el-table__row', { hasText: number }).count(), 0)
  const zj = await apiAs(url, 'clerk-zj')
  assert.equal((await zj('GET', `/api/v1/orders/${number}`)).status, 404)

  // The call-back: solved and satisfied, the order is closed.
  const satisfiedBefore = (await board.locator('[data-key="satisfied_rate"] .value').textContent()).trim()
  await op.locator('button[data-tab=callbacks]').click()
  const cb = op.locator('.el-table__row', { hasText: number })
  await cb.waitFor(within(6000))
  await cb.getByRole('button', { name: /已解决/ }).click()
  await cb.waitFor({ state: 'detached', timeout: 5000 })
  const desk = await apiAs(url, 'disp1')
  assert.equal((await desk('GET', `/api/v1/orders/${number}`)).body.order.status, 'closed')
  await board.waitForFunction((before) =>
    document.querySelector('[data-key="satisfied_rate"] .value')?.textContent.trim() !== before &&
    document.querySelector('[data-key="today_closed"] .value')?.textContent.trim() === '1',
  satisfiedBefore, within(3000))
  assert.equal((await board.locator('[data-key="satisfied_rate"] .value').textContent()).trim(), '100.0%')
  step(`call-back done; 满意率 ${satisfiedBefore} → 100.0%`)
  if (shots) await board.screenshot({ path: join(shots, 'board.png') })

  // A flagged order (two communities named): the desk places and dispatches it.
  const operator = await apiAs(url, 'op1')
  const flagged = await operator('POST', '/api/v1/orders', {
    kind: 'complaint', category: '城市管理/市容环境/占道经营', address: '文华社区海五社区交界处',
    description: '路口有人摆摊', citizen: { name: '李女士', phone: '13800002222' },
  })
  assert.equal(flagged.status, 201)
  const fno = flagged.body.order.number
  assert.equal(flagged.body.order.needs_review, true)
  const dp = await newPage(browser, 'desk')
  await signIn(dp, url, 'disp1')
  const frow = dp.locator('[data-bucket=review] .el-table__row', { hasText: fno })
  await frow.waitFor(within(5000))
  await frow.locator('.cand', { hasText: '海五社区' }).click()
  await dp.locator('.cmd-form[data-command=dispatch]').waitFor()
  if (shots) await dp.screenshot({ path: join(shots, 'desk.png') })
  await dp.locator('.cmd-ok').click()
  await frow.waitFor({ state: 'detached', timeout: 5000 })
  const after = (await desk('GET', `/api/v1/orders/${fno}`)).body.order
  assert.equal(after.status, 'dispatched')
  assert.equal(after.area, '440699001002')
  step(`the desk placed ${fno} in 海五社区 and dispatched it`)

  // The server restarts: the board and the workbench come back by themselves.
  setQuiet((m) => /WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(m))
  await stopServer(server)
  step('server stopped')
  await board.locator('.state.reconnecting').waitFor(within(5000))
  await clerk.locator('.workbench .state.reconnecting').waitFor(within(5000))
  server = startServer({ bin, config, db, port })
  url = await server.url
  await board.locator('.state.live').waitFor(within(10000))
  await clerk.locator('.workbench .state.live').waitFor(within(10000))
  setQuiet(() => false)
  assert.equal((await board.locator('[data-key="today_intake"] .value').textContent()).trim(), '2')
  step('board and workbench reconnected after the restart')

  // The session ends mid-call: the sign-in comes back, the draft survives.
  await op.locator('button[data-tab=console]').click()
  await op.locator('input[name=phone]').fill('13900003333')
  await op.locator('textarea[name=description]').fill('半句话还没说完')
  await op.waitForTimeout(100)
  setQuiet((m) => /401/.test(m))
  await op.context().clearCookies()
  await op.locator('input[name=phone]').fill('13900003334') // the caller history asks: 401
  await op.getByText('登录已过期').waitFor(within(5000))
  await op.getByLabel('用户名').fill('op1')
  await op.getByLabel('密码').fill('demo')
  await op.getByRole('button', { name: '登录' }).click()
  await op.locator('textarea[name=description]').waitFor(within(5000))
  setQuiet(() => false) // the 401s of requests in flight when the session ended are over
  assert.equal(await op.inputValue('textarea[name=description]'), '半句话还没说完')
  step('expired session: signed in again, the draft was kept')

  assert.deepEqual(problems, [], 'console errors')
  console.log('ok')
} catch (e) {
  failure = e
}
await finish(failure, { browser, server, tmp })
