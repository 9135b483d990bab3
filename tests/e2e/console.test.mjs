// The operator console's other paths, in Debian's Chromium against the real
// server: an emergency cue shows the red banner with the words that raised
// it and Alt+1 hands the call to 110; a consult is answered on the call
// (Alt+J); a repeat call is merged into the order it repeats; the English
// switch changes the words and back. No console error.
//   node tests/e2e/console.test.mjs HUYING_BIN CONFIG_DIR
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startServer, tempDir, launch, newPage, signIn, apiAs, problems, finish } from './lib.mjs'

const [bin, config] = process.argv.slice(2)
const tmp = tempDir()
const server = startServer({ bin, config, db: join(tmp.dir, 'console.db') })
const url = await server.url
const browser = await launch()
const within = (ms) => ({ timeout: ms })
let failure = null

try {
  const desk = await apiAs(url, 'disp1')
  const op = await newPage(browser, 'operator')
  await signIn(op, url, 'op1')
  const number = async () => (await op.locator('[data-testid=order-number]').textContent()).trim()
  const fill = async (f) => {
    for (const [name, value] of Object.entries(f)) {
      await op.locator(`[name=${name}]`).fill(value)
    }
  }

  // An emergency: the banner names the words; Alt+1 logs the call and hands it to 110.
  await fill({ phone: '13800005555', address: '桂园街道文华社区红岭路', category: '城市管理/市容环境/占道经营',
    description: '楼下有人持刀打架，很危险' })
  const banner = op.locator('.cue')
  await banner.waitFor(within(5000))
  const words = await banner.textContent()
  assert.ok(words.includes('持刀') && words.includes('打架') && words.includes('110'), words)
  await op.keyboard.press('Alt+1')
  await op.locator('[data-testid=order-number]').waitFor(within(5000))
  const em = await number()
  assert.equal((await desk('GET', `/api/v1/orders/${em}`)).body.order.status, 'transferred')
  await banner.waitFor({ state: 'detached', timeout: 3000 })
  console.log(`- ${em} handed to 110 with Alt+1`)

  // A consult answered on the call.
  await op.locator('.el-radio', { hasText: '咨询' }).click()
  await fill({ phone: '13800006666', address: '桂园街道', category: '城市管理/市容环境/垃圾清运',
    description: '请问大件垃圾怎么预约清运', answer: '可拨打街道环卫站电话预约，每周三集中清运' })
  await op.locator('[name=answer]').focus()
  await op.keyboard.press('Alt+J')
  await op.locator('.result', { hasText: '已即时办结' }).waitFor(within(5000))
  const consult = await number()
  assert.ok(['replied', 'visited', 'closed'].includes((await desk('GET', `/api/v1/orders/${consult}`)).body.order.status))
  console.log(`- consult ${consult} answered on the call`)

  // A repeat call: the first order is listed as a possible duplicate; 合并 merges the new one into it.
  const opApi = await apiAs(url, 'op1')
  const first = await opApi('POST', '/api/v1/orders', { kind: 'complaint', category: '城市管理/市容环境/乱摆卖',
    address: '桂园街道海五社区', description: '小区门口流动摊贩乱摆卖，堵住出入口',
    citizen: { name: '王女士', phone: '13800007777' } })
  assert.equal(first.status, 201)
  await op.locator('.el-radio', { hasText: '投诉' }).click()
  await fill({ phone: '13800008888', address: '桂园街道海五社区', category: '城市管理/市容环境/乱摆卖',
    description: '海五社区门口流动摊贩乱摆卖' })
  const dup = op.locator('[data-testid=duplicates] .row', { hasText: first.body.order.number })
  await dup.waitFor(within(5000))
  await dup.getByRole('button', { name: '合并' }).click()
  await op.locator('.result', { hasText: first.body.order.number }).waitFor(within(5000))
  const merged = (await desk('GET', `/api/v1/orders/${await number()}`)).body.order
  assert.equal(merged.status, 'cancelled')
  assert.equal(merged.merged_into, first.body.order.number)
  console.log(`- ${merged.number} merged into ${first.body.order.number}`)

  // English and back.
  await op.getByRole('button', { name: 'English' }).click()
  await op.getByText('Caller phone').waitFor(within(2000))
  await op.getByRole('button', { name: 'Sign out' }).waitFor()
  await op.getByRole('button', { name: '中文' }).click()
  await op.getByText('来电号码').waitFor(within(2000))
  console.log('- English switch and back')

  assert.deepEqual(problems, [], 'console errors')
  console.log('ok')
} catch (e) {
  failure = e
}
await finish(failure, { browser, server, tmp })
