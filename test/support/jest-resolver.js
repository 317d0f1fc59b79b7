const { join } = require('node:path');

// The lockfile hoists ajv 8.13 to the root, where ajv-errors (shared by @stoplight/spectral-*,
// which @asyncapi/parser loads) finds it, while spectral compiles with its own ajv 8.20: code
// built by one copy is not code to the other and loading the parser throws. Until a dependency
// update dedupes them, ajv-errors is given spectral's ajv. Every other request resolves as usual.
const spectralAjvBase = join(__dirname, '..', '..', 'node_modules', '@stoplight', 'spectral-core');

module.exports = (request, options) => {
  if (/[\\/]node_modules[\\/]ajv-errors[\\/]/.test(options.basedir) && /^ajv(\/|$)/.test(request)) {
    return options.defaultResolver(request, { ...options, basedir: spectralAjvBase });
  }
  return options.defaultResolver(request, options);
};
