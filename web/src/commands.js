// What each lifecycle command asks for (docs/api.md, "lifecycle commands"),
// and which ones a signed-in user is offered on an order. The server decides;
// the pages only avoid offering what it would refuse.

// Field types: text, textarea, select (options: [[value, label]]), dept,
// depts, area, bool, datetime (epoch ms), category.
export const FIELDS = {
  dispatch: [
    { name: 'lead', type: 'dept', label: ['主办单位（不选则按建议）', 'Lead (default: proposal)'] },
    { name: 'assist', type: 'depts', label: ['协办单位', 'Assisting'] },
    { name: 'mode', type: 'select', options: 'mode', label: ['办理方式', 'Handling mode'] },
    { name: 'area', type: 'area', label: ['确认属地', 'Confirm area'] },
    { name: 'ruling', type: 'textarea', label: ['派单说明', 'Note'] },
  ],
  arbitrate: [
    { name: 'lead', type: 'dept', required: true, label: ['裁定主办单位', 'Lead'] },
    { name: 'ruling', type: 'textarea', required: true, label: ['仲裁意见', 'Ruling'] },
    { name: 'assist', type: 'depts', label: ['协办单位', 'Assisting'] },
    { name: 'area', type: 'area', label: ['确认属地', 'Confirm area'] },
  ],
  redispatch: [
    { name: 'lead', type: 'dept', required: true, label: ['改派至', 'New lead'] },
    { name: 'reason', type: 'textarea', required: true, label: ['改派理由', 'Reason'] },
    { name: 'assist', type: 'depts', label: ['协办单位', 'Assisting'] },
  ],
  claim: [],
  return: [
    { name: 'reason', type: 'select', options: 'return_reason', required: true, label: ['退单理由', 'Reason'] },
    { name: 'comment', type: 'textarea', label: ['说明（选“其他”时必填）', 'Comment (required with other)'] },
  ],
  request_extension: [
    { name: 'new_due', type: 'datetime', required: true, label: ['申请延至', 'New deadline'] },
    { name: 'reason', type: 'textarea', required: true, label: ['延期理由', 'Reason'] },
  ],
  decide_extension: [
    { name: 'approve', type: 'bool', label: ['同意延期', 'Approve'] },
    { name: 'comment', type: 'textarea', label: ['意见（不同意时必填）', 'Comment (required to refuse)'] },
  ],
  note: [{ name: 'text', type: 'textarea', required: true, label: ['办理进展', 'Progress'] }],
  assist_opinion: [{ name: 'text', type: 'textarea', required: true, label: ['协办意见', 'Opinion'] }],
  waive_opinions: [{ name: 'reason', type: 'textarea', required: true, label: ['理由', 'Reason'] }],
  reply: [
    { name: 'result', type: 'textarea', required: true, label: ['办理结果', 'Result'] },
    { name: 'onsite_by', type: 'text', mode: 'onsite', required: true, label: ['上门人员', 'Visited by'] },
    { name: 'onsite_place', type: 'text', mode: 'onsite', required: true, label: ['上门地点', 'Place'] },
    { name: 'onsite_at', type: 'datetime', mode: 'onsite', required: true, label: ['上门时间', 'When'] },
    { name: 'public_result', type: 'textarea', mode: 'public', label: ['公开答复', 'Public result'] },
  ],
  transfer_out: [
    { name: 'platform', type: 'select', options: 'platform', required: true, label: ['转往平台', 'Platform'] },
    { name: 'reason', type: 'textarea', required: true, label: ['理由', 'Reason'] },
  ],
  supervise: [
    { name: 'level', type: 'select', options: 'level', label: ['方式', 'Level'] },
    { name: 'comment', type: 'textarea', required: true, label: ['督办意见', 'Comment'] },
  ],
  whistle: [
    { name: 'depts', type: 'depts', required: true, label: ['吹哨召集单位', 'Departments called in'] },
    { name: 'comment', type: 'textarea', label: ['说明', 'Comment'] },
  ],
  amend: [
    { name: 'reason', type: 'textarea', required: true, label: ['更正理由', 'Reason'] },
    { name: 'area', type: 'area', label: ['属地', 'Area'] },
    { name: 'category', type: 'category', label: ['事项分类', 'Category'] },
    { name: 'urgency', type: 'select', options: 'urgency', label: ['紧急程度', 'Urgency'] },
    { name: 'mode', type: 'select', options: 'mode', label: ['办理方式', 'Handling mode'] },
  ],
  merge: [{ name: 'into', type: 'text', required: true, label: ['并入工单号', 'Into order'] }],
  cancel: [{ name: 'reason', type: 'textarea', required: true, label: ['作废理由', 'Reason'] }],
  visit: [
    { name: 'solved', type: 'bool', label: ['问题已解决', 'Solved'] },
    { name: 'satisfaction', type: 'select', options: 'satisfaction', required: true, label: ['满意度', 'Satisfaction'] },
    { name: 'comment', type: 'textarea', label: ['回访记录', 'Comment'] },
  ],
  callback_failed: [{ name: 'note', type: 'text', label: ['备注', 'Note'] }],
  close: [],
  reopen: [{ name: 'reason', type: 'textarea', label: ['重办理由', 'Reason'] }],
}

// Turns the dialog's values into the command's body.
export function body(name, values, order) {
  const out = {}
  for (const f of FIELDS[name] || []) {
    if (f.mode && f.mode !== order.mode) continue
    const v = values[f.name]
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && !v.length)) continue
    out[f.name] = v
  }
  if (name === 'reply' && order.mode === 'onsite') {
    out.onsite = { at: out.onsite_at, by: out.onsite_by, place: out.onsite_place }
    delete out.onsite_at
    delete out.onsite_by
    delete out.onsite_place
  }
  if (name === 'decide_extension') out.approve = !!values.approve
  if (name === 'visit') out.solved = !!values.solved
  return out
}

const ACTIVE = ['received', 'dispatched', 'claimed', 'returned', 'replied', 'visited']
const roleOf = (order, dept) => (order.depts || []).find((d) => d.dept === dept)?.role

// The commands offered to `user` on `order`, in the order shown.
export function offered(order, user) {
  const s = order.status
  const out = []
  const active = ACTIVE.includes(s)
  if (user.role === 'clerk' || user.role === 'coordinator') {
    const mine = roleOf(order, user.dept)
    if (mine === 'lead') {
      if (s === 'dispatched') out.push('claim', 'return')
      if (s === 'claimed') out.push('note', 'reply', 'request_extension', 'return')
    } else if (mine) {
      if (s === 'dispatched' || s === 'claimed') out.push('assist_opinion')
      if (s === 'claimed') out.push('note')
    }
    if (user.role === 'coordinator' && active) out.push('whistle')
  } else if (user.role === 'dispatcher') {
    if (s === 'received') out.push('dispatch', 'transfer_out')
    if (s === 'returned') out.push('arbitrate', 'transfer_out')
    if (s === 'dispatched' || s === 'claimed') out.push('redispatch', 'waive_opinions')
    if (s === 'claimed') out.push('decide_extension')
    if (active) out.push('supervise', 'amend')
  } else if (user.role === 'operator') {
    if (s === 'replied') out.push('visit', 'callback_failed', 'close')
    if (s === 'visited') out.push('close', 'reopen')
    if (s === 'received' || s === 'dispatched') out.push('merge')
    if (s === 'received') out.push('cancel')
    if (active) out.push('amend')
  } else if (user.role === 'leader' && active) {
    out.push('supervise')
  }
  return [...new Set(out)]
}
