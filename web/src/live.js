// A WebSocket of this server that comes back by itself: after a network drop
// or a server restart it reconnects with a growing pause (at most 5 s), and
// `state` says 'live' or 'reconnecting' meanwhile.
import { ref } from 'vue'

export function liveSocket(path, onMessage, onOpen) {
  const state = ref('connecting')
  let ws = null
  let closed = false
  let pause = 500
  let timer = null

  function open() {
    const proto = location.protocol === 'https:' ? 'wss' : 'ws'
    const socket = new WebSocket(`${proto}://${location.host}${path}`)
    ws = socket
    socket.onopen = () => {
      state.value = 'live'
      pause = 500
      onOpen?.()
    }
    socket.onmessage = (ev) => {
      if (socket !== ws) return
      let m = null
      try {
        m = JSON.parse(ev.data)
      } catch {
        return
      }
      onMessage(m, socket)
    }
    socket.onclose = () => {
      if (socket !== ws || closed) return
      state.value = 'reconnecting'
      timer = setTimeout(open, pause)
      pause = Math.min(pause * 2, 5000)
    }
  }
  open()
  return {
    state,
    close() {
      closed = true
      clearTimeout(timer)
      ws?.close()
    },
  }
}

// A short two-tone chime for a new order (no sound file to fetch).
let audio = null
export function chime() {
  try {
    audio = audio || new AudioContext()
    const now = audio.currentTime
    for (const [i, f] of [880, 1320].entries()) {
      const o = audio.createOscillator()
      const g = audio.createGain()
      o.frequency.value = f
      g.gain.setValueAtTime(0.15, now + i * 0.15)
      g.gain.exponentialRampToValueAtTime(0.001, now + i * 0.15 + 0.14)
      o.connect(g).connect(audio.destination)
      o.start(now + i * 0.15)
      o.stop(now + i * 0.15 + 0.15)
    }
  } catch { /* no audio device: the visual cue remains */ }
}
