// The REST API of the same server: the session cookie (HttpOnly,
// SameSite=Strict) signs every request in; nothing is kept in the page.
export async function api(method, path, body) {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  const data = text ? JSON.parse(text) : null
  if (!res.ok) {
    const err = new Error(data?.error?.message || res.statusText)
    err.status = res.status
    err.code = data?.error?.code
    throw err
  }
  return data
}
