// Lets a plain `node` child process require the repo's TypeScript sources (the crash test runs the
// engine in a child it can SIGKILL). Same transform as jest.config.js: @swc/core, CommonJS.
const { readFileSync } = require('node:fs');
const { transformSync } = require('@swc/core');

require.extensions['.ts'] = function compileTs(module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    filename,
    jsc: { target: 'es2022', parser: { syntax: 'typescript' } },
    module: { type: 'commonjs' },
  });
  module._compile(code, filename);
};
