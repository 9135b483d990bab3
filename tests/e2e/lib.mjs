// Helpers of the browser tests: the real server (huying serve --web) on an
// ephemeral port with a fresh SQLite file, Debian's Chromium driven by
// playwright-core (from web/node_modules; never a browser download), and a
// record of every console error and page error of every page.
import { createRequire } from 'node:module'
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
export const webDir = resolve(here, '../../web')
const require = createRequire(join(webDir, 'package.json'))
const { chromium } = require('playwright-core')

// Starts `huying serve`; resolves once it prints its URL. `port` 0 = any.
export function startServer({ bin, config, db, port = 0, extra = [] }) {
  const proc = spawn(bin, ['serve', '--config', config, '--db', db, '--port', String(port),
    '--web', join(webDir, 'dist'), '--rate-per-session', '0', ...extra],
  { stdio: ['ignore', 'pipe', 'pipe'] })
  let log = ''
  proc.stderr.on('data', (d) => { log = (log + d).slice(-20000) })
  const url = new Promise((ok, fail) => {
    let out = ''
    proc.stdout.on('data', (d) => {
      out += d
      const m = out.match(/listening on (http:\/\/\S+)/)
      if (m) ok(m[1])
    })
    proc.on('exit', (code) => fail(new Error(`server exited ${code}: ${log.slice(-2000)}`)))
  })
  return { proc, url, log: () => log }
}

export function stopServer(s, signal = 'SIGTERM') {
  return new Promise((ok) => {
    if (s.proc.exitCode !== null) return ok()
    s.proc.once('exit', () => ok())
    s.proc.kill(signal)
  })
}

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'huying-e2e-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

export async function launch() {
  const executablePath = execFileSync('which', ['chromium']).toString().trim()
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  })
}

// Every console error and uncaught page error, by page name. `quiet` is a
// predicate for messages expected at that moment (a WebSocket refused while
// the test itself has the server down).
export const problems = []
export let quiet = () => false
export function setQuiet(f) { quiet = f }

export async function newPage(browser, name, viewport = { width: 1920, height: 1080 }) {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  const page = await context.newPage()
  page.on('console', (m) => {
    if (m.type() === 'error' && !quiet(m.text())) problems.push(`${name}: ${m.text()}`)
  })
  page.on('pageerror', (e) => problems.push(`${name}: page error: ${e.message}`))
  return page
}

export async function signIn(page, url, user, password = 'demo') {
  await page.goto(url + '/')
  await page.getByLabel(/用户名|User/).fill(user)
  await page.getByLabel(/密码|Password/).fill(password)
  await page.getByRole('button', { name: /登录|Sign in/ }).click()
  await page.locator('header.top').waitFor({ timeout: 10000 })
}

// The API as a script would use it: a bearer token per user.
export async function apiAs(url, user) {
  const r = await fetch(url + '/api/v1/session', {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ user, password: 'demo' }),
  })
  const { token } = await r.json()
  return async (method, path, body) => {
    const res = await fetch(url + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    })
    return { status: res.status, body: await res.json().catch(() => null) }
  }
}

// The end of every browser test: on failure the error, each page's
// screenshot (into FAILSHOTS=DIR, if set), the server's log tail and the
// console errors; then the browser, the server and the temp folder go, and
// the process exits 0 or 1.
export async function finish(failure, { browser, server, tmp }) {
  if (failure) {
    console.error(failure)
    if (process.env.FAILSHOTS) {
      for (const [i, c] of browser.contexts().entries()) {
        for (const [k, pg] of c.pages().entries()) {
          const path = join(process.env.FAILSHOTS, `failed-${i}-${k}.png`)
          await pg.screenshot({ path }).catch(() => {})
          console.error(`screenshot: ${path}`)
        }
      }
    }
    console.error('server log tail:\n' + server.log().slice(-3000))
    if (problems.length) console.error('console errors:\n' + problems.join('\n'))
  }
  await browser.close()
  await stopServer(server)
  tmp.remove()
  process.exit(failure ? 1 : 0)
}
