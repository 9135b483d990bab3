// The board's state on the client: a snapshot, then deltas applied in order
// (docs/api.md, "WebSocket /ws/board"). Pure functions: tested through the
// page in the browser test.
const KEYED = ['by_status', 'by_dept', 'by_street', 'by_category']
const WHOLE = ['day', 'totals', 'hourly', 'kpi', 'rankings', 'hot_spots']

export function fromSnapshot(s) {
  const board = { seq: s.seq, at: s.at }
  for (const k of [...KEYED, ...WHOLE]) board[k] = s[k]
  board.lists = {}
  for (const [name, l] of Object.entries(s.lists || {})) {
    board.lists[name] = { total: l.total, items: new Map(l.items.map((i) => [i.number, i])) }
  }
  board.ticker = [...(s.ticker || [])]
  return board
}

// Applies a delta; false when it does not follow (a gap: ask for a snapshot).
export function applyDelta(board, d, tickerSize = 30) {
  if (d.seq !== board.seq + 1) return false
  board.seq = d.seq
  board.at = d.at
  for (const k of WHOLE) if (k in d) board[k] = d[k]
  for (const k of KEYED) {
    if (!(k in d)) continue
    const next = { ...board[k] }
    for (const [key, v] of Object.entries(d[k])) {
      if (v === null) delete next[key]
      else next[key] = v
    }
    board[k] = next
  }
  for (const [name, l] of Object.entries(d.lists || {})) {
    const list = board.lists[name] || { total: 0, items: new Map() }
    for (const n of l.remove) list.items.delete(n)
    for (const i of l.upsert) list.items.set(i.number, i)
    list.total = l.total
    board.lists[name] = list
  }
  if (d.ticker) board.ticker = [...board.ticker, ...d.ticker].slice(-tickerSize)
  return true
}
