#!/usr/bin/env node
// Entry point: the CLI from its cached bundle (app/bundle.ts; plain JavaScript, so no
// loader hooks on the ~280 modules it replaces nor on the packages it imports), or from
// the TypeScript sources through tsx when TRIBUTARY_BUNDLE=0 or the bundle cannot be
// built. A bundled process registers tsx only for a plugin written in TypeScript.
let main;
if (process.env.TRIBUTARY_BUNDLE !== '0') {
  try {
    const { cliBundle } = await import('./cli-bundle.mjs');
    ({ main } = await import((await cliBundle()).href));
  } catch (e) {
    if (process.env.TRIBUTARY_BUNDLE === '1') throw e;
    process.stderr.write(`tributary: running from the TypeScript sources (slower start): the CLI bundle could not be loaded: ${e?.message ?? e}\n`);
  }
}
if (!main) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../app/cli.ts'));
}
await main(process.argv.slice(2));
