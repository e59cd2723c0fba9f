import type { Backend } from "../../src/backends/backend.js";
import { getBackend, listBackends } from "../../src/core.js";

/** Every backend registered with the library; the op suite runs on each. */
export function backendsUnderTest(): Backend[] {
  return listBackends().map((n) => getBackend(n));
}
