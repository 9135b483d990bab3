// The four pages under live traffic: `huying load` logs calls through the
// API and works them as the desk, the departments and the hotline would
// (delays scaled down), while each page is opened at 1920x1080. Each page
// must show live figures from that traffic and log no console error.
// SHOTS=DIR saves console.png, desk.png, workbench.png and board.png there
// (docs/screenshots/ holds the committed ones).
//   node tests/e2e/screens.test.mjs HUYING_BIN CONFIG_DIR
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { startServer, tempDir, launch, newPage, signIn, apiAs, problems, finish } from './lib.mjs'

const [bin, config] = process.argv.slice(2)
const tmp = tempDir()
const server = startServer({ bin, config, db: join(tmp.dir, 'screens.db') })
const url = await server.url
const browser = await launch()
const shots = process.env.SHOTS
const within = (ms) => ({ timeout: ms })
let failure = null
let load = null

try {
  load = spawn(bin, ['load', '--url', url, '--config', config, '--rate', '12', '--duration', '60',
    '--delay-scale', '0.01', '--connections', '6', '--quiet'], { stdio: 'ignore' })

  const board = await newPage(browser, 'board')
  await signIn(board, url, 'leader1')
  await board.locator('.state.live').waitFor(within(10000))
  const num = (key) => board.evaluate((k) =>
    Number(document.querySelector(`[data-key="${k}"] .value`)?.textContent.trim() || 0), key)
  // Enough traffic that every panel has something: closures, rates, ticker.
  await board.waitForFunction(() =>
    Number(document.querySelector('[data-key="today_intake"] .value')?.textContent) >= 60 &&
    Number(document.querySelector('[data-key="today_closed"] .value')?.textContent) >= 10,
  null, within(40000))
  assert.ok((await board.locator('.tick').count()) >= 10)
  assert.ok((await board.locator('.chart canvas').count()) >= 3, 'hourly, map and street charts')
  assert.notEqual((await board.locator('[data-key="satisfied_rate"] .value').textContent()).trim(), '—')
  console.log(`- board: ${await num('today_intake')} logged, ${await num('today_closed')} closed today`)

  // A few calls hard to place, for the desk to settle (the load's own desk
  // dispatches only its own orders).
  const opApi = await apiAs(url, 'op1')
  for (const [address, category, description] of [
    ['文华社区海五社区交界处', '城市管理/市容环境/占道经营', '路口有人摆摊，堵住盲道'],
    ['东湖街道', '生态环境/噪声污染/施工噪声', '晚上十点后工地还在施工'],
    ['人民路公交站', '交通出行/公共交通/公交线路', '建议增加早高峰班次'],
  ]) {
    const r = await opApi('POST', '/api/v1/orders', { kind: 'complaint', category, address, description })
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
  // And a working queue for 桂园街道城管执法中队: five calls, two claimed.
  const clerkApi = await apiAs(url, 'clerk-cg-gy')
  let n = 0
  for (const [address, category, description] of [
    ['桂园街道文华社区红岭路12号', '城市管理/市容环境/占道经营', '门口有人占道经营，堵住通道'],
    ['桂园街道海五社区', '城市管理/市容环境/乱摆卖', '小区门口流动摊贩乱摆卖'],
    ['桂园街道东约社区', '城市管理/市容环境/乱张贴', '楼道里到处是小广告'],
    ['桂园街道南约社区', '城市管理/市容环境/户外广告', '广告牌松动，刮风怕掉下来'],
    ['桂园街道文华社区', '城市管理/市容环境/共享单车乱停放', '共享单车堆满人行道'],
  ]) {
    const r = await opApi('POST', '/api/v1/orders', { kind: 'complaint', category, address, description,
      citizen: { name: '张先生', phone: '13800001111' } })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    if (n++ < 2 && r.body.order.status === 'dispatched') {
      const c = await clerkApi('POST', `/api/v1/orders/${r.body.order.number}/claim`, { version: r.body.order.version })
      assert.equal(c.status, 200, JSON.stringify(c.body))
    }
  }
  const desk = await newPage(browser, 'desk')
  await signIn(desk, url, 'disp1')
  await desk.locator('.desk .el-table__row:visible').first().waitFor(within(10000))

  const clerk = await newPage(browser, 'workbench')
  await signIn(clerk, url, 'clerk-cg-gy')
  await clerk.locator('.workbench .el-table__row .num').nth(4).waitFor(within(10000))
  console.log(`- workbench: ${await clerk.locator('.workbench .el-table__row .num').count()} rows`)

  // The console mid-call: the form filled, the preview and the caller's history shown.
  const op = await newPage(browser, 'console')
  await signIn(op, url, 'op1')
  await op.locator('input[name=phone]').fill('13800001111')
  await op.locator('input[name=name]').fill('张先生')
  await op.locator('input[name=address]').fill('桂园街道文华社区红岭路12号')
  await op.locator('input[name=category]').fill('城市管理/市容环境/占道经营')
  await op.locator('textarea[name=description]').fill('门口有人占道经营，堵住通道，晚上还有人在路边烧烤，已经持续一周')
  await op.locator('[data-testid=route]', { hasText: '属地管理' }).waitFor(within(5000))
  await op.keyboard.press('Escape')

  if (shots) {
    await op.waitForTimeout(400)
    await op.screenshot({ path: join(shots, 'console.png') })
    await desk.screenshot({ path: join(shots, 'desk.png') })
    await clerk.screenshot({ path: join(shots, 'workbench.png') })
    await board.waitForTimeout(800) // the charts' update animation
    await board.screenshot({ path: join(shots, 'board.png') })
  }
  assert.deepEqual(problems, [], 'console errors')
  console.log('ok')
} catch (e) {
  failure = e
}
load?.kill('SIGTERM')
await finish(failure, { browser, server, tmp })
