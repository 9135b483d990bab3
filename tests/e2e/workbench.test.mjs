// The workbench's and the desk's other commands, in Debian's Chromium
// against the real server: a clerk returns a misrouted order with a reason
// (退单), the desk rules on it (仲裁) to another department, whose clerk asks
// for an extension and writes a progress note; a street's coordinator sees
// the order in their street and calls a district department in (吹哨);
// the order's detail shows the whole history with the reasons given.
//   node tests/e2e/workbench.test.mjs HUYING_BIN CONFIG_DIR
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startServer, tempDir, launch, newPage, signIn, apiAs, problems, finish } from './lib.mjs'

const [bin, config] = process.argv.slice(2)
const tmp = tempDir()
const server = startServer({ bin, config, db: join(tmp.dir, 'workbench.db') })
const url = await server.url
const browser = await launch()
const within = (ms) => ({ timeout: ms })
let failure = null

// Picks `text` in the open dropdown of the select inside `item`.
async function choose(page, item, text) {
  await item.locator('.el-select').click()
  await page.locator('.el-select-dropdown__item:visible', { hasText: text }).first().click()
}

try {
  const op = await apiAs(url, 'op1')
  const desk = await apiAs(url, 'disp1')
  const created = await op('POST', '/api/v1/orders', {
    kind: 'complaint', category: '城市管理/市容环境/占道经营', address: '桂园街道文华社区红岭路12号',
    description: '门口有人占道经营', citizen: { name: '张先生', phone: '13800001111' },
  })
  assert.equal(created.status, 201)
  const no = created.body.order.number
  assert.equal(created.body.order.status, 'dispatched')

  // 退单: the 城管 squad says it is not theirs.
  const clerk = await newPage(browser, 'clerk-cg-gy')
  await signIn(clerk, url, 'clerk-cg-gy')
  const row = clerk.locator('.el-table__row', { hasText: no })
  await row.waitFor(within(5000))
  await row.locator('button[data-command=return]').click()
  const ret = clerk.locator('.cmd-form[data-command=return]')
  await choose(clerk, ret.locator('.el-form-item').nth(0), '非本单位职责')
  await ret.locator('textarea').fill('属市场监管职责：无照经营')
  await clerk.locator('.cmd-ok').click()
  // It stays in view, 已退单, with nothing more to do until the desk rules.
  await row.filter({ hasText: '已退单' }).waitFor(within(5000))
  assert.equal(await row.locator('button[data-command]').count(), 0)
  console.log(`- ${no} returned by the squad`)

  // 仲裁: the desk sends it to 市场监管.
  const dp = await newPage(browser, 'desk')
  await signIn(dp, url, 'disp1')
  await dp.locator('.el-tabs__item', { hasText: '退单待仲裁' }).click()
  const drow = dp.locator('[data-bucket=returned] .el-table__row', { hasText: no })
  await drow.waitFor(within(5000))
  await drow.locator('button[data-command=arbitrate]').click()
  const arb = dp.locator('.cmd-form[data-command=arbitrate]')
  await choose(dp, arb.locator('.el-form-item').nth(0), '市场监督管理局')
  await arb.locator('textarea').first().fill('无照经营属市场监管，由市场监管局主办')
  await dp.locator('.cmd-ok').click()
  await drow.waitFor({ state: 'detached', timeout: 5000 })
  let order = (await desk('GET', `/api/v1/orders/${no}`)).body.order
  assert.equal(order.status, 'dispatched')
  assert.equal(order.depts.find((d) => d.role === 'lead').dept, 'scjg')
  console.log(`- the desk ruled: ${no} to scjg`)

  // 市场监管: claim, ask for an extension, write a progress note.
  const sc = await newPage(browser, 'clerk-scjg')
  await signIn(sc, url, 'clerk-scjg')
  const srow = sc.locator('.el-table__row', { hasText: no })
  await srow.waitFor(within(5000))
  await srow.locator('button[data-command=claim]').click()
  await sc.locator('.cmd-ok').click()
  await srow.locator('button[data-command=request_extension]').waitFor(within(5000))
  order = (await desk('GET', `/api/v1/orders/${no}`)).body.order
  await srow.locator('button[data-command=request_extension]').click()
  const ext = sc.locator('.cmd-form[data-command=request_extension]')
  const due = new Date(order.reply_due + 2 * 86400000)
  const text = await sc.evaluate((ms) => {
    const d = new Date(ms)
    const p = (n) => String(n).padStart(2, '0')
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:00`
  }, due.getTime())
  await ext.locator('input').first().fill(text)
  await ext.locator('input').first().press('Enter')
  await ext.locator('textarea').fill('需联合执法，协调时间较长')
  await sc.locator('.cmd-ok').click()
  await ext.waitFor({ state: 'detached', timeout: 5000 })
  await srow.locator('button[data-command=note]').click()
  await sc.locator('.cmd-form[data-command=note] textarea').fill('已联系当事人，约定周五联合执法')
  await sc.locator('.cmd-ok').click()
  await sc.locator('.cmd-form').waitFor({ state: 'detached', timeout: 5000 })
  console.log('- scjg claimed, asked for an extension, noted progress')

  // 吹哨: 桂园's coordinator sees it in their street and calls 住建 in.
  const co = await newPage(browser, 'coord-gy')
  await signIn(co, url, 'coord-gy')
  await co.locator('.el-radio-button', { hasText: '本街道' }).click()
  const crow = co.locator('.el-table__row', { hasText: no })
  await crow.waitFor(within(5000))
  await crow.locator('button[data-command=whistle]').click()
  const wh = co.locator('.cmd-form[data-command=whistle]')
  await choose(co, wh.locator('.el-form-item').nth(0), '住房和城乡建设局')
  await co.keyboard.press('Escape')
  await wh.locator('textarea').fill('涉及违建，请住建局报到')
  await co.locator('.cmd-ok').click()
  await wh.waitFor({ state: 'detached', timeout: 5000 })
  console.log('- the coordinator whistled 住建 in')

  // The detail: every step with its reason.
  await co.locator('.el-table__row', { hasText: no }).locator('.num').click()
  const drawer = co.locator('.el-drawer')
  for (const said of ['属市场监管职责', '无照经营属市场监管', '需联合执法', '约定周五联合执法', '涉及违建']) {
    await drawer.getByText(said, { exact: false }).first().waitFor(within(5000))
  }
  const history = (await desk('GET', `/api/v1/orders/${no}`)).body.history.map((e) => e.type)
  for (const t of ['returned', 'dispatched', 'claimed', 'extension_requested', 'noted', 'whistled'])
    assert.ok(history.includes(t), `${t} in ${history}`)
  console.log('- the detail shows each reason')

  assert.deepEqual(problems, [], 'console errors')
  console.log('ok')
} catch (e) {
  failure = e
}
await finish(failure, { browser, server, tmp })
