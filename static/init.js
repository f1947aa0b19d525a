// Starts the GOV.UK Frontend components (character counts, error summary focus,
// password reveal) and our own small enhancements. Loaded as a module, so browsers
// without module support get the plain HTML, which works on its own.
import { initAll } from './govuk-frontend.min.js'
import { initAutosave } from './autosave.js'
import { initCopyButtons } from './copy.js'
import { initRedactBySelection } from './redact.js'
import { initTimeoutWarning } from './timeout-warning.js'

initAll()
initAutosave()
initCopyButtons()
initRedactBySelection()
initTimeoutWarning()
// After signing in again, the page that carries a form's words back posts itself
// (its button does the same without JavaScript).
const returning = document.querySelector('form[data-auto-submit]')
if (returning) returning.submit()
