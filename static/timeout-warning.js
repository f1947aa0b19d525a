// GOV.UK timeout warning. Before the session ends, a dialog offers to keep the
// person signed in (a POST to the keep-alive URL); any autosave also counts as
// activity. The server says how long the session has left, so the clock here
// agrees with it. Once the session has ended, the dialog says so and offers one
// button, "Sign in again": it posts the page's form with _resume=1, which never
// sends it but carries the words through sign-in and back to the form
// (portal/accounts/resume.py). The keep-alive form works without JavaScript.
export function initTimeoutWarning () {
  const dialog = document.getElementById('timeout-warning')
  if (!dialog || typeof dialog.showModal !== 'function') return
  const warnSeconds = Number(dialog.dataset.warnSeconds)
  const form = document.getElementById('timeout-warning-keep')
  const signIn = document.getElementById('timeout-warning-sign-in')
  const title = document.getElementById('timeout-warning-title')
  const text = document.getElementById('timeout-warning-text')
  const token = form.querySelector('input[name="csrf_token"]').value
  let warnTimer = null
  let endTimer = null
  let ended = false

  const minutes = (seconds) => {
    const m = Math.max(1, Math.round(seconds / 60))
    return `${m} ${m === 1 ? 'minute' : 'minutes'}`
  }

  function start (secondsLeft) {
    if (ended) return
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(warn, Math.max(0, secondsLeft - warnSeconds) * 1000)
    endTimer = setTimeout(signedOut, secondsLeft * 1000)
  }

  function warn () {
    text.textContent = `For your security, we will sign you out in ${minutes(warnSeconds)} if you do nothing. ` +
      'Anything you have typed but not sent stays on this page.'
    if (!dialog.open) dialog.showModal()
  }

  function signedOut () {
    ended = true
    clearTimeout(warnTimer)
    title.textContent = 'You have been signed out'
    text.textContent = wordsForm()
      ? 'For your security, you were signed out because nothing happened for a while. ' +
        'Nothing has been sent. Sign in again to go back to this form with your answers.'
      : 'For your security, you were signed out because nothing happened for a while. ' +
        'Sign in again to carry on.'
    form.hidden = true
    signIn.hidden = false
    if (!dialog.open) dialog.showModal()
    signIn.focus()
  }

  // The form on the page holding typed words, if any (not the dialog's own).
  function wordsForm () {
    for (const candidate of document.querySelectorAll('main form[method="post" i]')) {
      const typed = Array.from(candidate.elements).some((field) =>
        (field.tagName === 'TEXTAREA' || field.type === 'text') && field.value.trim() !== '')
      if (typed) return candidate
    }
    return null
  }

  signIn.addEventListener('click', () => {
    const words = wordsForm()
    if (!words) {
      window.location.assign(dialog.dataset.signInUrl)
      return
    }
    const marker = document.createElement('input')
    marker.type = 'hidden'
    marker.name = '_resume'
    marker.value = '1'
    words.appendChild(marker)
    HTMLFormElement.prototype.submit.call(words)
  })

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': token }
      })
      const body = response.ok ? await response.json() : null
      if (!body || !body.ok) throw new Error(String(response.status))
      dialog.close()
      start(Number(body.seconds_left))
    } catch (error) {
      // The session had already ended (or the server is unreachable): say so,
      // rather than pretend the person is still signed in.
      signedOut()
    }
  })
  document.addEventListener('app:activity', (event) => {
    const left = event.detail && Number(event.detail.secondsLeft)
    start(left > 0 ? left : Number(dialog.dataset.idleSeconds))
  })
  start(Number(dialog.dataset.secondsLeft))
}
