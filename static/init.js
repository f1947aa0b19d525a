// Starts the GOV.UK Frontend components (character counts, error summary focus,
// password reveal). Loaded as a module, so browsers without module support get the
// plain HTML, which works on its own.
import { initAll } from './govuk-frontend.min.js'

initAll()
