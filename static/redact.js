// Redaction by selection: selecting words in an answer fills in the "Other text to
// redact" field and its answer, ready to confirm with a reason. Without JavaScript
// the moderator types or pastes the words instead.
export function initRedactBySelection () {
  const answers = document.querySelectorAll('.app-redactable[data-field]')
  const text = document.getElementById('redact-text')
  const field = document.getElementById('redact-text_field')
  if (!answers.length || !text || !field) return
  const status = document.createElement('p')
  status.className = 'govuk-body-s'
  status.setAttribute('aria-live', 'polite')
  text.closest('.govuk-form-group').append(status)

  const capture = (answer) => {
    const selection = window.getSelection()
    if (!selection || selection.isCollapsed) return
    if (!answer.contains(selection.anchorNode) || !answer.contains(selection.focusNode)) return
    const chosen = selection.toString().trim()
    if (!chosen) return
    text.value = chosen
    field.value = answer.dataset.field
    status.textContent = `Selected “${chosen}”. Choose a reason, then select Redact.`
  }
  for (const answer of answers) {
    answer.addEventListener('mouseup', () => capture(answer))
    answer.addEventListener('keyup', () => capture(answer))
  }
}
