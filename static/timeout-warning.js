// GOV.UK timeout warning: before the inactivity limit, a dialog offers to keep the
// person signed in (a POST to the keep-alive URL). Any autosave also counts as
// activity. The same form works without JavaScript.
export function initTimeoutWarning () {
  const dialog = document.getElementById('timeout-warning')
  if (!dialog || typeof dialog.showModal !== 'function') return
  const idleSeconds = Number(dialog.dataset.idleSeconds)
  const warnSeconds = Number(dialog.dataset.warnSeconds)
  const form = dialog.querySelector('form')
  const text = document.getElementById('timeout-warning-text')
  const token = form.querySelector('input[name="csrf_token"]').value
  let warnTimer = null
  let endTimer = null

  const minutes = (seconds) => {
    const m = Math.max(1, Math.round(seconds / 60))
    return `${m} ${m === 1 ? 'minute' : 'minutes'}`
  }

  function start () {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(warn, (idleSeconds - warnSeconds) * 1000)
    endTimer = setTimeout(signedOut, idleSeconds * 1000)
  }

  function warn () {
    text.textContent = `For your security, we will sign you out in ${minutes(warnSeconds)} if you do nothing. ` +
      'Anything you have typed but not sent stays on this page.'
    if (!dialog.open) dialog.showModal()
  }

  function signedOut () {
    text.textContent = 'You have been signed out. Anything you typed is still on this page: ' +
      'copy it, or send it and you will be asked to sign in, then shown it again.'
    form.hidden = true
    if (!dialog.open) dialog.showModal()
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { Accept: 'application/json', 'X-CSRFToken': token }
      })
      if (!response.ok) throw new Error(String(response.status))
      dialog.close()
      start()
    } catch (error) {
      form.submit()
    }
  })
  document.addEventListener('app:activity', start)
  start()
}
