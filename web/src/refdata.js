// The deployment's reference data (departments, areas, categories, codes),
// read once from the API: every name on the pages comes from the config.
import { reactive } from 'vue'
import { api } from './api.js'

export const refData = reactive({
  loaded: false,
  depts: {}, // id -> {id, name, type, area}
  deptList: [],
  areas: {}, // code -> {code, name, level, parent}
  categories: [], // [{path, leaf}]
  categoryTree: [], // el-tree-select data
  codes: {},
})

let loading = null
export function loadRef() {
  if (!loading) {
    loading = Promise.all([
      api('GET', '/api/v1/departments'), api('GET', '/api/v1/areas'),
      api('GET', '/api/v1/categories'), api('GET', '/api/v1/codes'),
    ]).then(([d, a, c, codes]) => {
      refData.deptList = d.items
      refData.depts = Object.fromEntries(d.items.map((x) => [x.id, x]))
      refData.areas = Object.fromEntries(a.items.map((x) => [x.code, x]))
      refData.categories = c.items
      refData.categoryTree = tree(c.items)
      refData.codes = codes
      refData.loaded = true
    }).catch((e) => {
      loading = null
      throw e
    })
  }
  return loading
}

function tree(items) {
  const roots = []
  const byPath = {}
  for (const c of items) {
    const slash = c.path.lastIndexOf('/')
    const node = { value: c.path, label: c.path.slice(slash + 1), disabled: !c.leaf, children: [] }
    byPath[c.path] = node
    const parent = slash > 0 ? byPath[c.path.slice(0, slash)] : null
    ;(parent ? parent.children : roots).push(node)
  }
  return roots
}

export const deptName = (id) => refData.depts[id]?.name || id || ''
export function areaName(code) {
  const a = refData.areas[code]
  if (!a) return code || ''
  const p = refData.areas[a.parent]
  return p && p.level !== 'district' ? `${p.name}${a.name}` : a.name
}
