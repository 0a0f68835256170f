// The parser and formatter live in util/ so runbooks parse a target the same way without
// importing an adapter (main moved them there too).
export { formatPgTarget, parseRestoreTarget } from '../../util/restore-target.js';
