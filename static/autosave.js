// Saves named input as a server-side draft while the person types (nothing is kept
// in the browser: council PCs are shared). Nothing is saved until "Give my name" is
// chosen (no choice is preselected), so words meant to be anonymous are never stored
// as the writer's. Choosing "Stay anonymous" stops the autosave and deletes any
// draft already saved.
const DELAY_MS = 2000

export function initAutosave () {
  const form = document.querySelector('form[data-autosave-url]')
  if (!form) return
  const status = document.getElementById('autosave-status')
  const token = form.querySelector('input[name="csrf_token"]').value
  let timer = null
  let lastMode = null

  const mode = () => {
    const checked = form.querySelector('input[name="mode"]:checked, input[name="mode"][type="hidden"]')
    return checked ? checked.value : null
  }

  async function save () {
    const chosen = mode()
    if (chosen === null) return // not chosen yet: nothing is saved
    const anonymous = chosen === 'anonymous'
    if (anonymous && lastMode === 'anonymous') return
    lastMode = chosen
    let payload = { mode: 'anonymous' }
    if (!anonymous) {
      payload = Object.fromEntries(new FormData(form))
      delete payload.csrf_token
      delete payload.form_token
    }
    try {
      const response = await fetch(form.dataset.autosaveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify(payload)
      })
      if (!response.ok) throw new Error(String(response.status))
      const body = await response.json()
      status.textContent = body.saved
        ? `Draft saved ${body.at}.`
        : 'Anonymous input is not saved as a draft. Any earlier draft has been deleted.'
      document.dispatchEvent(new CustomEvent('app:activity', { detail: { secondsLeft: body.seconds_left } }))
    } catch (error) {
      status.textContent = 'Your draft could not be saved just now. What you typed is still here.'
    }
  }

  const schedule = () => {
    clearTimeout(timer)
    timer = setTimeout(save, DELAY_MS)
  }
  form.addEventListener('input', schedule)
  form.addEventListener('change', schedule)
}
