/**
 * The profiler's hook into the backward engine, in a module of its own so that the engine does not
 * import the profiler: null unless `autograd.profiler.profile` is running.
 */
export const profileHook: { current: { begin(name: string): void; end(): void } | null } = { current: null };
