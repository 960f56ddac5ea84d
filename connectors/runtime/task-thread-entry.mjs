// Entry of a task thread. The main thread loads TypeScript through tsx, whose module
// hooks a worker thread does not inherit on Node 20: register them here when the
// thread cannot load .ts by itself. (A failed import stays cached under its URL,
// hence the query on the second try.)
try {
  await import('./task-thread.ts');
} catch (e) {
  if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
  const { register } = await import('tsx/esm/api');
  register();
  await import('./task-thread.ts?tsx');
}
