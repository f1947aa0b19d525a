// "Copy" buttons beside read-only text handed back to the person (hidden without
// JavaScript, where selecting the text works instead).
export function initCopyButtons () {
  for (const button of document.querySelectorAll('button[data-copy-target]')) {
    const target = document.getElementById(button.dataset.copyTarget)
    if (!target) continue
    button.hidden = false
    button.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(target.value)
      } catch (error) {
        target.select()
        document.execCommand('copy')
      }
      button.firstChild.textContent = 'Copied'
    })
  }
}
