// The REST API of the same server: the session cookie (HttpOnly,
// SameSite=Strict) signs every request in; nothing is kept in the page.
// A 401 on any call but the sign-in itself means the session ended: the
// shell hears of it ('huying:expired') and shows the sign-in again.
export async function api(method, path, body, headers = {}) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'Content-Type': 'application/json', ...headers } : headers,
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  let data = null
  try {
    data = text ? JSON.parse(text) : null
  } catch {
    data = null
  }
  if (!res.ok) {
    const err = new Error(data?.error?.message || res.statusText)
    err.status = res.status
    err.code = data?.error?.code
    err.field = data?.error?.field
    err.current = data?.current
    if (res.status === 401 && path !== '/api/v1/session') {
      window.dispatchEvent(new CustomEvent('huying:expired'))
    }
    throw err
  }
  return data
}

// One lifecycle command on an order the page holds, with its version.
export function command(order, name, fields = {}) {
  return api('POST', `/api/v1/orders/${encodeURIComponent(order.number)}/${name}`,
    { version: order.version, ...fields })
}

// A fresh idempotency key per call logged (a retry of the same submit
// reuses it, so a lost answer never makes a second order).
export function newKey() {
  const b = new Uint8Array(12)
  crypto.getRandomValues(b)
  return 'web-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
