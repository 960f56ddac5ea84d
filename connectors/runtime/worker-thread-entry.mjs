// Entry of the Connect worker's thread (see task-thread-entry.mjs for why tsx is registered here).
try {
  await import('./worker-thread.ts');
} catch (e) {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./worker-thread.ts?tsx');
}
