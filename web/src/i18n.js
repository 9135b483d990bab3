// The pages' words: Chinese first, English on the switch (kept in the
// browser). Code names (statuses, kinds, commands ...) are the API's; their
// labels live here, so nothing the server sends is translated twice.
import { ref } from 'vue'

export const lang = ref(localStorage.getItem('huying.lang') === 'en' ? 'en' : 'zh')
export function setLang(l) {
  lang.value = l
  localStorage.setItem('huying.lang', l)
}

// [zh, en] per key.
const words = {
  app: ['呼应 · 12345 工单系统', 'huying · 12345 work orders'],
  signOut: ['退出', 'Sign out'],
  user: ['用户名', 'User'],
  password: ['密码', 'Password'],
  signIn: ['登录', 'Sign in'],
  badCredentials: ['用户名或密码错误', 'Wrong user name or password'],
  tooMany: ['尝试次数过多，请稍后再试', 'Too many attempts, try again later'],
  expired: ['登录已过期，请重新登录；未提交的工单已保存在本机', 'Your session ended: sign in again; the unsent order is kept on this computer'],
  // tabs
  console: ['受理', 'Intake'],
  callbacks: ['回访', 'Call-backs'],
  desk: ['派单台', 'Dispatch desk'],
  workbench: ['工作台', 'Workbench'],
  board: ['大屏', 'Board'],
  search: ['工单查询', 'Orders'],
  // console
  phone: ['来电号码', 'Caller phone'],
  name: ['姓名', 'Name'],
  confidential: ['保密', 'Confidential'],
  address: ['地址', 'Address'],
  kind: ['诉求类型', 'Kind'],
  category: ['事项分类', 'Category'],
  urgency: ['紧急程度', 'Urgency'],
  description: ['诉求内容', 'Description'],
  submit: ['提交 (Ctrl+Enter)', 'Submit (Ctrl+Enter)'],
  answerNow: ['即时办结 (Alt+J)', 'Answer now (Alt+J)'],
  answer: ['答复内容', 'Answer'],
  clear: ['清空 (Alt+N)', 'Clear (Alt+N)'],
  history: ['来电历史', 'Caller history'],
  noHistory: ['无历史来电', 'No earlier calls'],
  placement: ['定位', 'Placement'],
  routing: ['建议派往', 'Proposed department'],
  reason: ['理由', 'Reason'],
  duplicates: ['疑似重复件', 'Possible duplicates'],
  merge: ['合并', 'Merge'],
  emergency: ['紧急线索', 'Emergency cue'],
  transfer: ['转', 'Transfer to'],
  created: ['已受理，工单号', 'Logged, order number'],
  shortcuts: ['快捷键', 'Shortcuts'],
  draftKept: ['已恢复未提交的草稿', 'Unsent draft restored'],
  solved: ['已解决', 'Solved'],
  unsolved: ['未解决', 'Not solved'],
  satisfied: ['满意', 'Satisfied'],
  basically_satisfied: ['基本满意', 'Fairly satisfied'],
  unsatisfied: ['不满意', 'Unsatisfied'],
  unreachable: ['未接通', 'No answer'],
  closeOrder: ['归档', 'Close'],
  // queues
  number: ['工单号', 'Number'],
  status: ['状态', 'Status'],
  dept: ['承办单位', 'Department'],
  area: ['属地', 'Area'],
  sinceCall: ['来电已过', 'Since the call'],
  toDeadline: ['距时限', 'To deadline'],
  actions: ['操作', 'Actions'],
  detail: ['详情', 'Detail'],
  newOrder: ['新工单', 'New order'],
  refresh: ['刷新', 'Refresh'],
  received: ['待派单', 'To dispatch'],
  review: ['待核定位', 'Placement to check'],
  returned: ['退单待仲裁', 'Returns to rule on'],
  difficult: ['疑难件', 'Difficult'],
  candidates: ['候选属地', 'Candidates'],
  proactive: ['主动办（未诉先办）', 'Proactive order'],
  source: ['来源', 'Source'],
  ok: ['确定', 'OK'],
  cancel: ['取消', 'Cancel'],
  done: ['已完成', 'Done'],
  staleVersion: ['工单已被他人更新，已刷新，请重新确认', 'The order changed meanwhile: reloaded, please decide again'],
  overdueWord: ['超期', 'overdue'],
  live: ['实时', 'live'],
  reconnecting: ['重新连接中…', 'reconnecting…'],
  empty: ['暂无', 'None'],
}

export function t(key) {
  const w = words[key]
  return w ? w[lang.value === 'en' ? 1 : 0] : key
}

const labels = {
  status: {
    received: ['已受理', 'received'], dispatched: ['已派单', 'dispatched'],
    claimed: ['办理中', 'claimed'], returned: ['已退单', 'returned'],
    replied: ['已办结待回访', 'replied'], visited: ['已回访', 'visited'],
    closed: ['已归档', 'closed'], transferred: ['已转警/急救', 'transferred'],
    cancelled: ['已作废', 'cancelled'], transferred_out: ['已跨域转办', 'transferred out'],
  },
  kind: {
    consult: ['咨询', 'consult'], help: ['求助', 'help'], complaint: ['投诉', 'complaint'],
    report: ['举报', 'report'], suggestion: ['建议', 'suggestion'],
  },
  urgency: { normal: ['一般', 'normal'], urgent: ['紧急', 'urgent'], emergency: ['特急', 'emergency'] },
  mode: {
    immediate: ['立即办', 'immediate'], proactive: ['主动办', 'proactive'], onsite: ['上门办', 'on site'],
    tracked: ['跟踪办', 'tracked'], public: ['公开办', 'public'], coordinated: ['积极办', 'coordinated'],
  },
  return_reason: {
    not_our_duty: ['非本单位职责', 'not our duty'], wrong_area: ['属地错误', 'wrong area'],
    insufficient_info: ['信息不全', 'insufficient information'], other: ['其他', 'other'],
  },
  event: {
    created: ['受理', 'created'], answered: ['即时办结', 'answered'], transferred: ['转警/急救', 'transferred'],
    dispatched: ['派单', 'dispatched'], claimed: ['签收', 'claimed'], returned: ['退单', 'returned'],
    extension_requested: ['申请延期', 'extension asked'], extension_decided: ['延期审批', 'extension decided'],
    noted: ['进展', 'note'], replied: ['办结', 'replied'], visited: ['回访', 'visited'],
    reopened: ['重办', 'reopened'], closed: ['归档', 'closed'], supervised: ['督办', 'supervised'],
    whistled: ['吹哨', 'whistle'], merged: ['合并', 'merged'], cancelled: ['作废', 'cancelled'],
    escalated: ['升级', 'escalated'], reported: ['报到', 'reported'], warned: ['黄灯预警', 'warning'],
    overdue: ['红灯超期', 'overdue'], amended: ['更正', 'amended'], redispatched: ['改派', 'redispatched'],
    transferred_out: ['跨域转办', 'transferred out'], external_acked: ['对方签收', 'external ack'],
    external_result: ['对方办结', 'external result'], callback_failed: ['回访未接通', 'call-back failed'],
    caller_added: ['并入来电人', 'caller added'], opinion_recorded: ['协办意见', 'opinion'],
    opinions_waived: ['免予协办意见', 'opinions waived'],
  },
  command: {
    dispatch: ['派单', 'Dispatch'], arbitrate: ['退单仲裁', 'Arbitrate'], redispatch: ['改派', 'Redispatch'],
    claim: ['签收', 'Claim'], return: ['退单', 'Return'], request_extension: ['申请延期', 'Ask extension'],
    decide_extension: ['延期审批', 'Decide extension'], note: ['进展', 'Progress note'],
    assist_opinion: ['协办意见', 'Opinion'], waive_opinions: ['免予协办意见', 'Waive opinions'],
    reply: ['办结', 'Reply'], transfer_out: ['跨域转办', 'Transfer out'], supervise: ['督办', 'Supervise'],
    whistle: ['吹哨', 'Whistle'], merge: ['合并', 'Merge'], cancel: ['作废', 'Cancel'],
    amend: ['更正', 'Amend'], visit: ['回访', 'Visit'], callback_failed: ['未接通', 'No answer'],
    close: ['归档', 'Close'], answer: ['即时办结', 'Answer'], reopen: ['重办', 'Reopen'],
  },
  role: {
    operator: ['话务员', 'operator'], dispatcher: ['派单员', 'dispatcher'], clerk: ['承办人', 'clerk'],
    coordinator: ['街镇协调员', 'coordinator'], leader: ['领导', 'leader'], admin: ['管理员', 'admin'],
    system: ['系统', 'system'],
  },
}

export function label(group, code) {
  const w = labels[group]?.[code]
  return w ? w[lang.value === 'en' ? 1 : 0] : code
}

// Dates and times in Asia/Shanghai, whatever the browser's zone.
export function fmtTime(ms) {
  if (!ms) return ''
  return new Date(ms).toLocaleString(lang.value === 'en' ? 'en-GB' : 'zh-CN', {
    timeZone: 'Asia/Shanghai', hour12: false, month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit',
  })
}

// A span of milliseconds as 2天3时 / 3时05分 / 12分.
export function fmtSpan(ms) {
  const neg = ms < 0
  let m = Math.floor(Math.abs(ms) / 60000)
  const d = Math.floor(m / 1440)
  const h = Math.floor((m % 1440) / 60)
  m %= 60
  const en = lang.value === 'en'
  const s = d ? (en ? `${d}d ${h}h` : `${d}天${h}时`)
    : h ? (en ? `${h}h ${String(m).padStart(2, '0')}m` : `${h}时${String(m).padStart(2, '0')}分`)
      : (en ? `${m}m` : `${m}分`)
  return neg ? `-${s}` : s
}
